//! Unit tests of the request encoder, one per rule in `request.rs`'s docs.

use serde_json::{Value, json};

use super::*;
use crate::canonical::{
    CacheControl, Effort, Reasoning, SystemBlock, Tool as CanonicalTool, ToolCall,
};

fn user(content: Vec<Content>) -> Message {
    Message {
        role: Role::User,
        content,
    }
}

fn assistant(content: Vec<Content>) -> Message {
    Message {
        role: Role::Assistant,
        content,
    }
}

fn text(text: &str) -> Content {
    Content::Text {
        text: text.into(),
        cache_control: None,
    }
}

fn call(id: &str, name: &str, signature: Option<&str>) -> Content {
    Content::ToolCall(ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: json!({"city": "Paris"}),
        thought_signature: signature.map(str::to_owned),
    })
}

fn result(call_id: &str, name: Option<&str>, output: &str) -> Content {
    Content::ToolResult(ToolResult {
        call_id: call_id.into(),
        name: name.map(str::to_owned),
        content: vec![text(output)],
        is_error: false,
        cache_control: None,
    })
}

fn encode(req: &ChatRequest) -> Value {
    encode_request(req, &mut ToolNames::default()).unwrap()
}

fn chat(messages: Vec<Message>) -> ChatRequest {
    ChatRequest {
        model: "gemini-2.5-flash".into(),
        messages,
        ..ChatRequest::default()
    }
}

#[test]
fn system_blocks_become_the_system_instruction_and_same_role_turns_merge() {
    let mut req = chat(vec![
        user(vec![text("Hi")]),
        user(vec![text("Are you there?")]),
        assistant(vec![text("Yes.")]),
        assistant(vec![Content::RedactedThinking {
            data: "opaque".into(),
        }]),
        user(vec![text(""), text("Good.")]),
    ]);
    req.system = vec![
        SystemBlock {
            text: "Be brief.".into(),
            cache_control: Some(CacheControl { ttl: None }),
        },
        SystemBlock {
            text: "Answer in English.".into(),
            cache_control: None,
        },
    ];
    let body = encode(&req);
    assert_eq!(
        body["systemInstruction"],
        json!({"parts": [{"text": "Be brief."}, {"text": "Answer in English."}]})
    );
    assert_eq!(
        body["contents"],
        json!([
            {"role": "user", "parts": [{"text": "Hi"}, {"text": "Are you there?"}]},
            {"role": "model", "parts": [{"text": "Yes."}]},
            {"role": "user", "parts": [{"text": "Good."}]}
        ]),
        "a message with nothing Gemini understands disappears instead of leaving empty parts"
    );
    assert!(
        !body.to_string().contains("cache_control"),
        "Gemini caches implicitly and rejects unknown fields (translation rule 14)"
    );
}

#[test]
fn tool_results_carry_the_function_name_from_the_decoder_or_the_earlier_call() {
    // translation rule 7: OpenAI `tool` messages only have the id.
    let req = chat(vec![
        user(vec![text("Weather?")]),
        assistant(vec![
            call("call_a", "get_weather", Some("sig-a")),
            call("call_b", "get_time", None),
        ]),
        user(vec![
            result("call_a", None, "18°C"),
            result("call_b", Some("get_time"), "noon"),
        ]),
    ]);
    let body = encode(&req);
    assert_eq!(
        body["contents"][2]["parts"],
        json!([
            {"functionResponse": {"name": "get_weather", "response": {"content": "18°C"}}},
            {"functionResponse": {"name": "get_time", "response": {"content": "noon"}}}
        ])
    );
    assert!(
        !body.to_string().contains("call_a"),
        "call ids are not sent: several Gemini endpoints reject `id`"
    );
}

#[test]
fn a_tool_result_without_its_call_is_refused_naming_the_id() {
    let req = chat(vec![user(vec![result("call_missing", None, "x")])]);
    let error = encode_request(&req, &mut ToolNames::default()).unwrap_err();
    assert!(error.message.contains("call_missing"), "{}", error.message);
    assert_eq!(error.param.as_deref(), Some("messages"));
}

#[test]
fn failed_tools_report_an_error_object_and_their_images_follow() {
    let req = chat(vec![
        assistant(vec![call("c1", "screenshot", Some("s"))]),
        user(vec![Content::ToolResult(ToolResult {
            call_id: "c1".into(),
            name: Some("screenshot".into()),
            content: vec![
                text("partial capture"),
                Content::Image {
                    source: MediaSource::from_url("data:image/png;base64,iVBORw0KGgo="),
                    cache_control: None,
                },
            ],
            is_error: true,
            cache_control: None,
        })]),
    ]);
    assert_eq!(
        encode(&req)["contents"][1]["parts"],
        json!([
            {"functionResponse": {"name": "screenshot", "response": {"error": "partial capture"}}},
            {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}
        ])
    );
}

