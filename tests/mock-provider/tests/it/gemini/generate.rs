//! Non-streamed `generateContent` answers: shape, usage, thinking, JSON mode,
//! truncation and `mock` knobs.

use serde_json::{Value, json};

use super::support::{ask, call, generate, user, without_response_id};
use crate::support::start;

#[tokio::test]
async fn a_text_answer_is_one_model_candidate_with_usage_model_version_and_response_id() {
    let mock = start().await;
    let answer = call(
        &mock,
        "gemini-2.0-flash",
        "generateContent",
        "",
        &ask("Hi there"),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.headers["content-type"],
        "application/json; charset=UTF-8"
    );
    assert!(
        answer.text.contains("\n  \"candidates\""),
        "pretty-printed like Google: {}",
        answer.text
    );
    let json = answer.json();
    let id = json["responseId"].as_str().unwrap();
    assert!(
        id.len() >= 20 && id.chars().all(|c| c.is_ascii_alphanumeric()),
        "{id}"
    );
    assert_eq!(
        without_response_id(json),
        json!({
            "candidates": [{
                "content": {"parts": [{"text": "Hello! This is a mock answer from gemini-2.0-flash."}], "role": "model"},
                "finishReason": "STOP",
                "index": 0
            }],
            "usageMetadata": {
                "promptTokenCount": 6,
                "candidatesTokenCount": 8,
                "totalTokenCount": 14,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 6}]
            },
            "modelVersion": "gemini-2.0-flash"
        })
    );
}

#[tokio::test]
async fn thinking_models_count_thoughts_outside_candidates_but_inside_the_total() {
    let mock = start().await;
    let usage =
        generate(&mock, "gemini-2.5-flash", &ask("Hi there")).await["usageMetadata"].clone();
    assert_eq!(usage["promptTokenCount"], 6);
    assert_eq!(
        usage["candidatesTokenCount"], 8,
        "thoughts are not candidates"
    );
    assert_eq!(usage["thoughtsTokenCount"], 16);
    assert_eq!(usage["totalTokenCount"], 6 + 8 + 16);
}

#[tokio::test]
async fn include_thoughts_puts_a_thought_part_before_the_answer() {
    let mock = start().await;
    let mut request = ask("Hi");
    request["generationConfig"] = json!({"thinkingConfig": {"includeThoughts": true}});
    let answer = generate(&mock, "gemini-2.5-pro", &request).await;
    assert_eq!(
        answer["candidates"][0]["content"]["parts"],
        json!([{"text": "Let me think…", "thought": true},
               {"text": "Hello! This is a mock answer from gemini-2.5-pro."}])
    );
    assert_eq!(answer["usageMetadata"]["thoughtsTokenCount"], 16);
}

