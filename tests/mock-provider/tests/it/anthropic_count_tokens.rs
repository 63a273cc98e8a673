//! `POST /v1/messages/count_tokens`: the same validation as messages (minus
//! generation fields) and a total consistent with the messages usage.

use serde_json::json;

use crate::anthropic_support::{body, message, post, tool_loop, weather_tools};
use crate::support::start;

#[tokio::test]
async fn count_tokens_answers_the_total_the_message_usage_adds_up_to() {
    let mock = start().await;
    let cases = [
        json!({"system": "You are terse.", "messages": [{"role": "user", "content": "Hi there"}]}),
        json!({"tools": weather_tools(), "messages": tool_loop(json!("sunny, 21C"))}),
        json!({"system": [{"type": "text", "text": "Shared prefix.", "cache_control": {"type": "ephemeral"}}],
               "messages": [{"role": "user", "content": "Hi there"}]}),
    ];
    for case in cases {
        let mut counted_body = case.clone();
        counted_body["model"] = json!("claude-sonnet-4-6");
        let answer = post(&mock, "/v1/messages/count_tokens", &counted_body).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let counted = answer.json();
        assert_eq!(counted.as_object().unwrap().len(), 1, "{counted}");
        let mut request = body(json!({}));
        for (key, value) in case.as_object().unwrap() {
            request[key] = value.clone();
        }
        let usage = &message(&mock, &request).await["usage"];
        let total = usage["input_tokens"].as_u64().unwrap()
            + usage["cache_creation_input_tokens"].as_u64().unwrap()
            + usage["cache_read_input_tokens"].as_u64().unwrap();
        assert_eq!(counted["input_tokens"], total, "{case}");
    }
}

#[tokio::test]
async fn count_tokens_of_a_simple_conversation_is_predictable() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/v1/messages/count_tokens?beta=true",
        &json!({"model": "claude-sonnet-4-6", "system": "You are terse.",
                "messages": [{"role": "user", "content": "Hi there"}]}),
    )
    .await;
    // system 4 + 4, user 2 + 4.
    assert_eq!(answer.json(), json!({"input_tokens": 14}));
    assert!(
        answer.headers["request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_")
    );
}

#[tokio::test]
async fn count_tokens_rejects_generation_fields() {
    let mock = start().await;
    for (field, value) in [
        ("max_tokens", json!(100)),
        ("stream", json!(true)),
        ("temperature", json!(0.5)),
    ] {
        let mut request = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
        request[field] = value;
        let answer = post(&mock, "/v1/messages/count_tokens", &request).await;
        assert_eq!(answer.status, 400);
        assert_eq!(
            answer.json()["error"]["message"],
            format!("{field}: Extra inputs are not permitted")
        );
    }
}

#[tokio::test]
async fn count_tokens_applies_the_message_rules() {
    let mock = start().await;
    let request = json!({"model": "m", "messages": [
        {"role": "user", "content": "a"}, {"role": "user", "content": "b"}]});
    let answer = post(&mock, "/v1/messages/count_tokens", &request).await;
    assert_eq!(answer.status, 400);
    let message = answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("roles must alternate"), "{message}");
}