#[test]
fn thought_signatures_go_back_on_the_function_call_part() {
    // translation rule 8: Gemini 3 answers 400 without them.
    let req = chat(vec![
        user(vec![text("Weather in Paris and Tokyo?")]),
        assistant(vec![
            call("c1", "get_weather", Some("CiQBsig==")),
            call("c2", "get_weather", None),
        ]),
        user(vec![result("c1", None, "18°C"), result("c2", None, "25°C")]),
    ]);
    let parts = &encode(&req)["contents"][1]["parts"];
    assert_eq!(parts[0]["thoughtSignature"], "CiQBsig==");
    assert!(
        parts[1].get("thoughtSignature").is_none(),
        "Gemini signs only the first of parallel calls; nothing is invented for the second"
    );
}

#[test]
fn unsigned_calls_from_another_provider_get_the_documented_placeholder() {
    let req = chat(vec![
        user(vec![text("List files")]),
        assistant(vec![
            text("Listing."),
            call("toolu_1", "ls", None),
            call("toolu_2", "pwd", None),
        ]),
        user(vec![
            result("toolu_1", Some("ls"), "a.txt"),
            result("toolu_2", Some("pwd"), "/"),
        ]),
    ]);
    let parts = &encode(&req)["contents"][1]["parts"];
    assert_eq!(parts[1]["thoughtSignature"], SKIP_SIGNATURE);
    assert!(parts[2].get("thoughtSignature").is_none());
    assert!(parts[0].get("thoughtSignature").is_none());
}

#[test]
fn thinking_is_replayed_as_thought_parts_and_text_signatures_return_to_their_part() {
    // translation rule 16: what the decoders produced must go back unchanged.
    let req = chat(vec![
        user(vec![text("Hi")]),
        assistant(vec![
            Content::Thinking {
                text: "The user greets me.".into(),
                signature: Some("sig-thought".into()),
            },
            text("Hello!"),
            Content::Thinking {
                text: String::new(),
                signature: Some("sig-text".into()),
            },
        ]),
        user(vec![text("Bye")]),
    ]);
    assert_eq!(
        encode(&req)["contents"][1]["parts"],
        json!([
            {"text": "The user greets me.", "thought": true, "thoughtSignature": "sig-thought"},
            {"text": "Hello!", "thoughtSignature": "sig-text"}
        ])
    );
}

