//! Strict validation: every rule the real Messages API enforces (and that
//! translators break) is rejected with a 400 `invalid_request_error` and an
//! Anthropic-style `path: reason` message, and its valid form is accepted.

use serde_json::{Value, json};

use crate::anthropic_support::{body, message, post_with, rejection, tool_loop, weather_tools};
use crate::support::start;

/// Asserts each `(request, expected message part)` is rejected, and each `valid` one accepted.
async fn rejects_and_accepts(cases: &[(Value, &str)], valid: &[Value]) {
    let mock = start().await;
    for (request, expected) in cases {
        let message = rejection(&mock, request).await;
        assert!(
            message.contains(expected),
            "{request}\n  got: {message}\n  expected: {expected}"
        );
    }
    for request in valid {
        message(&mock, request).await;
    }
}

fn user(content: Value) -> Value {
    json!({"role": "user", "content": content})
}

fn assistant(content: Value) -> Value {
    json!({"role": "assistant", "content": content})
}

fn tool_use(id: &str) -> Value {
    json!({"type": "tool_use", "id": id, "name": "get_weather", "input": {"city": "Paris"}})
}

fn tool_result(id: &str) -> Value {
    json!({"type": "tool_result", "tool_use_id": id, "content": "sunny"})
}

#[tokio::test]
async fn max_tokens_is_required_and_a_non_negative_integer() {
    rejects_and_accepts(
        &[
            (
                body(json!({"max_tokens": null})),
                "max_tokens: Field required",
            ),
            (
                body(json!({"max_tokens": "100"})),
                "max_tokens: Input should be a valid integer",
            ),
            (
                body(json!({"max_tokens": 1.5})),
                "max_tokens: Input should be a valid integer",
            ),
            (
                body(json!({"max_tokens": -1})),
                "max_tokens: Input should be greater than or equal to 0",
            ),
        ],
        &[body(json!({"max_tokens": 1}))],
    )
    .await;
}

#[tokio::test]
async fn model_is_required() {
    rejects_and_accepts(
        &[(body(json!({"model": null})), "model: Field required")],
        &[],
    )
    .await;
}

#[tokio::test]
async fn messages_must_be_a_non_empty_list_opening_with_the_user() {
    rejects_and_accepts(
        &[
            (body(json!({"messages": null})), "messages: Field required"),
            (
                body(json!({"messages": []})),
                "messages: at least one message is required",
            ),
            (
                body(json!({"messages": [assistant(json!("Hi")), user(json!("Hello"))]})),
                "messages: first message must use the \"user\" role",
            ),
        ],
        &[body(
            json!({"messages": [user(json!("a")), assistant(json!("b")), user(json!("c"))]}),
        )],
    )
    .await;
}

#[tokio::test]
async fn roles_must_alternate() {
    rejects_and_accepts(
        &[
            (
                body(json!({"messages": [user(json!("a")), user(json!("b"))]})),
                "roles must alternate between \"user\" and \"assistant\", but found multiple \"user\" roles in a row",
            ),
            (
                body(json!({"messages": [user(json!("a")), assistant(json!("b")), assistant(json!("c"))]})),
                "found multiple \"assistant\" roles in a row",
            ),
        ],
        &[body(json!({"messages": [user(json!([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]))]}))],
    )
    .await;
}

#[tokio::test]
async fn system_messages_inside_messages_are_rejected() {
    rejects_and_accepts(
        &[(
            body(json!({"messages": [{"role": "system", "content": "Be terse."}, user(json!("hi"))]})),
            "messages.0.role: Input should be 'user' or 'assistant'",
        )],
        &[
            body(json!({"system": "Be terse."})),
            body(json!({"system": [{"type": "text", "text": "Be terse.", "cache_control": {"type": "ephemeral"}}]})),
        ],
    )
    .await;
}

