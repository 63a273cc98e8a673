//! Non-streamed `POST /v1/responses`: the response object, its output items
//! and usage, tool calls, reasoning and its encrypted content,
//! `max_output_tokens`, and stored responses.

use mock_provider::MockOptions;
use serde_json::{Value, json};

use crate::responses_support::{
    body, items_of, patch_tool, rejection, respond, tool_loop, weather_tools,
};
use crate::support::{get, post, post_with, start, start_with};

#[tokio::test]
async fn a_text_answer_is_one_completed_assistant_message_with_usage() {
    let mock = start().await;
    let response = respond(&mock, &body(json!({}))).await;
    assert!(response["id"].as_str().unwrap().starts_with("resp_"));
    assert_eq!(response["object"], "response");
    assert!(response["created_at"].as_u64().unwrap() > 1_700_000_000);
    assert_eq!(response["status"], "completed");
    assert_eq!(response["model"], "gpt-4.1");
    assert_eq!(response["error"], Value::Null);
    assert_eq!(response["incomplete_details"], Value::Null);

    let output = response["output"].as_array().unwrap();
    assert_eq!(output.len(), 1);
    let message = &output[0];
    assert!(message["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(message["type"], "message");
    assert_eq!(message["status"], "completed");
    assert_eq!(message["role"], "assistant");
    assert_eq!(
        message["content"],
        json!([{"type": "output_text", "annotations": [], "logprobs": [],
                "text": "Hello! This is a mock answer from gpt-4.1."}])
    );

    // "Hi there": 4 for the item + 2 for its text; 8 words out.
    assert_eq!(
        response["usage"],
        json!({"input_tokens": 6, "input_tokens_details": {"cached_tokens": 0},
               "output_tokens": 8, "output_tokens_details": {"reasoning_tokens": 0},
               "total_tokens": 14})
    );
}

#[tokio::test]
async fn the_response_echoes_the_request_settings_with_defaults_filled_in() {
    let mock = start().await;
    let defaults = respond(&mock, &body(json!({}))).await;
    for (key, expected) in [
        ("instructions", Value::Null),
        ("tools", json!([])),
        ("tool_choice", json!("auto")),
        ("parallel_tool_calls", json!(true)),
        ("temperature", json!(1.0)),
        ("top_p", json!(1.0)),
        (
            "text",
            json!({"format": {"type": "text"}, "verbosity": "medium"}),
        ),
        ("reasoning", json!({"effort": null, "summary": null})),
        ("store", json!(true)),
        ("previous_response_id", Value::Null),
        ("max_output_tokens", Value::Null),
        ("metadata", json!({})),
        ("truncation", json!("disabled")),
    ] {
        assert_eq!(defaults[key], expected, "{key}");
    }

    let settings = json!({
        "instructions": "Be brief.", "tools": weather_tools(), "tool_choice": "none",
        "parallel_tool_calls": false, "temperature": 0.2, "top_p": 0.9,
        "text": {"verbosity": "low"}, "reasoning": {"effort": "low", "summary": "auto"},
        "store": false, "max_output_tokens": 500, "metadata": {"run": "7"},
        "prompt_cache_key": "thread-1"
    });
    let echoed = respond(&mock, &body(settings.clone())).await;
    for key in [
        "instructions",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "temperature",
        "top_p",
        "reasoning",
        "store",
        "max_output_tokens",
        "metadata",
        "prompt_cache_key",
    ] {
        assert_eq!(echoed[key], settings[key], "{key}");
    }
    assert_eq!(
        echoed["text"],
        json!({"format": {"type": "text"}, "verbosity": "low"})
    );
}

#[tokio::test]
async fn input_tokens_count_instructions_items_and_tools() {
    let mock = start().await;
    let response = respond(
        &mock,
        &body(json!({
            "instructions": "Be brief.",
            "input": [{"role": "developer", "content": "Use metric."},
                      {"role": "user", "content": [{"type": "input_text", "text": "Weather?"}]}],
            "tools": weather_tools(), "tool_choice": "none"
        })),
    )
    .await;
    // 3 (instructions) + (4 + 3) + (4 + 2) + 2 × 10 (tools).
    assert_eq!(response["usage"]["input_tokens"], 36);
}

#[tokio::test]
async fn mock_usage_pins_the_reported_numbers() {
    let mock = start().await;
    let response = respond(
        &mock,
        &body(
            json!({"mock": {"usage": {"input_tokens": 1200, "cached_tokens": 1024,
                                         "output_tokens": 50, "reasoning_tokens": 30}}}),
        ),
    )
    .await;
    assert_eq!(
        response["usage"],
        json!({"input_tokens": 1200, "input_tokens_details": {"cached_tokens": 1024},
               "output_tokens": 50, "output_tokens_details": {"reasoning_tokens": 30},
               "total_tokens": 1250})
    );
}

#[tokio::test]
async fn function_tools_and_a_user_turn_answer_with_a_function_call() {
    let mock = start().await;
    let response = respond(&mock, &body(json!({"tools": weather_tools()}))).await;
    let output = response["output"].as_array().unwrap();
    assert_eq!(output.len(), 1, "no message next to the call");
    let call = &output[0];
    assert_eq!(call["type"], "function_call");
    assert!(call["id"].as_str().unwrap().starts_with("fc_"));
    assert!(call["call_id"].as_str().unwrap().starts_with("call_"));
    assert_eq!(call["status"], "completed");
    assert_eq!(call["name"], "get_weather");
    let arguments: Value = serde_json::from_str(call["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(arguments, json!({"city": "mock", "days": 1}));
    assert_eq!(
        response["usage"]["output_tokens"], 3,
        "three argument fragments"
    );
}

#[tokio::test]
async fn tool_choice_names_the_tool_and_parallel_tools_calls_every_tool() {
    let mock = start().await;
    let named = respond(
        &mock,
        &body(json!({"tools": weather_tools(),
                     "tool_choice": {"type": "function", "name": "get_time"}})),
    )
    .await;
    assert_eq!(named["output"][0]["name"], "get_time");

    let parallel = respond(
        &mock,
        &body(json!({"tools": weather_tools(), "mock": {"parallel_tools": true}})),
    )
    .await;
    let names: Vec<&Value> = items_of(&parallel, "function_call")
        .iter()
        .map(|c| &c["name"])
        .collect();
    assert_eq!(names, [&json!("get_weather"), &json!("get_time")]);
    assert_ne!(
        parallel["output"][0]["call_id"],
        parallel["output"][1]["call_id"]
    );

    let serial = respond(
        &mock,
        &body(
            json!({"tools": weather_tools(), "parallel_tool_calls": false,
                     "mock": {"parallel_tools": true}}),
        ),
    )
    .await;
    assert_eq!(items_of(&serial, "function_call").len(), 1);
}

#[tokio::test]
async fn tool_choice_none_or_a_tool_result_last_answers_with_text() {
    let mock = start().await;
    let none = respond(
        &mock,
        &body(json!({"tools": weather_tools(), "tool_choice": "none"})),
    )
    .await;
    assert_eq!(none["output"][0]["type"], "message");

    let after_tool = respond(
        &mock,
        &body(json!({"tools": weather_tools(), "input": tool_loop("18°C and sunny")})),
    )
    .await;
    assert_eq!(
        after_tool["output"][0]["content"][0]["text"],
        "Tool result received: 18°C and sunny"
    );
}

#[tokio::test]
async fn a_required_tool_choice_calls_a_tool_even_after_a_tool_result() {
    let mock = start().await;
    let response = respond(
        &mock,
        &body(json!({"tools": weather_tools(), "tool_choice": "required",
                     "input": tool_loop("18°C")})),
    )
    .await;
    assert_eq!(response["output"][0]["type"], "function_call");
}

#[tokio::test]
async fn a_custom_tool_offered_first_is_called_with_a_string_input() {
    let mock = start().await;
    let response = respond(&mock, &body(json!({"tools": [patch_tool()]}))).await;
    let call = &response["output"][0];
    assert_eq!(call["type"], "custom_tool_call");
    assert!(call["id"].as_str().unwrap().starts_with("ctc_"));
    assert!(call["call_id"].as_str().unwrap().starts_with("call_"));
    assert_eq!(call["name"], "apply_patch");
    assert_eq!(call["input"], "mock input");
    assert_eq!(call["status"], "completed");

    let answered = json!([
        {"role": "user", "content": "Patch it"},
        {"type": "custom_tool_call", "call_id": call["call_id"], "name": "apply_patch",
         "input": "mock input"},
        {"type": "custom_tool_call_output", "call_id": call["call_id"], "output": "Done!"}
    ]);
    let response = respond(
        &mock,
        &body(json!({"tools": [patch_tool()], "input": answered})),
    )
    .await;
    assert_eq!(
        response["output"][0]["content"][0]["text"],
        "Tool result received: Done!"
    );
}

#[tokio::test]
async fn reasoning_comes_first_with_its_summary_and_reasoning_tokens() {
    let mock = start().await;
    let response = respond(
        &mock,
        &body(json!({"reasoning": {"effort": "medium", "summary": "auto"}})),
    )
    .await;
    let output = response["output"].as_array().unwrap();
    assert_eq!(output.len(), 2);
    let reasoning = &output[0];
    assert_eq!(reasoning["type"], "reasoning");
    assert!(reasoning["id"].as_str().unwrap().starts_with("rs_"));
    assert_eq!(
        reasoning["summary"],
        json!([{"type": "summary_text", "text": "**Thinking**\n\nLet me think."}])
    );
    assert!(
        reasoning.get("encrypted_content").is_none(),
        "only with include"
    );
    assert_eq!(output[1]["type"], "message");
    assert_eq!(
        response["usage"]["output_tokens_details"]["reasoning_tokens"],
        16
    );
    assert_eq!(response["usage"]["output_tokens"], 24);

    let unsummarised = respond(&mock, &body(json!({"reasoning": {"effort": "low"}}))).await;
    assert_eq!(unsummarised["output"][0]["summary"], json!([]));
    let off = respond(&mock, &body(json!({"reasoning": {"effort": "none"}}))).await;
    assert!(items_of(&off, "reasoning").is_empty());
}

#[tokio::test]
async fn encrypted_reasoning_round_trips_while_a_forged_one_is_rejected() {
    let mock = start().await;
    let codex = json!({"store": false, "include": ["reasoning.encrypted_content"],
                       "reasoning": {"effort": "medium", "summary": "auto"},
                       "tools": weather_tools()});
    let first = respond(&mock, &body(codex.clone())).await;
    let reasoning = items_of(&first, "reasoning")[0].clone();
    let encrypted = reasoning["encrypted_content"].as_str().unwrap().to_owned();
    assert!(encrypted.starts_with("gAAAAA"), "{encrypted}");
    let call = items_of(&first, "function_call")[0].clone();

    // Codex replays the reasoning without its id, then the call and its output.
    let replay = |encrypted: &str| {
        let mut next = codex.clone();
        next["input"] = json!([
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi there"}]},
            {"type": "reasoning", "summary": reasoning["summary"], "content": null,
             "encrypted_content": encrypted},
            {"type": "function_call", "call_id": call["call_id"], "name": call["name"],
             "arguments": call["arguments"]},
            {"type": "function_call_output", "call_id": call["call_id"], "output": "18°C"}
        ]);
        body(next)
    };
    let second = respond(&mock, &replay(&encrypted)).await;
    assert_eq!(
        items_of(&second, "message")[0]["content"][0]["text"],
        "Tool result received: 18°C"
    );

    let mut forged = encrypted.clone().into_bytes();
    let at = forged.len() / 2;
    forged[at] = if forged[at] == b'x' { b'y' } else { b'x' };
    let forged = String::from_utf8(forged).unwrap();
    let error = rejection(&mock, &replay(&forged), 400).await;
    assert_eq!(error["code"], "invalid_encrypted_content");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("The encrypted content gAAA...")
            && message.ends_with(" could not be verified."),
        "{message}"
    );
    let error = rejection(&mock, &replay("gAAAAABnot-from-this-mock=="), 400).await;
    assert_eq!(error["code"], "invalid_encrypted_content");
}

#[tokio::test]
async fn a_reasoning_item_by_id_needs_a_stored_response() {
    let mock = start().await;
    let stored = respond(&mock, &body(json!({"reasoning": {"effort": "low"}}))).await;
    let rs = stored["output"][0]["id"].as_str().unwrap().to_owned();
    let message = stored["output"][1].clone();
    let input = |id: &str| {
        json!([{"role": "user", "content": "Hi there"},
               {"type": "reasoning", "id": id, "summary": []},
               message.clone(),
               {"role": "user", "content": "And now?"}])
    };
    respond(&mock, &body(json!({"input": input(&rs)}))).await;

    let error = rejection(&mock, &body(json!({"input": input("rs_unknown")})), 404).await;
    assert_eq!(
        error["message"],
        "Item with id 'rs_unknown' not found. Items are not persisted when `store` is set to \
         false. Try again with `store` set to true, or remove this item from your input."
    );

    let unfollowed = json!([{"role": "user", "content": "Hi"},
                            {"type": "reasoning", "id": rs, "summary": []},
                            {"role": "user", "content": "Again"}]);
    let error = rejection(&mock, &body(json!({"input": unfollowed})), 400).await;
    assert_eq!(
        error["message"],
        format!(
            "Item '{rs}' of type 'reasoning' was provided without its required following item."
        )
    );
}

#[tokio::test]
async fn structured_output_formats_answer_with_json() {
    let mock = start().await;
    let schema = json!({"type": "object", "additionalProperties": false, "required": ["city", "temp"],
                        "properties": {"city": {"type": "string"}, "temp": {"type": "number"}}});
    let response = respond(
        &mock,
        &body(
            json!({"text": {"format": {"type": "json_schema", "name": "weather",
                                         "schema": schema, "strict": true}}}),
        ),
    )
    .await;
    let text = response["output"][0]["content"][0]["text"]
        .as_str()
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(text).unwrap(),
        json!({"city": "mock", "temp": 1})
    );

    let response = respond(
        &mock,
        &body(json!({"input": "Answer in JSON", "text": {"format": {"type": "json_object"}}})),
    )
    .await;
    let text = response["output"][0]["content"][0]["text"]
        .as_str()
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(text).unwrap(),
        json!({"message": "Hello! This is a mock answer from gpt-4.1."})
    );
}

#[tokio::test]
async fn a_small_max_output_tokens_leaves_the_response_incomplete() {
    let mock = start().await;
    let cut = respond(
        &mock,
        &body(json!({"max_output_tokens": 16, "mock": {"chunks": 40}})),
    )
    .await;
    assert_eq!(cut["status"], "incomplete");
    assert_eq!(
        cut["incomplete_details"],
        json!({"reason": "max_output_tokens"})
    );
    assert_eq!(cut["output"][0]["status"], "incomplete");
    let text = cut["output"][0]["content"][0]["text"].as_str().unwrap();
    assert_eq!(text.split(' ').count(), 16);
    assert_eq!(cut["usage"]["output_tokens"], 16);

    let thinking = respond(
        &mock,
        &body(json!({"max_output_tokens": 16, "reasoning": {"effort": "high"}})),
    )
    .await;
    assert_eq!(thinking["status"], "incomplete");
    let kinds: Vec<&Value> = thinking["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["type"])
        .collect();
    assert_eq!(
        kinds,
        [&json!("reasoning")],
        "reasoning used the whole budget"
    );

    let whole = respond(&mock, &body(json!({"max_output_tokens": 16}))).await;
    assert_eq!(whole["status"], "completed");
}

#[tokio::test]
async fn previous_response_id_continues_a_stored_response() {
    let mock = start().await;
    let first = respond(&mock, &body(json!({"tools": weather_tools()}))).await;
    let call = &first["output"][0];
    let follow_up = body(json!({
        "previous_response_id": first["id"], "tools": weather_tools(),
        "input": [{"type": "function_call_output", "call_id": call["call_id"], "output": "18°C"}]
    }));
    let second = respond(&mock, &follow_up).await;
    assert_eq!(second["previous_response_id"], first["id"]);
    assert_eq!(
        second["output"][0]["content"][0]["text"],
        "Tool result received: 18°C"
    );
    // The carried-over conversation: 6 in and 3 out, then 10 for tools and 4 + 1 for the output.
    assert_eq!(second["usage"]["input_tokens"], 6 + 3 + 20 + 5);

    let unanswered = body(json!({"previous_response_id": first["id"], "input": "Thanks"}));
    let error = rejection(&mock, &unanswered, 400).await;
    assert_eq!(
        error["message"],
        format!(
            "No tool output found for function call {}.",
            call["call_id"].as_str().unwrap()
        )
    );
}

#[tokio::test]
async fn an_unknown_or_unstored_previous_response_id_is_not_found() {
    let mock = start().await;
    let error = rejection(
        &mock,
        &body(json!({"previous_response_id": "resp_unknown"})),
        400,
    )
    .await;
    assert_eq!(
        error,
        json!({"message": "Previous response with id 'resp_unknown' not found.",
               "type": "invalid_request_error", "param": "previous_response_id",
               "code": "previous_response_not_found"})
    );

    let unstored = respond(&mock, &body(json!({"store": false}))).await;
    let error = rejection(
        &mock,
        &body(json!({"previous_response_id": unstored["id"]})),
        400,
    )
    .await;
    assert_eq!(error["code"], "previous_response_not_found");
}

#[tokio::test]
async fn stored_responses_can_be_retrieved_and_deleted() {
    let mock = start().await;
    let created = respond(&mock, &body(json!({}))).await;
    let id = created["id"].as_str().unwrap();
    let retrieved = get(&mock, &format!("/responses/{id}")).await;
    assert_eq!(retrieved.status, 200);
    assert_eq!(retrieved.json(), created);

    let deleted = crate::support::client()
        .delete(format!("{}/responses/{id}", mock.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    assert_eq!(
        serde_json::from_str::<Value>(&deleted.text().await.unwrap()).unwrap(),
        json!({"id": id, "object": "response", "deleted": true})
    );
    let gone = get(&mock, &format!("/responses/{id}")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.json()["error"]["message"],
        format!("Response with id '{id}' not found.")
    );
    let error = rejection(&mock, &body(json!({"previous_response_id": id})), 400).await;
    assert_eq!(error["code"], "previous_response_not_found");
}

#[tokio::test]
async fn the_responses_endpoint_requires_the_bearer_key() {
    let mock = start_with(MockOptions {
        api_key: Some("sk-test-secret-1234".into()),
        ..MockOptions::default()
    })
    .await;
    let missing = post(&mock, "/responses", &body(json!({}))).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json()["error"]["code"], "invalid_api_key");
    let answered = post_with(
        &mock,
        "/responses",
        &body(json!({})),
        Some("sk-test-secret-1234"),
    )
    .await;
    assert_eq!(answered.status, 200);
    assert!(answered.headers.contains_key("x-request-id"));
    let retrieve = get(&mock, "/responses/resp_x").await;
    assert_eq!(retrieve.status, 401);
}
