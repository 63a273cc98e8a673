//! Routes, API keys, the model list and `countTokens`, beside the OpenAI mock
//! on the same port.

use mock_provider::MockOptions;
use reqwest::Method;
use serde_json::json;

use super::support::{ask, call, generate, send, user, weather_tool};
use crate::support::{get, post, start, start_with};

#[tokio::test]
async fn v1_and_v1beta_both_serve_gemini_methods_for_dotted_model_names() {
    let mock = start().await;
    for version in ["v1", "v1beta"] {
        for model in [
            "gemini-2.5-flash",
            "gemini-2.5-flash-lite-preview-09-2025",
            "gemini-3.1-pro-preview",
        ] {
            let path = format!("/{version}/models/{model}:generateContent");
            let answer = send(&mock, Method::POST, &path, &[], Some(&ask("Hi"))).await;
            assert_eq!(answer.status, 200, "{path}: {}", answer.text);
            assert_eq!(answer.json()["modelVersion"], model);
            let path = format!("/{version}/models/{model}:streamGenerateContent?alt=sse");
            let answer = send(&mock, Method::POST, &path, &[], Some(&ask("Hi"))).await;
            assert_eq!(answer.status, 200, "{path}");
            let path = format!("/{version}/models/{model}:countTokens");
            let answer = send(&mock, Method::POST, &path, &[], Some(&ask("Hi"))).await;
            assert_eq!(answer.json()["totalTokens"], 5, "{path}");
        }
    }
}

#[tokio::test]
async fn the_openai_routes_still_answer_beside_gemini() {
    let mock = start().await;
    assert_eq!(get(&mock, "/models").await.json()["object"], "list");
    assert_eq!(get(&mock, "/models/gpt-4.1").await.json()["id"], "gpt-4.1");
    let answer = post(&mock, "/models/gpt-4.1", &json!({})).await;
    assert_eq!(
        answer.status, 405,
        "a POST without a Gemini method is still OpenAI's"
    );
    assert_eq!(answer.json()["error"]["type"], "invalid_request_error");
    let answer = post(
        &mock,
        "/chat/completions",
        &json!({"model": "gpt-4.1", "messages": [{"role": "user", "content": "Hi"}]}),
    )
    .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn unknown_methods_and_model_paths_get_google_404s() {
    let mock = start().await;
    let answer = call(&mock, "gemini-2.5-flash", "predict", "", &ask("Hi")).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["error"]["status"], "NOT_FOUND");
    let answer = send(
        &mock,
        Method::POST,
        "/v1beta/models/models/gemini-2.5-flash:generateContent",
        &[],
        Some(&ask("Hi")),
    )
    .await;
    assert_eq!(
        answer.status, 404,
        "a doubled models/ prefix is a different, unknown model"
    );
}

#[tokio::test]
async fn the_api_key_is_accepted_from_the_header_or_the_key_parameter() {
    let mock = start_with(MockOptions {
        api_key: Some("AIza-test-key".into()),
        ..MockOptions::default()
    })
    .await;
    let path = "/v1beta/models/gemini-2.5-flash:generateContent";
    let by_header = send(
        &mock,
        Method::POST,
        path,
        &[("x-goog-api-key", "AIza-test-key")],
        Some(&ask("Hi")),
    )
    .await;
    assert_eq!(by_header.status, 200);
    let by_query = send(
        &mock,
        Method::POST,
        &format!("{path}?key=AIza-test-key"),
        &[],
        Some(&ask("Hi")),
    )
    .await;
    assert_eq!(by_query.status, 200);
    let streamed = send(
        &mock,
        Method::POST,
        "/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=AIza-test-key",
        &[],
        Some(&ask("Hi")),
    )
    .await;
    assert_eq!(streamed.status, 200);
    let bearer = send(
        &mock,
        Method::POST,
        path,
        &[("authorization", "Bearer AIza-test-key")],
        Some(&ask("Hi")),
    )
    .await;
    assert_eq!(bearer.status, 403, "an API key is not an OAuth token");
}

#[tokio::test]
async fn a_wrong_key_is_a_400_and_a_missing_key_a_403_like_google() {
    let mock = start_with(MockOptions {
        api_key: Some("AIza-test-key".into()),
        ..MockOptions::default()
    })
    .await;
    let path = "/v1beta/models/gemini-2.5-flash:generateContent";
    let wrong = send(
        &mock,
        Method::POST,
        path,
        &[("x-goog-api-key", "AIza-wrong")],
        Some(&ask("Hi")),
    )
    .await;
    assert_eq!(wrong.status, 400);
    let message = "API key not valid. Please pass a valid API key.";
    assert_eq!(
        wrong.json(),
        json!({"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT", "details": [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
             "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}},
            {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": message}
        ]}})
    );
    let wrong = send(
        &mock,
        Method::POST,
        &format!("{path}?key=AIza-wrong"),
        &[],
        Some(&ask("Hi")),
    )
    .await;
    assert_eq!(wrong.status, 400);
    let missing = send(&mock, Method::POST, path, &[], Some(&ask("Hi"))).await;
    assert_eq!(missing.status, 403);
    assert_eq!(missing.json()["error"]["status"], "PERMISSION_DENIED");
    let list = send(&mock, Method::GET, "/v1beta/models", &[], None).await;
    assert_eq!(list.status, 403, "the model list needs the key too");
}

