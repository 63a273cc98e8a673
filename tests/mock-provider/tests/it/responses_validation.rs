//! `/v1/responses` rejects what OpenAI rejects, in OpenAI's words and with
//! its `param` paths, and accepts what real clients (Codex CLI) send.

use mock_provider::openai::responses::validate_request;
use serde_json::{Value, json};

use crate::responses_support::{body, patch_tool, rejection, respond, tool_loop, weather_tools};
use crate::support::{post, start};

/// One rejected body: what it changes, and the expected message, param and code.
struct Case {
    extra: Value,
    message: &'static str,
    param: Option<&'static str>,
    code: Option<&'static str>,
}

fn case(
    extra: Value,
    message: &'static str,
    param: Option<&'static str>,
    code: Option<&'static str>,
) -> Case {
    Case {
        extra,
        message,
        param,
        code,
    }
}

#[tokio::test]
async fn invalid_bodies_are_rejected_with_openai_messages_and_params() {
    let mock = start().await;
    let cases = [
        case(
            json!({"model": null}),
            "Missing required parameter: 'model'.",
            Some("model"),
            Some("missing_required_parameter"),
        ),
        case(
            json!({"input": null}),
            "Missing required parameter: 'input'.",
            Some("input"),
            Some("missing_required_parameter"),
        ),
        case(
            json!({"messages": [{"role": "user", "content": "hi"}]}),
            "Unknown parameter: 'messages'.",
            Some("messages"),
            Some("unknown_parameter"),
        ),
        case(
            json!({"max_tokens": 100}),
            "Unknown parameter: 'max_tokens'.",
            Some("max_tokens"),
            Some("unknown_parameter"),
        ),
        case(
            json!({"input": 42}),
            "Invalid type for 'input': expected a string or an array of input items, but got an integer instead.",
            Some("input"),
            Some("invalid_type"),
        ),
        case(
            json!({"input": []}),
            "Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            Some("input"),
            Some("empty_array"),
        ),
        case(
            json!({"input": [{"role": "tool", "content": "x"}]}),
            "Invalid value: 'tool'. Supported values are: 'user', 'assistant', 'system', and 'developer'.",
            Some("input[0].role"),
            Some("invalid_value"),
        ),
        case(
            json!({"input": [{"role": "user", "content": [{"type": "text", "text": "x"}]}]}),
            "Invalid value: 'text'. Supported values are: 'input_text', 'input_image', and 'input_file'.",
            Some("input[0].content[0]"),
            Some("invalid_value"),
        ),
        case(
            json!({"input": [{"role": "user", "content": "x", "cache_control": {"type": "ephemeral"}}]}),
            "Unknown parameter: 'input[0].cache_control'.",
            Some("input[0].cache_control"),
            Some("unknown_parameter"),
        ),
        case(
            json!({"input": [{"type": "tool_result", "tool_use_id": "t", "content": "x"}]}),
            "Invalid value: 'tool_result'. Supported values are: 'message', 'function_call', 'function_call_output', 'custom_tool_call', 'custom_tool_call_output', 'local_shell_call', 'local_shell_call_output', 'reasoning', 'web_search_call', 'compaction', and 'item_reference'.",
            Some("input[0].type"),
            Some("invalid_value"),
        ),
        case(
            json!({"input": [{"type": "function_call_output", "output": "x"}]}),
            "Missing required parameter: 'input[0].call_id'.",
            Some("input[0].call_id"),
            Some("missing_required_parameter"),
        ),
        case(
            json!({"input": [{"type": "function_call_output", "call_id": "call_X", "output": "x"}]}),
            "No tool call found for function call output with call_id call_X.",
            Some("input"),
            None,
        ),
        case(
            json!({"input": [{"role": "user", "content": "x"},
                             {"type": "function_call", "call_id": "call_Y", "name": "f", "arguments": "{}"},
                             {"role": "user", "content": "y"}]}),
            "No tool output found for function call call_Y.",
            Some("input"),
            None,
        ),
        case(
            json!({"input": [{"type": "reasoning", "encrypted_content": "gAAAAAB"}]}),
            "Missing required parameter: 'input[0].summary'.",
            Some("input[0].summary"),
            Some("missing_required_parameter"),
        ),
        case(
            json!({"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]}),
            "Missing required parameter: 'tools[0].name'.",
            Some("tools[0].name"),
            Some("missing_required_parameter"),
        ),
        case(
            json!({"tools": [{"type": "function", "name": "get weather"}]}),
            "Invalid 'tools[0].name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
            Some("tools[0].name"),
            Some("invalid_value"),
        ),
        case(
            json!({"tools": [{"type": "function", "name": "f", "strict": true,
                              "parameters": {"type": "object", "properties": {"a": {"type": "string"}}}}]}),
            "Invalid schema for function 'f': In context=(), 'additionalProperties' is required to be supplied and to be false.",
            Some("tools[0].parameters"),
            Some("invalid_function_parameters"),
        ),
        case(
            json!({"tools": [{"type": "retrieval"}]}),
            "Invalid value: 'retrieval'. Supported values are: 'function', 'custom', 'web_search', 'web_search_preview', 'web_search_2025_08_26', 'web_search_preview_2025_03_11', 'local_shell', 'file_search', 'code_interpreter', 'image_generation', 'mcp', 'computer_use_preview', 'shell', 'apply_patch', and 'namespace'.",
            Some("tools[0].type"),
            Some("invalid_value"),
        ),
        case(
            json!({"tools": weather_tools(), "tool_choice": "any"}),
            "Invalid value: 'any'. Supported values are: 'none', 'auto', and 'required'.",
            Some("tool_choice"),
            Some("invalid_value"),
        ),
        case(
            json!({"tools": weather_tools(), "tool_choice": {"type": "function", "name": "nope"}}),
            "Invalid value for 'tool_choice': function 'nope' not found in 'tools'.",
            Some("tool_choice"),
            None,
        ),
        case(
            json!({"text": {"format": {"type": "json_schema", "schema": {"type": "object"}}}}),
            "Missing required parameter: 'text.format.name'.",
            Some("text.format.name"),
            Some("missing_required_parameter"),
        ),
        case(
            json!({"text": {"format": {"type": "json_object"}}}),
            "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'.",
            Some("input"),
            None,
        ),
        case(
            json!({"response_format": {"type": "json_object"}}),
            "Unknown parameter: 'response_format'.",
            Some("response_format"),
            Some("unknown_parameter"),
        ),
        case(
            json!({"reasoning": {"effort": "extreme"}}),
            "Invalid value: 'extreme'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', and 'xhigh'.",
            Some("reasoning.effort"),
            Some("invalid_value"),
        ),
        case(
            json!({"reasoning_effort": "high"}),
            "Unknown parameter: 'reasoning_effort'.",
            Some("reasoning_effort"),
            Some("unknown_parameter"),
        ),
        case(
            json!({"max_output_tokens": 5}),
            "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 5 instead.",
            Some("max_output_tokens"),
            Some("integer_below_min_value"),
        ),
        case(
            json!({"include": ["reasoning.summary"]}),
            "Invalid value: 'reasoning.summary'. Supported values are: 'code_interpreter_call.outputs', 'computer_call_output.output.image_url', 'file_search_call.results', 'message.input_image.image_url', 'message.output_text.logprobs', 'reasoning.encrypted_content', 'web_search_call.action.sources', and 'web_search_call.results'.",
            Some("include[0]"),
            Some("invalid_value"),
        ),
        case(
            json!({"store": "no"}),
            "Invalid type for 'store': expected a boolean, but got a string instead.",
            Some("store"),
            Some("invalid_type"),
        ),
        case(
            json!({"stream_options": {"include_obfuscation": false}}),
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            Some("stream_options"),
            None,
        ),
    ];
    for Case {
        extra,
        message,
        param,
        code,
    } in cases
    {
        let request = body(extra.clone());
        let error = rejection(&mock, &request, 400).await;
        assert_eq!(error["message"], message, "{extra}");
        assert_eq!(error["param"], json!(param), "{extra}");
        assert_eq!(error["code"], json!(code), "{extra}");
        let offline = validate_request(&request).err().unwrap();
        assert_eq!(
            offline.message, message,
            "validate_request agrees for {extra}"
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_openais_parse_error() {
    let mock = start().await;
    let answer = crate::support::client()
        .post(format!("{}/responses", mock.base_url()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let error: Value = serde_json::from_str(&answer.text().await.unwrap()).unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("We could not parse the JSON body of your request.")
    );
}

#[tokio::test]
async fn unsimulated_features_are_refused_plainly() {
    let mock = start().await;
    for (field, value) in [
        ("conversation", json!("conv_1")),
        ("background", json!(true)),
        ("prompt", json!({"id": "pmpt_1"})),
    ] {
        let error = rejection(&mock, &body(json!({ field: value })), 400).await;
        assert_eq!(error["param"], field);
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with("mock-provider does not simulate"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_codex_cli_request_is_accepted() {
    let mock = start().await;
    let shell = json!({"type": "function", "name": "shell", "description": "Runs a shell command",
                       "strict": false, "parameters": {"type": "object",
                       "properties": {"command": {"type": "array", "items": {"type": "string"}},
                                      "workdir": {"type": "string"}},
                       "required": ["command"], "additionalProperties": false}});
    let request = json!({
        "model": "gpt-5.1-codex",
        "instructions": "You are Codex, a coding agent.",
        "input": [
            {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "<permissions>"}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "<environment_context>"}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "List the files"},
                                                             {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo="}]},
            {"type": "local_shell_call", "call_id": "call_ls", "status": "completed",
             "action": {"type": "exec", "command": ["ls"], "timeout_ms": null, "working_directory": null,
                        "env": null, "user": null}},
            {"type": "function_call_output", "call_id": "call_ls", "output": "README.md"},
            {"type": "function_call", "name": "shell", "arguments": "{\"command\":[\"cat\",\"README.md\"]}",
             "call_id": "call_cat"},
            {"type": "function_call_output", "call_id": "call_cat",
             "output": [{"type": "input_text", "text": "# Title"}]},
            {"type": "web_search_call", "status": "completed", "action": {"type": "search", "query": "rust"}},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Done."}]},
            {"type": "compaction", "encrypted_content": "opaque"},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Thanks"}]}
        ],
        "tools": [shell, patch_tool(), {"type": "local_shell"}, {"type": "web_search", "external_web_access": false}],
        "tool_choice": "auto",
        "parallel_tool_calls": false,
        "reasoning": {"effort": "medium", "summary": "auto"},
        "store": false,
        "stream": true,
        "include": ["reasoning.encrypted_content"],
        "prompt_cache_key": "019b2889-d0f2-7713-8046-20bdf342d5d7",
        "text": {"verbosity": "medium"},
        "client_metadata": {"originator": "codex_cli_rs"}
    });
    validate_request(&request).unwrap_or_else(|e| panic!("{e:?}"));
    let answer = post(&mock, "/responses", &request).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[tokio::test]
async fn tool_outputs_may_answer_calls_made_in_the_same_input() {
    let mock = start().await;
    let response = respond(
        &mock,
        &body(json!({"tools": weather_tools(), "input": tool_loop("ok")})),
    )
    .await;
    assert_eq!(response["status"], "completed");
}