#[test]
fn images_and_documents_become_inline_or_file_data() {
    // translation rule 13.
    let image = |url: &str| Content::Image {
        source: MediaSource::from_url(url),
        cache_control: None,
    };
    let req = chat(vec![user(vec![
        image("data:image/webp;base64,UklGRg=="),
        image("https://example.com/photos/cat.PNG?size=large#top"),
        image("https://example.com/render?id=3"),
        Content::Document {
            source: MediaSource::Url {
                url: "https://generativelanguage.googleapis.com/v1beta/files/abc123".into(),
            },
            name: Some("report.pdf".into()),
            cache_control: None,
        },
        Content::Document {
            source: MediaSource::Url {
                url: "https://example.com/spec".into(),
            },
            name: None,
            cache_control: None,
        },
    ])]);
    assert_eq!(
        encode(&req)["contents"][0]["parts"],
        json!([
            {"inlineData": {"mimeType": "image/webp", "data": "UklGRg=="}},
            {"fileData": {"mimeType": "image/png", "fileUri": "https://example.com/photos/cat.PNG?size=large#top"}},
            {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/render?id=3"}},
            {"fileData": {"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc123"}},
            {"fileData": {"mimeType": "application/pdf", "fileUri": "https://example.com/spec"}}
        ])
    );
}

#[test]
fn tool_choice_maps_to_function_calling_modes() {
    let cases = [
        (ToolChoice::Auto, json!({"mode": "AUTO"})),
        (ToolChoice::None, json!({"mode": "NONE"})),
        (ToolChoice::Required, json!({"mode": "ANY"})),
        (
            ToolChoice::Tool("get_weather".into()),
            json!({"mode": "ANY", "allowedFunctionNames": ["get_weather"]}),
        ),
    ];
    for (choice, expected) in cases {
        let mut req = chat(vec![user(vec![text("?")])]);
        req.tools = vec![CanonicalTool {
            name: "get_weather".into(),
            description: None,
            parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
            strict: None,
            cache_control: None,
        }];
        req.tool_choice = Some(choice.clone());
        req.parallel_tool_calls = Some(false);
        assert_eq!(
            encode(&req)["toolConfig"]["functionCallingConfig"],
            expected,
            "{choice:?}"
        );
    }
    let mut no_tools = chat(vec![user(vec![text("?")])]);
    no_tools.tool_choice = Some(ToolChoice::Required);
    assert!(encode(&no_tools).get("toolConfig").is_none());
}

#[test]
fn long_tool_names_are_shortened_the_same_way_everywhere() {
    // translation rule 5: declarations, replayed calls, results and tool_choice must agree.
    let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply";
    let mut req = chat(vec![
        user(vec![text("Reply to the comment")]),
        assistant(vec![call("c1", long, Some("s"))]),
        user(vec![result("c1", None, "done")]),
    ]);
    req.tools = vec![CanonicalTool {
        name: long.into(),
        description: Some("Reply".into()),
        parameters: json!({"type": "object", "properties": {"body": {"type": "string"}}}),
        strict: Some(true),
        cache_control: None,
    }];
    req.tool_choice = Some(ToolChoice::Tool(long.into()));
    let mut names = ToolNames::default();
    let body = encode_request(&req, &mut names).unwrap();
    let declared = body["tools"][0]["functionDeclarations"][0]["name"]
        .as_str()
        .unwrap();
    assert!(declared.len() <= 64);
    assert_eq!(
        body["contents"][1]["parts"][0]["functionCall"]["name"],
        declared
    );
    assert_eq!(
        body["contents"][2]["parts"][0]["functionResponse"]["name"],
        declared
    );
    assert_eq!(
        body["toolConfig"]["functionCallingConfig"]["allowedFunctionNames"][0],
        declared
    );
    assert_eq!(names.restore(declared), long);
}

#[test]
fn generation_settings_reasoning_and_json_schema_map_to_generation_config() {
    let mut req = chat(vec![user(vec![text("Give me JSON")])]);
    req.temperature = Some(0.2);
    req.top_p = Some(0.9);
    req.top_k = Some(40);
    req.max_tokens = Some(1024);
    req.stop = vec!["END".into()];
    req.user = Some("user-42".into());
    req.reasoning = Some(Reasoning {
        effort: Some(Effort::Low),
        budget_tokens: None,
        include_thoughts: true,
    });
    req.response_format = Some(ResponseFormat::JsonSchema {
        name: "answer".into(),
        schema: json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "additionalProperties": false,
            "properties": {"answer": {"type": "string"}},
            "required": ["answer"]
        }),
        strict: Some(true),
    });
    let body = encode(&req);
    assert_eq!(
        body["generationConfig"],
        json!({
            "temperature": 0.2,
            "topP": 0.9,
            "topK": 40,
            "maxOutputTokens": 1024,
            "stopSequences": ["END"],
            "responseMimeType": "application/json",
            "responseSchema": {
                "type": "object",
                "properties": {"answer": {"type": "string"}},
                "required": ["answer"]
            },
            "thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": true}
        })
    );
    assert!(
        !body.to_string().contains("user-42"),
        "Gemini has no end-user field"
    );
}

#[test]
fn json_mode_and_effort_none_send_only_what_gemini_understands() {
    let mut req = chat(vec![user(vec![text("JSON please")])]);
    req.response_format = Some(ResponseFormat::JsonObject);
    req.reasoning = Some(Reasoning {
        effort: Some(Effort::None),
        budget_tokens: None,
        include_thoughts: false,
    });
    assert_eq!(
        encode(&req)["generationConfig"],
        json!({"responseMimeType": "application/json"})
    );
    let plain = encode(&chat(vec![user(vec![text("hi")])]));
    assert!(plain.get("generationConfig").is_none());
    assert!(plain.get("tools").is_none());
}

#[test]
fn arguments_are_always_an_object() {
    assert_eq!(arguments_object(&json!({"a": 1})), json!({"a": 1}));
    assert_eq!(arguments_object(&Value::Null), json!({}));
    assert_eq!(arguments_object(&json!("")), json!({}));
    assert_eq!(arguments_object(&json!("{\"a\":1}")), json!({"a": 1}));
    assert_eq!(
        arguments_object(&json!("{\"a\":")),
        json!({"value": "{\"a\":"})
    );
}

#[test]
fn mime_types_are_guessed_from_the_extension_only() {
    assert_eq!(mime_from_url("https://x.org/a/b.JPEG"), Some("image/jpeg"));
    assert_eq!(
        mime_from_url("https://x.org/doc.pdf?dl=1"),
        Some("application/pdf")
    );
    assert_eq!(
        mime_from_url("https://x.org.uk/file"),
        None,
        "a dotted host is not an extension"
    );
    assert_eq!(mime_from_url("https://x.org/archive.tar.zst"), None);
}
