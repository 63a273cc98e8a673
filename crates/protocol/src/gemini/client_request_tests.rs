//! Unit tests of the client-side request decoder, one per rule in `client_request.rs`'s docs,
//! and one real Gemini CLI request.

use serde_json::{Value, json};

use super::*;
use crate::canonical::{CacheControl, Reasoning, ToolChoice};

fn decode(body: Value) -> ClientRequest {
    decode_client_request(body.to_string().as_bytes()).unwrap()
}

fn refused(body: Value) -> TranslateError {
    decode_client_request(body.to_string().as_bytes()).unwrap_err()
}

fn user_text(text: &str) -> Value {
    json!({"role": "user", "parts": [{"text": text}]})
}

fn text(text: &str) -> Content {
    Content::Text {
        text: text.into(),
        cache_control: None,
    }
}

fn calls(message: &Message) -> Vec<&ToolCall> {
    message
        .content
        .iter()
        .filter_map(|c| match c {
            Content::ToolCall(call) => Some(call),
            _ => None,
        })
        .collect()
}

fn results(message: &Message) -> Vec<&ToolResult> {
    message
        .content
        .iter()
        .filter_map(|c| match c {
            Content::ToolResult(result) => Some(result),
            _ => None,
        })
        .collect()
}

#[test]
fn model_and_stream_are_left_for_the_gateway_which_reads_them_from_the_url() {
    let decoded = decode(json!({"contents": [user_text("hi")]}));
    assert_eq!(
        decoded.request.model, "",
        "the model is in the URL, not the body"
    );
    assert!(!decoded.request.stream, "streaming is the URL's verb too");
    assert_eq!(decoded.request.messages[0].content, vec![text("hi")]);
    assert!(decoded.dropped.is_empty(), "{:?}", decoded.dropped);
}

#[test]
fn roles_user_function_and_missing_are_user_turns_and_model_is_the_assistant() {
    let decoded = decode(json!({"contents": [
        {"parts": [{"text": "no role"}]},
        {"role": "model", "parts": [{"text": "answer"}]},
        {"role": "function", "parts": [{"text": "older SDKs"}]},
    ]}));
    let roles: Vec<Role> = decoded.request.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::User, Role::Assistant, Role::User]);

    let error = refused(json!({"contents": [{"role": "system", "parts": [{"text": "x"}]}]}));
    assert_eq!(
        error.param.as_deref(),
        Some("contents[0].role"),
        "an unknown role has no meaning to guess"
    );
}

#[test]
fn every_part_kind_decodes_to_its_canonical_content() {
    let decoded = decode(json!({"contents": [{"role": "user", "parts": [
        {"text": "look"},
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0x"}},
        {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/cat"}},
        {"fileData": {"fileUri": "https://example.com/report.pdf"}},
        {"text": ""},
    ]}]}));
    assert_eq!(
        decoded.request.messages[0].content,
        vec![
            text("look"),
            Content::Image {
                source: MediaSource::Base64 {
                    media_type: "image/png".into(),
                    data: "iVBORw0KGgo=".into()
                },
                cache_control: None
            },
            Content::Document {
                source: MediaSource::Base64 {
                    media_type: "application/pdf".into(),
                    data: "JVBERi0x".into()
                },
                name: None,
                cache_control: None
            },
            Content::Image {
                source: MediaSource::Url {
                    url: "https://example.com/cat".into()
                },
                cache_control: None
            },
            Content::Document {
                source: MediaSource::Url {
                    url: "https://example.com/report.pdf".into()
                },
                name: None,
                cache_control: None
            },
        ],
        "images by MIME type (or the URL's extension), anything else a document; empty text \
         parts are nothing"
    );
}

#[test]
fn function_calls_get_positional_ids_and_responses_pair_with_them_by_name_in_order() {
    let decoded = decode(json!({"contents": [
        user_text("weather in Paris and Rome?"),
        {"role": "model", "parts": [
            {"functionCall": {"name": "weather", "args": {"city": "Paris"}}},
            {"functionCall": {"name": "weather", "args": {"city": "Rome"}}},
        ]},
        {"role": "user", "parts": [
            {"functionResponse": {"id": "weather-17-a", "name": "weather", "response": {"output": "sunny"}}},
            {"functionResponse": {"id": "weather-17-b", "name": "weather", "response": {"output": "rain"}}},
        ]},
        {"role": "model", "parts": [{"functionCall": {"name": "weather", "args": {"city": "Oslo"}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "weather", "response": {"output": "snow"}}}]},
    ]}));
    let messages = &decoded.request.messages;
    let ids: Vec<&str> = calls(&messages[1]).iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["call_0", "call_1"],
        "Gemini sends no ids: they come from the call's position in the request"
    );
    let answered: Vec<(&str, &[Content])> = results(&messages[2])
        .iter()
        .map(|r| (r.call_id.as_str(), r.content.as_slice()))
        .collect();
    assert_eq!(
        answered,
        [
            ("call_0", &[text("sunny")][..]),
            ("call_1", &[text("rain")][..])
        ],
        "two calls of one function are answered in order; Gemini CLI's own response ids match \
         nothing and are not used"
    );
    assert_eq!(
        calls(&messages[3])[0].id,
        "call_2",
        "positions count across turns"
    );
    assert_eq!(results(&messages[4])[0].call_id, "call_2");
    assert_eq!(results(&messages[4])[0].name.as_deref(), Some("weather"));
}