#[tokio::test]
async fn empty_content_is_rejected_except_a_final_assistant_prefill() {
    let empty =
        "all messages must have non-empty content except for the optional final assistant message";
    rejects_and_accepts(
        &[
            (body(json!({"messages": [user(json!(""))]})), empty),
            (body(json!({"messages": [user(json!([]))]})), empty),
            (
                body(
                    json!({"messages": [user(json!("a")), assistant(json!("")), user(json!("b"))]}),
                ),
                "messages.1: all messages must have non-empty content",
            ),
            (
                body(json!({"messages": [user(json!([{"type": "text", "text": ""}]))]})),
                "messages.0.content.0: text content blocks must be non-empty",
            ),
            (
                body(json!({"messages": [user(json!([{"type": "text", "text": "  \n"}]))]})),
                "text content blocks must contain non-whitespace text",
            ),
            (
                body(json!({"messages": [user(json!("a")), assistant(json!("Sure, "))]})),
                "final assistant content cannot end with trailing whitespace",
            ),
        ],
        &[body(
            json!({"messages": [user(json!("a")), assistant(json!("Sure,"))]}),
        )],
    )
    .await;
}

#[tokio::test]
async fn every_tool_use_needs_exactly_one_tool_result_in_the_next_user_message() {
    let missing =
        "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_B";
    rejects_and_accepts(
        &[
            (
                body(json!({"messages": [user(json!("hi")), assistant(json!([tool_use("toolu_A")])), user(json!("go on"))]})),
                "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_A",
            ),
            (
                body(json!({"messages": [user(json!("hi")),
                    assistant(json!([tool_use("toolu_A"), tool_use("toolu_B")])),
                    user(json!([tool_result("toolu_A")]))]})),
                missing,
            ),
            (
                body(json!({"messages": [user(json!("hi")), assistant(json!([tool_use("toolu_A")]))]})),
                "toolu_A",
            ),
            (
                body(json!({"messages": [user(json!("hi")), assistant(json!([tool_use("toolu_A")])),
                    user(json!([tool_result("toolu_A"), tool_result("toolu_A")]))]})),
                "Found multiple `tool_result` blocks with id: toolu_A",
            ),
        ],
        &[
            body(json!({"messages": tool_loop(json!("sunny"))})),
            body(json!({"messages": [user(json!("hi")),
                assistant(json!([{"type": "text", "text": "Checking."}, tool_use("toolu_A"), tool_use("toolu_B")])),
                user(json!([tool_result("toolu_B"), tool_result("toolu_A"), {"type": "text", "text": "thanks"}]))]})),
        ],
    )
    .await;
}

#[tokio::test]
async fn tool_results_must_answer_a_tool_use_of_the_previous_message() {
    rejects_and_accepts(
        &[
            (
                body(json!({"messages": [user(json!([tool_result("toolu_X")]))]})),
                "messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_X",
            ),
            (
                body(json!({"messages": [user(json!("hi")), assistant(json!([tool_use("toolu_A")])),
                    user(json!([tool_result("toolu_A"), tool_result("call_1")]))]})),
                "unexpected `tool_use_id` found in `tool_result` blocks: call_1",
            ),
            (
                body(json!({"messages": [user(json!("hi")), assistant(json!([tool_use("toolu_A")])),
                    user(json!([tool_result("toolu_A")])), assistant(json!([tool_use("toolu_A")])),
                    user(json!([tool_result("toolu_A")]))]})),
                "messages.3.content.0: `tool_use` ids must be unique",
            ),
        ],
        &[],
    )
    .await;
}

#[tokio::test]
async fn tool_results_come_first_in_their_user_message() {
    rejects_and_accepts(
        &[(
            body(
                json!({"messages": [user(json!("hi")), assistant(json!([tool_use("toolu_A")])),
                user(json!([{"type": "text", "text": "Here:"}, tool_result("toolu_A")]))]}),
            ),
            "messages.2.content.1: `tool_result` blocks must come first",
        )],
        &[],
    )
    .await;
}

