//! `POST /v1/embeddings`: float and base64 encodings of deterministic vectors.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{post, start};

fn floats(embedding: &Value) -> Vec<f32> {
    embedding
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

#[tokio::test]
async fn base64_embeddings_decode_to_the_float_vector() {
    let mock = start().await;
    let request = |format: &str| json!({"model": "text-embedding-3-small", "input": "hello world", "encoding_format": format});
    let float = post(&mock, "/embeddings", &request("float")).await.json();
    let base64 = post(&mock, "/embeddings", &request("base64")).await.json();

    let expected = floats(&float["data"][0]["embedding"]);
    assert_eq!(expected.len(), 8, "8 dimensions by default");
    let bytes = STANDARD
        .decode(base64["data"][0]["embedding"].as_str().unwrap())
        .unwrap();
    let decoded: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(decoded, expected, "little-endian f32, bit for bit");
    let norm: f32 = decoded.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "unit vector, norm {norm}");
}

#[tokio::test]
async fn embeddings_answer_one_item_per_input_with_the_requested_dimensions() {
    let mock = start().await;
    let body = post(
        &mock,
        "/embeddings",
        &json!({"model": "text-embedding-3-small", "input": ["first text", "second"], "dimensions": 4}),
    )
    .await
    .json();
    assert_eq!(body["object"], "list");
    assert_eq!(body["model"], "text-embedding-3-small");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    for (i, item) in data.iter().enumerate() {
        assert_eq!(item["object"], "embedding");
        assert_eq!(item["index"], i);
        assert_eq!(floats(&item["embedding"]).len(), 4);
    }
    assert_ne!(data[0]["embedding"], data[1]["embedding"]);
    // "first text" (10 chars → 3) + "second" (6 chars → 2).
    assert_eq!(
        body["usage"],
        json!({"prompt_tokens": 5, "total_tokens": 5})
    );
}

#[tokio::test]
async fn the_same_input_embeds_to_the_same_vector() {
    let mock = start().await;
    let request = json!({"model": "e", "input": "stable"});
    let first = post(&mock, "/embeddings", &request).await.json();
    let second = post(&mock, "/embeddings", &request).await.json();
    assert_eq!(first["data"], second["data"]);
}

#[tokio::test]
async fn token_id_inputs_are_accepted() {
    let mock = start().await;
    let body = post(
        &mock,
        "/embeddings",
        &json!({"model": "e", "input": [[1, 2, 3], [4, 5]]}),
    )
    .await
    .json();
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_eq!(body["usage"]["prompt_tokens"], 5);
}

#[tokio::test]
async fn missing_input_or_unknown_encoding_is_an_openai_400() {
    let mock = start().await;
    let answer = post(&mock, "/embeddings", &json!({"model": "e"})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["error"]["code"], "missing_required_parameter");
    let answer = post(
        &mock,
        "/embeddings",
        &json!({"model": "e", "input": "x", "encoding_format": "hex"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["error"]["param"], "encoding_format");
}
