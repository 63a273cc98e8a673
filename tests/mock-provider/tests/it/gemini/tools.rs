//! Function calling, and Gemini 3's thought signatures on the round trip.

use serde_json::{Value, json};

use super::support::{generate, rejection, user, weather_tool};
use crate::support::start;

fn asking_with_tools(tools: Value) -> Value {
    json!({"contents": [user("Weather in Paris?")], "tools": tools})
}

/// The model turn of an answer, as a client appends it to the history.
fn model_turn(answer: &Value) -> Value {
    answer["candidates"][0]["content"].clone()
}

fn tool_results(names: &[&str]) -> Value {
    let parts: Vec<Value> = names
        .iter()
        .map(|name| json!({"functionResponse": {"name": name, "response": {"temp": 21}}}))
        .collect();
    json!({"role": "user", "parts": parts})
}

#[tokio::test]
async fn offered_functions_are_called_with_arguments_by_type_and_finish_with_stop() {
    let mock = start().await;
    let answer = generate(
        &mock,
        "gemini-2.5-flash",
        &asking_with_tools(json!([weather_tool()])),
    )
    .await;
    let candidate = &answer["candidates"][0];
    assert_eq!(
        candidate["finishReason"], "STOP",
        "Gemini has no tool_calls finish reason"
    );
    assert_eq!(
        candidate["content"]["parts"],
        json!([{"functionCall": {"name": "get_weather", "args": {"city": "mock", "days": 1}}}]),
        "gemini-2.5 sends no signature"
    );
    assert!(
        answer["usageMetadata"]["candidatesTokenCount"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn allowed_function_names_choose_the_calls_and_mode_none_answers_text() {
    let mock = start().await;
    let tools = json!([{"functionDeclarations": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}]);
    let mut request = asking_with_tools(tools);
    request["toolConfig"] =
        json!({"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["c", "b"]}});
    let answer = generate(&mock, "gemini-2.5-flash", &request).await;
    let names: Vec<&str> = answer["candidates"][0]["content"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["functionCall"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["c", "b"]);

    request["toolConfig"] = json!({"functionCallingConfig": {"mode": "NONE"}});
    let answer = generate(&mock, "gemini-2.5-flash", &request).await;
    assert!(answer["candidates"][0]["content"]["parts"][0]["text"].is_string());
}

#[tokio::test]
async fn a_gemini_3_round_trip_with_the_signature_kept_is_accepted() {
    let mock = start().await;
    let mut request = asking_with_tools(json!([weather_tool()]));
    let answer = generate(&mock, "gemini-3-pro-preview", &request).await;
    let turn = model_turn(&answer);
    assert!(turn["parts"][0]["thoughtSignature"].is_string());

    request["contents"] = json!([
        user("Weather in Paris?"),
        turn,
        tool_results(&["get_weather"])
    ]);
    let answer = generate(&mock, "gemini-3-pro-preview", &request).await;
    assert_eq!(
        answer["candidates"][0]["content"]["parts"][0]["text"],
        "Tool result received: {\"temp\":21}"
    );
}

#[tokio::test]
async fn gemini_3_rejects_a_function_call_replayed_without_its_thought_signature() {
    let mock = start().await;
    let mut request = asking_with_tools(json!([weather_tool()]));
    let answer = generate(&mock, "gemini-3-pro-preview", &request).await;
    let mut turn = model_turn(&answer);
    turn["parts"][0]
        .as_object_mut()
        .unwrap()
        .remove("thoughtSignature");
    request["contents"] = json!([
        user("Weather in Paris?"),
        turn,
        tool_results(&["get_weather"])
    ]);
    assert_eq!(
        rejection(&mock, "gemini-3-pro-preview", &request).await,
        "Function call is missing a thought_signature in functionCall parts. This is required for \
         tools to work correctly, and missing thought_signature may lead to degraded model \
         performance. Additional data, function call `default_api:get_weather` , position 2. \
         Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
    );
    // The same history is fine for a model that does not require signatures.
    generate(&mock, "gemini-2.5-flash", &request).await;
}

#[tokio::test]
async fn only_the_first_call_of_each_step_in_the_current_turn_needs_its_signature() {
    let mock = start().await;
    let tools = json!([{"functionDeclarations": [{"name": "a"}, {"name": "b"}]}]);
    let mut request = asking_with_tools(tools.clone());
    request["mock"] = json!({"parallel_tools": true});
    let first = model_turn(&generate(&mock, "gemini-3-pro-preview", &request).await);
    assert!(first["parts"][1].get("thoughtSignature").is_none());
    let unsigned_old_step =
        json!({"role": "model", "parts": [{"functionCall": {"name": "a", "args": {}}}]});
    request["contents"] = json!([
        user("earlier question"), unsigned_old_step, tool_results(&["a"]),
        {"role": "model", "parts": [{"text": "earlier answer"}]},
        user("Weather in Paris?"), first, tool_results(&["a", "b"])
    ]);
    generate(&mock, "gemini-3-pro-preview", &request).await;
}

#[tokio::test]
async fn a_signature_changed_made_up_or_taken_from_another_step_is_corrupted() {
    let mock = start().await;
    let tools = json!([{"functionDeclarations": [{"name": "a"}, {"name": "b"}]}]);
    let mut request = asking_with_tools(tools);
    request["mock"] = json!({"parallel_tools": true});
    let turn = model_turn(&generate(&mock, "gemini-3-pro-preview", &request).await);
    let signature = turn["parts"][0]["thoughtSignature"]
        .as_str()
        .unwrap()
        .to_owned();
    let weather = asking_with_tools(json!([weather_tool()]));
    let other_step = model_turn(&generate(&mock, "gemini-3-pro-preview", &weather).await)["parts"]
        [0]["thoughtSignature"]
        .clone();

    let with_signature = |value: Value| {
        let mut history = turn.clone();
        history["parts"][0]["thoughtSignature"] = value;
        history
    };
    let changed = with_signature(json!(format!("{}AAAA", &signature[..signature.len() - 4])));
    let made_up = with_signature(json!("c2tpcA=="));
    let from_another_step = with_signature(other_step);
    for history in [changed, made_up, from_another_step] {
        request["contents"] = json!([
            user("Weather in Paris?"),
            history,
            tool_results(&["a", "b"])
        ]);
        assert_eq!(
            rejection(&mock, "gemini-3-pro-preview", &request).await,
            "Corrupted thought signature."
        );
    }
    let mut copied_to_sibling = turn.clone();
    copied_to_sibling["parts"][1]["thoughtSignature"] = json!(signature);
    let dummy = with_signature(json!("skip_thought_signature_validator"));
    for history in [copied_to_sibling, dummy] {
        request["contents"] = json!([
            user("Weather in Paris?"),
            history,
            tool_results(&["a", "b"])
        ]);
        generate(&mock, "gemini-3-pro-preview", &request).await;
    }
}