#[test]
fn ids_sent_on_both_sides_pair_the_call_and_response_exactly() {
    let decoded = decode(json!({"contents": [
        user_text("two lookups"),
        {"role": "model", "parts": [
            {"functionCall": {"id": "call_1", "name": "lookup", "args": {"q": "a"}}},
            {"functionCall": {"id": "b", "name": "lookup", "args": {"q": "b"}}},
            {"functionCall": {"name": "lookup", "args": {"q": "c"}}},
        ]},
        {"role": "user", "parts": [
            {"functionResponse": {"id": "b", "name": "lookup", "response": {"output": "B"}}},
            {"functionResponse": {"id": "call_1", "name": "lookup", "response": {"output": "A"}}},
            {"functionResponse": {"name": "lookup", "response": {"output": "C"}}},
        ]},
    ]}));
    let messages = &decoded.request.messages;
    let ids: Vec<&str> = calls(&messages[1]).iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["call_1", "b", "call_2"],
        "the client's ids are kept, and a generated id never repeats one of them"
    );
    let answered: Vec<&str> = results(&messages[2])
        .iter()
        .map(|r| r.call_id.as_str())
        .collect();
    assert_eq!(
        answered,
        ["b", "call_1", "call_2"],
        "answered out of order by id"
    );
}

#[test]
fn a_function_response_that_answers_no_call_is_refused() {
    let error = refused(json!({"contents": [
        user_text("hi"),
        {"role": "model", "parts": [{"functionCall": {"name": "read_file", "args": {}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "write_file", "response": {}}}]},
    ]}));
    assert_eq!(
        error.param.as_deref(),
        Some("contents[2].parts[0].functionResponse"),
        "no provider can pair a tool result with a call that never happened: {error}"
    );
    let misplaced = refused(json!({"contents": [
        {"role": "user", "parts": [{"functionCall": {"name": "read_file"}}]},
    ]}));
    assert_eq!(
        misplaced.param.as_deref(),
        Some("contents[0].parts[0].functionCall")
    );
    let answered_by_the_model = refused(json!({"contents": [
        user_text("hi"),
        {"role": "model", "parts": [{"functionCall": {"name": "f"}}, {"functionResponse": {"name": "f", "response": {}}}]},
    ]}));
    assert_eq!(
        answered_by_the_model.param.as_deref(),
        Some("contents[1].parts[1].functionResponse"),
        "tool results are the user's side of the conversation"
    );
}