#[tokio::test]
async fn blocks_only_appear_in_the_role_that_may_send_them() {
    rejects_and_accepts(
        &[
            (
                body(json!({"messages": [user(json!([tool_use("toolu_A")]))]})),
                "messages.0.content.0.type: `tool_use` blocks are only allowed in `assistant` messages",
            ),
            (
                body(json!({"messages": [user(json!("hi")), assistant(json!([tool_result("toolu_A")]))]})),
                "`tool_result` blocks are only allowed in `user` messages",
            ),
        ],
        &[],
    )
    .await;
}

#[tokio::test]
async fn openai_shaped_requests_are_rejected() {
    rejects_and_accepts(
        &[
            (
                body(json!({"messages": [user(json!([{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]))]})),
                "messages.0.content.0: Input tag 'image_url' found using 'type' does not match any of the expected tags",
            ),
            (
                body(json!({"messages": [user(json!("hi")),
                    {"role": "assistant", "content": "", "tool_calls": []}]})),
                "messages.1.tool_calls: Extra inputs are not permitted",
            ),
            (
                body(json!({"messages": [user(json!("hi")), assistant(json!([
                    {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": "{\"city\":\"Paris\"}"}]))]})),
                "messages.1.content.0.tool_use.input: Input should be a valid dictionary",
            ),
            (
                body(json!({"tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]})),
                "tools.0: Input tag 'function' found using 'type' does not match",
            ),
            (
                body(json!({"tool_choice": "auto", "tools": weather_tools()})),
                "tool_choice: Input should be a valid dictionary",
            ),
            (
                body(json!({"messages": [user(json!([{"type": "text", "text": "hi", "name": "bob"}]))]})),
                "messages.0.content.0.text.name: Extra inputs are not permitted",
            ),
        ],
        &[],
    )
    .await;
}

#[tokio::test]
async fn unknown_top_level_fields_are_rejected_but_the_mock_field_is_not() {
    rejects_and_accepts(
        &[
            (body(json!({"n": 1})), "n: Extra inputs are not permitted"),
            (
                body(json!({"stream_options": {"include_usage": true}})),
                "stream_options: Extra inputs are not permitted",
            ),
            (
                body(json!({"max_completion_tokens": 5})),
                "max_completion_tokens: Extra inputs are not permitted",
            ),
            (
                body(json!({"metadata": {"session": "x"}})),
                "metadata.session: Extra inputs are not permitted",
            ),
        ],
        &[body(
            json!({"mock": {"chunks": 2}, "metadata": {"user_id": "u-1"}, "service_tier": "auto",
                      "output_config": {"effort": "high"}}),
        )],
    )
    .await;
}

#[tokio::test]
async fn thinking_budget_must_be_at_least_1024_and_below_max_tokens() {
    rejects_and_accepts(
        &[
            (
                body(json!({"thinking": {"type": "enabled", "budget_tokens": 1000}})),
                "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
            ),
            (
                body(json!({"max_tokens": 2048, "thinking": {"type": "enabled", "budget_tokens": 2048}})),
                "`max_tokens` must be greater than `thinking.budget_tokens`",
            ),
            (body(json!({"thinking": {"type": "enabled"}})), "thinking.enabled.budget_tokens: Field required"),
            (body(json!({"thinking": {"type": "on"}})), "thinking: Input tag 'on'"),
        ],
        &[
            body(json!({"max_tokens": 2048, "thinking": {"type": "enabled", "budget_tokens": 1024}})),
            body(json!({"thinking": {"type": "adaptive"}})),
            body(json!({"thinking": {"type": "disabled"}, "temperature": 0.2})),
        ],
    )
    .await;
}

#[tokio::test]
async fn thinking_forbids_custom_temperature_top_k_and_forced_tools() {
    let thinking = json!({"type": "enabled", "budget_tokens": 1024});
    rejects_and_accepts(
        &[
            (
                body(json!({"max_tokens": 4096, "thinking": thinking, "temperature": 0.7})),
                "`temperature` may only be set to 1 when thinking is enabled",
            ),
            (
                body(json!({"max_tokens": 4096, "thinking": thinking, "top_k": 40})),
                "`top_k` must be unset when thinking is enabled",
            ),
            (
                body(json!({"max_tokens": 4096, "thinking": thinking, "top_p": 0.5})),
                "`top_p` must be greater than or equal to 0.95",
            ),
            (
                body(
                    json!({"max_tokens": 4096, "thinking": thinking, "tools": weather_tools(),
                            "tool_choice": {"type": "any"}}),
                ),
                "Thinking may not be enabled when tool_choice forces tool use.",
            ),
        ],
        &[body(
            json!({"max_tokens": 4096, "thinking": thinking, "temperature": 1, "top_p": 0.95}),
        )],
    )
    .await;
}

#[tokio::test]
async fn thinking_requires_the_tool_loops_assistant_turn_to_start_with_its_thinking() {
    let thinking = json!({"type": "enabled", "budget_tokens": 1024});
    let signed = json!({"type": "thinking", "thinking": "Let me check.", "signature": "EqQBsig"});
    rejects_and_accepts(
        &[
            (
                body(json!({"max_tokens": 4096, "thinking": thinking, "messages": tool_loop(json!("sunny"))})),
                "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`",
            ),
            (
                body(json!({"max_tokens": 4096, "thinking": thinking, "messages": [user(json!("hi")),
                    assistant(json!([{"type": "thinking", "thinking": "Let me check."}, tool_use("toolu_A")])),
                    user(json!([tool_result("toolu_A")]))]})),
                "messages.1.content.0.thinking.signature: Field required",
            ),
        ],
        &[body(json!({"max_tokens": 4096, "thinking": thinking, "messages": [user(json!("hi")),
            assistant(json!([signed, tool_use("toolu_A")])), user(json!([tool_result("toolu_A")]))]}))],
    )
    .await;
}

#[tokio::test]
async fn sampling_parameters_must_be_in_range() {
    rejects_and_accepts(
        &[
            (
                body(json!({"temperature": 2})),
                "temperature: Input should be less than or equal to 1",
            ),
            (
                body(json!({"top_p": -0.1})),
                "top_p: Input should be greater than or equal to 0",
            ),
            (
                body(json!({"top_k": 1.5})),
                "top_k: Input should be a valid integer",
            ),
        ],
        &[body(json!({"temperature": 0, "top_p": 0.9, "top_k": 5}))],
    )
    .await;
}

#[tokio::test]
async fn tool_names_must_match_the_api_pattern_and_be_unique() {
    let pattern = "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'";
    let tool = |name: &str| json!([{"name": name, "input_schema": {"type": "object"}}]);
    rejects_and_accepts(
        &[
            (body(json!({"tools": tool("get.weather")})), pattern),
            (body(json!({"tools": tool("")})), pattern),
            (body(json!({"tools": tool(&"a".repeat(129))})), pattern),
            (
                body(json!({"tools": [{"name": "a", "input_schema": {"type": "object"}},
                                      {"name": "a", "input_schema": {"type": "object"}}]})),
                "tools: Tool names must be unique.",
            ),
            (body(json!({"tools": [{"name": "a"}]})), "tools.0.custom.input_schema: Field required"),
            (
                body(json!({"tools": [{"name": "a", "input_schema": {"type": "array"}}]})),
                "tools.0.custom.input_schema.type: Input should be 'object'",
            ),
        ],
        &[
            body(json!({"tools": tool(&"a".repeat(128))})),
            body(json!({"tools": [{"type": "web_search_20250305", "name": "web_search", "max_uses": 3},
                                  {"type": "custom", "name": "mcp__fs__read-file", "input_schema": {"type": "object"},
                                   "cache_control": {"type": "ephemeral"}}]})),
        ],
    )
    .await;
}

#[tokio::test]
async fn tool_choice_tool_must_name_a_defined_tool() {
    rejects_and_accepts(
        &[
            (
                body(json!({"tools": weather_tools(), "tool_choice": {"type": "tool", "name": "get_news"}})),
                "tool_choice.tool.name: Tool 'get_news' not found in tools",
            ),
            (
                body(json!({"tool_choice": {"type": "any"}})),
                "tool_choice: `any` may only be specified while providing tools",
            ),
        ],
        &[body(json!({"tools": weather_tools(), "tool_choice": {"type": "tool", "name": "get_time"}}))],
    )
    .await;
}

#[tokio::test]
async fn image_sources_must_be_base64_with_a_known_media_type_or_an_http_url() {
    let image = |source: Value| {
        body(
            json!({"messages": [user(json!([{"type": "image", "source": source},
                                                                      {"type": "text", "text": "What is this?"}]))]}),
        )
    };
    rejects_and_accepts(
        &[
            (
                image(json!({"type": "base64", "media_type": "image/bmp", "data": "iVBORw0KGgo="})),
                "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
            ),
            (
                image(json!({"type": "base64", "media_type": "image/png", "data": "data:image/png;base64,iVBORw0KGgo="})),
                "messages.0.content.0.image.source.base64.data: The image data is not valid base64",
            ),
            (
                image(json!({"type": "url", "url": "data:image/png;base64,iVBORw0KGgo="})),
                "messages.0.content.0.image.source.url.url: Only http and https URLs are supported",
            ),
            (
                image(json!({"type": "image_url", "url": "https://example.com/cat.png"})),
                "messages.0.content.0.image.source: Input tag 'image_url'",
            ),
        ],
        &[
            image(json!({"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="})),
            image(json!({"type": "url", "url": "https://example.com/cat.png"})),
        ],
    )
    .await;
}

#[tokio::test]
async fn api_version_2026_10_21_rejects_sampling_parameters_even_at_defaults() {
    let mock = start().await;
    let new = [("anthropic-version", "2026-10-21")];
    for field in ["temperature", "top_p", "top_k"] {
        let answer = post_with(&mock, "/v1/messages", &body(json!({field: 1})), &new).await;
        assert_eq!(answer.status, 400, "{field}");
        let message = answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            message.contains("not supported in API version 2026-10-21"),
            "{message}"
        );
    }
    let old = [("anthropic-version", "2023-06-01")];
    let answer = post_with(
        &mock,
        "/v1/messages",
        &body(json!({"temperature": 1})),
        &old,
    )
    .await;
    assert_eq!(answer.status, 200, "2023-06-01 still accepts temperature");
    let answer = post_with(&mock, "/v1/messages", &body(json!({})), &new).await;
    assert_eq!(
        answer.status, 200,
        "2026-10-21 without sampling parameters is fine"
    );
}

#[tokio::test]
async fn api_version_2026_10_21_rejects_assistant_documents_and_user_citations() {
    let mock = start().await;
    let new = [("anthropic-version", "2026-10-21")];
    let document = json!({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}});
    let cited = json!({"type": "text", "text": "As cited.", "citations": [{"type": "char_location", "cited_text": "x",
        "document_index": 0, "start_char_index": 0, "end_char_index": 1}]});
    for request in [
        body(
            json!({"messages": [user(json!("hi")), assistant(json!([document])), user(json!("and?"))]}),
        ),
        body(json!({"messages": [user(json!([cited]))]})),
    ] {
        let answer = post_with(&mock, "/v1/messages", &request, &new).await;
        assert_eq!(answer.status, 400, "{request}");
        let old = post_with(
            &mock,
            "/v1/messages",
            &request,
            &[("anthropic-version", "2023-06-01")],
        )
        .await;
        assert_eq!(
            old.status, 200,
            "2023-06-01 accepts {request}: {}",
            old.text
        );
    }
}

#[tokio::test]
async fn cache_control_breakpoints_are_limited_to_four() {
    let block = json!({"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}});
    rejects_and_accepts(
        &[(
            body(json!({"system": [block, block, block, block, block]})),
            "A maximum of 4 blocks with cache_control may be provided. Found 5.",
        )],
        &[body(json!({"system": [block, block, block, block]}))],
    )
    .await;
}