#[tokio::test]
async fn the_model_list_has_gemini_shape_and_pages() {
    let mock = start().await;
    let answer = send(&mock, Method::GET, "/v1beta/models", &[], None).await;
    assert_eq!(answer.status, 200);
    let list = answer.json();
    let names: Vec<&str> = list["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "models/gemini-2.5-flash",
            "models/gemini-2.5-pro",
            "models/gemini-3-pro-preview",
            "models/gemini-3-flash-preview"
        ]
    );
    let first = &list["models"][0];
    assert!(
        first["supportedGenerationMethods"]
            .as_array()
            .unwrap()
            .contains(&json!("generateContent"))
    );
    assert!(first["inputTokenLimit"].is_u64() && first["outputTokenLimit"].is_u64());
    assert!(list.get("nextPageToken").is_none());

    let page = send(&mock, Method::GET, "/v1beta/models?pageSize=3", &[], None)
        .await
        .json();
    assert_eq!(page["models"].as_array().unwrap().len(), 3);
    let token = page["nextPageToken"].as_str().unwrap();
    let next = send(
        &mock,
        Method::GET,
        &format!("/v1beta/models?pageSize=3&pageToken={token}"),
        &[],
        None,
    )
    .await
    .json();
    assert_eq!(next["models"][0]["name"], "models/gemini-3-flash-preview");

    let one = send(
        &mock,
        Method::GET,
        "/v1beta/models/gemini-2.5-pro",
        &[],
        None,
    )
    .await;
    assert_eq!(one.json()["name"], "models/gemini-2.5-pro");
    let missing = send(&mock, Method::GET, "/v1beta/models/gpt-4.1", &[], None).await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn gemini_models_in_the_options_are_listed_instead_of_the_defaults() {
    let mock = start_with(MockOptions {
        models: vec!["gpt-4.1".into(), "gemini-2.0-flash".into()],
        ..MockOptions::default()
    })
    .await;
    let list = send(&mock, Method::GET, "/v1beta/models", &[], None)
        .await
        .json();
    assert_eq!(list["models"].as_array().unwrap().len(), 1);
    assert_eq!(list["models"][0]["name"], "models/gemini-2.0-flash");
}

#[tokio::test]
async fn count_tokens_matches_the_prompt_count_generate_content_reports() {
    let mock = start().await;
    let request = json!({
        "systemInstruction": {"parts": [{"text": "You are terse."}]},
        "contents": [user("What is the weather in Paris today?")],
        "tools": [weather_tool()]
    });
    let usage = generate(&mock, "gemini-2.5-flash", &request).await["usageMetadata"].clone();
    let wrapped = json!({"generateContentRequest": {
        "model": "models/gemini-2.5-flash",
        "systemInstruction": request["systemInstruction"],
        "contents": request["contents"],
        "tools": request["tools"]
    }});
    let counted = call(&mock, "gemini-2.5-flash", "countTokens", "", &wrapped)
        .await
        .json();
    assert_eq!(counted["totalTokens"], usage["promptTokenCount"]);
    assert_eq!(
        counted["promptTokensDetails"],
        json!([{"modality": "TEXT", "tokenCount": usage["promptTokenCount"]}])
    );

    let contents_only = call(
        &mock,
        "gemini-2.5-flash",
        "countTokens",
        "",
        &json!({"contents": request["contents"]}),
    )
    .await;
    assert_eq!(contents_only.json()["totalTokens"], 4 + 9);

    let both = json!({"contents": request["contents"], "generateContentRequest": wrapped["generateContentRequest"]});
    assert_eq!(
        call(&mock, "gemini-2.5-flash", "countTokens", "", &both)
            .await
            .status,
        400
    );
    let empty = call(&mock, "gemini-2.5-flash", "countTokens", "", &json!({})).await;
    assert_eq!(
        empty.json()["error"]["message"],
        "* CountTokensRequest.contents: contents is not specified\n"
    );
}

#[tokio::test]
async fn gemini_requests_are_recorded_with_path_query_and_key_header() {
    let mock = start().await;
    send(
        &mock,
        Method::POST,
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        &[("x-goog-api-key", "k")],
        Some(&ask("Hi")),
    )
    .await;
    let received = mock.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].path,
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    );
    assert_eq!(received[0].query.as_deref(), Some("alt=sse"));
    assert_eq!(received[0].header("x-goog-api-key"), Some("k"));
    assert_eq!(received[0].body, ask("Hi"));
}