#[test]
fn tool_output_is_the_output_member_or_the_json_text_and_error_marks_a_failure() {
    let decoded = decode(json!({"contents": [
        user_text("go"),
        {"role": "model", "parts": [
            {"functionCall": {"name": "a"}}, {"functionCall": {"name": "b"}},
            {"functionCall": {"name": "c"}}, {"functionCall": {"name": "d"}},
        ]},
        {"role": "user", "parts": [
            {"functionResponse": {"name": "a", "response": {"output": "file contents"}}},
            {"functionResponse": {"name": "b", "response": {"error": "permission denied"}}},
            {"functionResponse": {"name": "c", "response": {"temp": 21, "unit": "C"}}},
            {"functionResponse": {"name": "d", "response": {"content": {"n": 1}},
                                  "parts": [{"inlineData": {"mimeType": "image/png", "data": "AA=="}}]}},
        ]},
    ]}));
    let results = results(&decoded.request.messages[2]);
    let summary: Vec<(&[Content], bool)> = results
        .iter()
        .map(|r| (&r.content[..1], r.is_error))
        .collect();
    assert_eq!(
        summary,
        [
            (&[text("file contents")][..], false),
            (&[text("permission denied")][..], true),
            (&[text(r#"{"temp":21,"unit":"C"}"#)][..], false),
            (&[text(r#"{"n":1}"#)][..], false),
        ]
    );
    assert!(
        matches!(&results[3].content[1], Content::Image { .. }),
        "media nested in the response (Gemini 3) joins the result: {:?}",
        results[3].content
    );
}

#[test]
fn thoughts_and_signatures_keep_their_places() {
    let decoded = decode(json!({"contents": [
        user_text("hi"),
        {"role": "model", "parts": [
            {"text": "Let me ", "thought": true},
            {"text": "think.", "thought": true},
            {"text": "", "thought": true, "thoughtSignature": "sig-thought"},
            {"functionCall": {"name": "read", "args": {"path": "a"}}, "thoughtSignature": "sig-call"},
            {"text": "done", "thoughtSignature": "sig-text"},
        ]},
    ]}));
    assert_eq!(
        decoded.request.messages[1].content,
        vec![
            Content::Thinking {
                text: "Let me think.".into(),
                signature: Some("sig-thought".into())
            },
            Content::ToolCall(ToolCall {
                id: "call_0".into(),
                name: "read".into(),
                arguments: json!({"path": "a"}),
                thought_signature: Some("sig-call".into())
            }),
            text("done"),
            Content::Thinking {
                text: String::new(),
                signature: Some("sig-text".into())
            },
        ],
        "a stream's thought pieces are one block signed at its end; a call's signature is the \
         call's; a text's follows it"
    );
}

#[test]
fn snake_case_spellings_read_like_camel_case() {
    let decoded = decode(json!({
        "system_instruction": {"parts": [{"text": "Be brief."}]},
        "contents": [
            {"role": "user", "parts": [{"inline_data": {"mime_type": "image/png", "data": "AA=="}}]},
            {"role": "model", "parts": [{"function_call": {"name": "f", "args": {}}, "thought_signature": "s"}]},
            {"role": "user", "parts": [{"function_response": {"name": "f", "response": {"output": "ok"}}}]},
        ],
        "tools": [{"function_declarations": [{"name": "f", "parameters_json_schema": {"type": "object"}}]}],
        "tool_config": {"function_calling_config": {"mode": "ANY", "allowed_function_names": ["f"]}},
        "generation_config": {"max_output_tokens": 100, "stop_sequences": ["END"],
                              "thinking_config": {"thinking_budget": 512, "include_thoughts": true}},
    }));
    let req = &decoded.request;
    assert_eq!(req.system[0].text, "Be brief.");
    assert!(matches!(req.messages[0].content[0], Content::Image { .. }));
    assert_eq!(
        calls(&req.messages[1])[0].thought_signature.as_deref(),
        Some("s")
    );
    assert_eq!(results(&req.messages[2])[0].call_id, "call_0");
    assert_eq!(req.tools[0].parameters, json!({"type": "object"}));
    assert_eq!(req.tool_choice, Some(ToolChoice::Tool("f".into())));
    assert_eq!(
        (req.max_tokens, req.stop.as_slice()),
        (Some(100), &["END".to_owned()][..])
    );
    assert_eq!(
        req.reasoning.as_ref().and_then(|r| r.budget_tokens),
        Some(512)
    );
    assert!(
        decoded.dropped.is_empty(),
        "nothing was lost: {:?}",
        decoded.dropped
    );
}

#[test]
fn what_cannot_be_carried_over_is_dropped_and_listed_and_unknown_members_never_fail() {
    let decoded = decode(json!({
        "contents": [
            user_text("hi"),
            {"role": "model", "parts": [{"executableCode": {"language": "PYTHON", "code": "1+1"}},
                                        {"text": "2", "partMetadata": {"x": 1}}]},
        ],
        "tools": [
            {"functionDeclarations": [{"name": "f", "behavior": "NON_BLOCKING"}]},
            {"googleSearch": {}},
            {"codeExecution": {}},
        ],
        "generationConfig": {"candidateCount": 1, "seed": 7, "presencePenalty": 0.5,
                             "frequency_penalty": 0.5, "responseLogprobs": true,
                             "thinkingConfig": {"thinkingBudget": 128, "somethingNew": 1}},
        "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        "cachedContent": "cachedContents/abc",
        "somethingNew": {"x": 1},
        "labels": null,
    }));
    let mut dropped = decoded.dropped.clone();
    dropped.sort();
    assert_eq!(
        dropped,
        [
            "cachedContent",
            "contents[1].parts[0].executableCode",
            "generationConfig.candidateCount",
            "generationConfig.frequencyPenalty",
            "generationConfig.presencePenalty",
            "generationConfig.responseLogprobs",
            "generationConfig.seed",
            "generationConfig.thinkingConfig.somethingNew",
            "safetySettings",
            "somethingNew",
            "tools[1].googleSearch",
            "tools[2].codeExecution",
        ],
        "every member not carried over is listed by its camelCase path; null members and \
         unknown members inside parts and declarations are nothing to report"
    );
    let req = &decoded.request;
    assert_eq!(req.tools.len(), 1, "the function is still declared");
    assert_eq!(req.messages[1].content, vec![text("2")]);
    assert_eq!(
        req.reasoning.as_ref().and_then(|r| r.budget_tokens),
        Some(128)
    );
}

#[test]
fn requests_that_mean_nothing_without_the_dropped_part_are_refused() {
    let many =
        refused(json!({"contents": [user_text("hi")], "generationConfig": {"candidateCount": 2}}));
    assert_eq!(
        many.param.as_deref(),
        Some("generationConfig.candidateCount")
    );
    assert_eq!(
        refused(json!({"contents": []})).param.as_deref(),
        Some("contents")
    );
    assert_eq!(
        refused(json!({"systemInstruction": "x"})).param.as_deref(),
        Some("contents")
    );
    let only_code =
        refused(json!({"contents": [{"role": "user", "parts": [{"executableCode": {}}]}]}));
    assert_eq!(only_code.param.as_deref(), Some("contents"), "{only_code}");
    assert!(decode_client_request(b"[1, 2]").is_err(), "not an object");
    assert!(decode_client_request(b"{").is_err(), "not JSON");
    let typed =
        refused(json!({"contents": [user_text("hi")], "generationConfig": {"temperature": "hot"}}));
    assert_eq!(typed.param.as_deref(), Some("generationConfig.temperature"));
}

#[test]
fn system_instruction_may_be_content_or_a_string() {
    let content = decode(json!({
        "systemInstruction": {"role": "system", "parts": [{"text": "One."}, {"text": "Two."}]},
        "contents": [user_text("hi")]
    }));
    let texts: Vec<&str> = content
        .request
        .system
        .iter()
        .map(|b| b.text.as_str())
        .collect();
    assert_eq!(texts, ["One.", "Two."], "each text part is a system block");
    assert_eq!(
        content.request.system[0].cache_control,
        None::<CacheControl>
    );
    let string = decode(json!({"systemInstruction": "Be brief.", "contents": [user_text("hi")]}));
    assert_eq!(string.request.system[0].text, "Be brief.");
}

#[test]
fn count_tokens_bodies_decode_like_generate_content_bodies() {
    let plain = decode(json!({"contents": [user_text("count me")]}));
    let wrapped = decode(json!({"generateContentRequest": {
        "model": "models/gemini-2.5-flash",
        "contents": [user_text("count me")],
        "systemInstruction": {"parts": [{"text": "sys"}]},
    }}));
    assert_eq!(plain.request.messages, wrapped.request.messages);
    assert_eq!(wrapped.request.system[0].text, "sys");
    assert!(
        wrapped.dropped.is_empty(),
        "the wrapper's model is the URL's: {:?}",
        wrapped.dropped
    );
}

#[test]
fn a_real_gemini_cli_request_decodes_with_its_tools_system_and_thinking() {
    // What Gemini CLI 0.61 sent for `gemini -p "say hi"` (long texts trimmed).
    let body = include_str!("../../tests/fixtures/gemini-cli-0.61-request.json");
    let decoded = decode_client_request(body.as_bytes()).unwrap();
    let req = &decoded.request;
    assert!(decoded.dropped.is_empty(), "{:?}", decoded.dropped);
    assert!(
        req.system[0]
            .text
            .starts_with("You are a non-interactive CLI agent")
    );
    assert_eq!(req.messages.len(), 1);
    assert_eq!(
        req.messages[0].content.len(),
        2,
        "session context, then the prompt"
    );
    assert_eq!(req.messages[0].content[1], text("say hi"));
    let names: Vec<&str> = req.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "update_topic",
            "list_directory",
            "read_file",
            "grep_search",
            "glob",
            "google_web_search",
            "enter_plan_mode",
            "invoke_agent"
        ]
    );
    let read_file = &req.tools[2];
    assert_eq!(read_file.parameters["required"], json!(["file_path"]));
    assert_eq!(
        read_file.parameters["properties"]["start_line"]["type"], "integer",
        "parametersJsonSchema is taken as the JSON Schema it is"
    );
    assert_eq!(
        (req.temperature, req.top_p, req.top_k),
        (Some(1.0), Some(0.95), Some(64))
    );
    assert_eq!(
        req.reasoning,
        Some(Reasoning {
            effort: None,
            budget_tokens: Some(8192),
            include_thoughts: true
        })
    );
}
