//! The Gemini API inbound, where it differs from the other client formats: the model and the
//! streaming mode are in the URL, a stream without `alt=sse` is one JSON array, the key may
//! come as `?key=`, and the model list has Google's shape. (Text, tools, images and usage for
//! every provider kind are in the conformance suite.)

use serde_json::{Value, json};

use crate::harness::{self, request_id};

/// One provider of each of the two kinds that matter here: Gemini (pass-through) and an
/// OpenAI-compatible one (translated), both on the mock.
fn config(mock: &mock_provider::MockProvider, extra: &str) -> String {
    format!(
        r#"
[[providers]]
id = "ge"
kind = "gemini"
base_url = "{gemini}"
models = ["gemini-2.5-flash"]

[[providers]]
id = "oc"
kind = "openai-compatible"
base_url = "{openai}"

[prices."ge/gemini-2.5-flash"]
input = 0.3
output = 2.5

[prices."oc/gpt-4.1"]
input = 2.0
output = 8.0
{extra}"#,
        gemini = mock.anthropic_base_url(),
        openai = mock.base_url(),
    )
}

async fn gateway(mock: &mock_provider::MockProvider, extra: &str) -> harness::Harness {
    harness::start_with_keys(
        &config(mock, extra),
        &[("ge", harness::KEY), ("oc", harness::KEY)],
    )
    .await
}

fn ask(text: &str) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]})
}