#[tokio::test]
async fn a_zero_thinking_budget_turns_thinking_off_and_a_budget_turns_it_on() {
    let mock = start().await;
    let mut request = ask("Hi");
    request["generationConfig"] =
        json!({"thinkingConfig": {"thinkingBudget": 0, "includeThoughts": true}});
    let answer = generate(&mock, "gemini-2.5-flash", &request).await;
    assert!(answer["usageMetadata"].get("thoughtsTokenCount").is_none());
    assert_eq!(
        answer["candidates"][0]["content"]["parts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    request["generationConfig"] = json!({"thinkingConfig": {"thinkingBudget": 1024}});
    let answer = generate(&mock, "some-model", &request).await;
    assert_eq!(answer["usageMetadata"]["thoughtsTokenCount"], 16);
}

#[tokio::test]
async fn json_mime_type_answers_a_json_object() {
    let mock = start().await;
    let mut request = ask("Hi");
    request["generationConfig"] = json!({"responseMimeType": "application/json",
        "responseSchema": {"type": "OBJECT", "properties": {"answer": {"type": "STRING"}}}});
    let answer = generate(&mock, "gemini-2.0-flash", &request).await;
    let text = answer["candidates"][0]["content"]["parts"][0]["text"]
        .as_str()
        .unwrap();
    let parsed: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        parsed,
        json!({"answer": "Hello! This is a mock answer from gemini-2.0-flash."})
    );
}

#[tokio::test]
async fn a_tiny_max_output_tokens_cuts_the_text_with_max_tokens() {
    let mock = start().await;
    let mut request = ask("Hi");
    request["generationConfig"] = json!({"maxOutputTokens": 3});
    let answer = generate(&mock, "gemini-2.0-flash", &request).await;
    let candidate = &answer["candidates"][0];
    assert_eq!(candidate["finishReason"], "MAX_TOKENS");
    assert_eq!(candidate["content"]["parts"][0]["text"], "Hello! This is");
    assert_eq!(answer["usageMetadata"]["candidatesTokenCount"], 3);
}

#[tokio::test]
async fn thinking_that_spends_max_output_tokens_leaves_a_candidate_without_parts() {
    let mock = start().await;
    let mut request = ask("Hi");
    request["generationConfig"] = json!({"maxOutputTokens": 10});
    let answer = generate(&mock, "gemini-2.5-flash", &request).await;
    assert_eq!(
        answer["candidates"][0],
        json!({"content": {"role": "model"}, "finishReason": "MAX_TOKENS", "index": 0})
    );
    assert_eq!(answer["usageMetadata"]["thoughtsTokenCount"], 10);
    assert!(
        answer["usageMetadata"]
            .get("candidatesTokenCount")
            .is_none()
    );
}

#[tokio::test]
async fn mock_usage_pins_every_count_and_the_total_follows() {
    let mock = start().await;
    let mut request = ask("Hi");
    request["mock"] = json!({"usage": {"promptTokenCount": 100, "candidatesTokenCount": 7,
                                       "thoughtsTokenCount": 5, "cachedContentTokenCount": 40}});
    let usage = generate(&mock, "gemini-2.5-flash", &request).await["usageMetadata"].clone();
    assert_eq!(
        usage,
        json!({"promptTokenCount": 100, "candidatesTokenCount": 7, "cachedContentTokenCount": 40,
               "totalTokenCount": 112,
               "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 100}],
               "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 40}],
               "thoughtsTokenCount": 5})
    );
}

#[tokio::test]
async fn function_responses_are_acknowledged_with_their_json() {
    let mock = start().await;
    let request = json!({"contents": [
        user("Weather in Paris?"),
        {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"temp": 21}}}]}
    ]});
    let answer = generate(&mock, "gemini-2.5-flash", &request).await;
    assert_eq!(
        answer["candidates"][0]["content"]["parts"][0]["text"],
        "Tool result received: {\"temp\":21}"
    );
}

#[tokio::test]
async fn gemini_3_signs_the_last_part_of_a_text_answer() {
    let mock = start().await;
    let answer = generate(&mock, "gemini-3-pro-preview", &ask("Hi")).await;
    let part = &answer["candidates"][0]["content"]["parts"][0];
    assert_eq!(
        part["text"],
        "Hello! This is a mock answer from gemini-3-pro-preview."
    );
    assert!(
        part["thoughtSignature"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    let answer = generate(&mock, "gemini-2.5-flash", &ask("Hi")).await;
    assert!(
        answer["candidates"][0]["content"]["parts"][0]
            .get("thoughtSignature")
            .is_none()
    );
}

#[tokio::test]
async fn snake_case_fields_and_the_mock_field_are_accepted() {
    let mock = start().await;
    let request = json!({
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
        "system_instruction": {"parts": [{"text": "Be brief"}]},
        "generation_config": {"max_output_tokens": 2, "thinking_config": {"thinking_budget": 0}},
        "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        "mock": {"chunks": 5}
    });
    let answer = generate(&mock, "gemini-2.5-flash", &request).await;
    assert_eq!(
        answer["candidates"][0]["content"]["parts"][0]["text"],
        "tok0 tok1"
    );
    assert_eq!(answer["candidates"][0]["finishReason"], "MAX_TOKENS");
}