#[tokio::test]
async fn a_stream_without_alt_sse_is_one_json_array_for_pass_through_and_translation() {
    let mock = harness::mock().await;
    let h = gateway(&mock, "").await;
    for model in ["ge/gemini-2.5-flash", "oc/gpt-4.1"] {
        let response = h
            .post(
                &format!("/v1beta/models/{model}:streamGenerateContent"),
                ask("Say hello"),
            )
            .await;
        assert_eq!(response.status(), 200, "{model}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("application/json"),
            "{model}: {content_type}"
        );
        let id = request_id(&response);
        let body = response.text().await.unwrap();
        let chunks: Vec<Value> = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{model}: the stream is not one JSON array ({e}): {body}"));
        assert!(
            chunks.len() > 1,
            "{model}: the answer arrives in several elements: {body}"
        );
        let text: String = chunks
            .iter()
            .flat_map(|c| {
                c["candidates"][0]["content"]["parts"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|p| p["text"].as_str().map(str::to_owned))
            .collect();
        assert!(text.contains("mock answer"), "{model}: {text}");
        let last = chunks.last().unwrap();
        assert_eq!(
            last["candidates"][0]["finishReason"], "STOP",
            "{model}: {last}"
        );
        assert!(
            last["usageMetadata"]["totalTokenCount"].as_u64() > Some(0),
            "{model}: {last}"
        );
        let row = h.row(&id).await;
        assert_eq!(
            (
                row["inbound_api"].as_str(),
                row["stream"].as_bool(),
                row["status"].as_u64()
            ),
            (Some("generate_content"), Some(true), Some(200)),
            "{model}: {row}"
        );
        assert!(
            row["cost_usd"].as_f64() > Some(0.0),
            "{model}: the stream is priced: {row}"
        );
    }
    let upstream = mock.received();
    let gemini = upstream
        .iter()
        .find(|r| r.path.contains("gemini-2.5-flash"))
        .unwrap();
    assert_eq!(
        (gemini.path.as_str(), gemini.query.as_deref()),
        (
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
            Some("alt=sse")
        ),
        "the provider is always asked for SSE, which the relay reads"
    );
}

#[tokio::test]
async fn the_key_in_the_query_is_a_client_key_and_never_reaches_the_provider() {
    let mock = harness::mock().await;
    let h = gateway(&mock, "[server]\nrequire_client_key = true\n").await;
    let refused = h
        .post(
            "/v1beta/models/ge/gemini-2.5-flash:generateContent?key=not-issued",
            ask("hi"),
        )
        .await;
    assert_eq!(refused.status(), 401);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(
        error["error"]["status"], "UNAUTHENTICATED",
        "a refusal in Google's shape: {error}"
    );

    let issued = h
        .admin_request(reqwest::Method::POST, "/api/client-keys")
        .json(&json!({"name": "gemini-cli"}))
        .send()
        .await
        .unwrap();
    let key = issued.json::<Value>().await.unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = h
        .post(
            &format!("/v1beta/models/ge/gemini-2.5-flash:generateContent?key={key}"),
            ask("hi"),
        )
        .await;
    assert_eq!(response.status(), 200);
    let row = h.row(&request_id(&response)).await;
    assert_eq!(
        row["client_key"], "gemini-cli",
        "the request is attributed to its key"
    );
    let upstream = mock.received().pop().unwrap();
    assert_eq!(upstream.query, None, "no ?key= upstream");
    assert_eq!(
        upstream.header("x-goog-api-key"),
        Some(harness::KEY),
        "the provider gets Switchyard's key for it, not the client's"
    );
}

#[tokio::test]
async fn the_model_list_and_a_model_have_googles_shape() {
    let mock = harness::mock().await;
    let h = gateway(&mock, "").await;
    let list: Value = h
        .http
        .get(h.url("/v1beta/models"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert!(names.iter().all(|n| n.starts_with("models/")), "{names:?}");
    assert!(
        names.iter().any(|n| n.ends_with("gemini-2.5-flash")),
        "{names:?}"
    );

    // google-genai lists under /v1/models with its key header; OpenAI clients get OpenAI's list.
    let google: Value = h
        .http
        .get(h.url("/v1/models"))
        .header("x-goog-api-key", "any")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(google["models"].is_array(), "{google}");
    let openai: Value = h
        .http
        .get(h.url("/v1/models"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(openai["object"], "list", "{openai}");

    let one = h
        .http
        .get(h.url("/v1beta/models/oc/gpt-4.1"))
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), 200);
    let one: Value = one.json().await.unwrap();
    assert_eq!(one["name"], "models/oc/gpt-4.1");
    let missing = h
        .http
        .get(h.url("/v1beta/models/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let error: Value = missing.json().await.unwrap();
    assert_eq!(error["error"]["status"], "NOT_FOUND", "{error}");
}

#[tokio::test]
async fn an_unknown_method_and_a_bad_body_get_googles_errors_and_are_recorded() {
    let mock = harness::mock().await;
    let h = gateway(&mock, "").await;
    let unknown = h
        .post("/v1beta/models/ge/gemini-2.5-flash:embedContent", ask("hi"))
        .await;
    assert_eq!(unknown.status(), 404);
    let error: Value = unknown.json().await.unwrap();
    assert_eq!(error["error"]["status"], "NOT_FOUND", "{error}");

    let no_contents = h
        .post(
            "/v1beta/models/oc/gpt-4.1:generateContent",
            json!({"generationConfig": {}}),
        )
        .await;
    assert_eq!(no_contents.status(), 400);
    let id = request_id(&no_contents);
    let error: Value = no_contents.json().await.unwrap();
    assert_eq!(error["error"]["status"], "INVALID_ARGUMENT", "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("contents"),
        "{error}"
    );
    let row = h.row(&id).await;
    assert_eq!(
        (row["status"].as_u64(), row["outcome"].as_str()),
        (Some(400), Some("rejected"))
    );
}

#[tokio::test]
async fn what_translation_leaves_out_is_recorded_and_sent_back_as_a_warning() {
    let mock = harness::mock().await;
    let h = gateway(&mock, "").await;
    let mut body = ask("Search the web");
    body["tools"] = json!([{"googleSearch": {}}]);
    body["safetySettings"] =
        json!([{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]);
    let response = h
        .post("/v1beta/models/oc/gpt-4.1:generateContent", body.clone())
        .await;
    assert_eq!(response.status(), 200);
    let header = response.headers()["x-switchyard-warnings"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        header.contains("googleSearch") && header.contains("safetySettings"),
        "{header}"
    );
    let row = h.row(&request_id(&response)).await;
    let warnings = row["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{row}");

    // Passed through to Gemini, nothing is left out.
    let response = h
        .post("/v1beta/models/ge/gemini-2.5-flash:generateContent", body)
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("x-switchyard-warnings").is_none());
    let row = h.row(&request_id(&response)).await;
    assert_eq!(row["warnings"], json!([]), "{row}");
}
