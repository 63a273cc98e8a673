//! Snapshot tests on realistic payloads, as clients and providers send them (`fixtures/`).
//!
//! Each request is shown twice: as the canonical model reads it, and as an OpenAI-compatible
//! provider would receive it after a trip through that model. Snapshots live in `snapshots/`;
//! `created` timestamps are zeroed so they stay stable.

use serde_json::{Value, json};

use super::decoder::tests::{PARALLEL_TOOLS, assert_well_formed, decode_pieces};
use super::{Decoder, Encoder, decode_request, decode_response, encode_request, encode_response};
use crate::canonical::{StreamEncoder, ToolNames};

/// The canonical request, and the provider body with the tool names map it produced.
fn both_sides(fixture: &str) -> (Value, Value) {
    let canonical = decode_request(fixture.as_bytes()).unwrap();
    let mut names = ToolNames::default();
    let provider = encode_request(&canonical, &mut names).unwrap();
    (serde_json::to_value(&canonical).unwrap(), provider)
}

fn zero_created(mut value: Value) -> Value {
    if value.get("created").is_some() {
        value["created"] = json!(0);
    }
    value
}

#[test]
fn cline_request_with_roo_cache_markers() {
    let (canonical, provider) = both_sides(include_str!("fixtures/cline_request.json"));
    insta::assert_json_snapshot!("cline_request_canonical", canonical);
    insta::assert_json_snapshot!("cline_request_provider", provider);
    let text = provider.to_string();
    assert!(!text.contains("cache_control"), "translation rule 14");
    assert!(
        provider["tools"][2]["function"]["name"]
            .as_str()
            .is_some_and(|n| n.len() <= 64),
        "translation rule 5"
    );
}

#[test]
fn continue_chat_request() {
    let (canonical, provider) = both_sides(include_str!("fixtures/continue_request.json"));
    insta::assert_json_snapshot!("continue_request_canonical", canonical);
    insta::assert_json_snapshot!("continue_request_provider", provider);
}

#[test]
fn tool_loop_with_two_parallel_calls_and_their_results() {
    let (canonical, provider) = both_sides(include_str!("fixtures/tool_loop_request.json"));
    insta::assert_json_snapshot!("tool_loop_request_canonical", canonical);
    insta::assert_json_snapshot!("tool_loop_request_provider", provider);
}

#[test]
fn image_request_with_data_and_http_urls() {
    let (canonical, provider) = both_sides(include_str!("fixtures/image_request.json"));
    insta::assert_json_snapshot!("image_request_canonical", canonical);
    insta::assert_json_snapshot!("image_request_provider", provider);
}

#[test]
fn completion_with_tool_calls_round_trips() {
    let mut names = ToolNames::default();
    names.shorten("weather.forecast", ToolNames::MAX);
    let resp = decode_response(include_bytes!("fixtures/completion_tools.json"), &names).unwrap();
    insta::assert_json_snapshot!("completion_tools_canonical", resp);
    let client = zero_created(encode_response(&resp, &names));
    insta::assert_json_snapshot!("completion_tools_client", client);
}

#[test]
fn reasoning_stream_with_parallel_tools_decodes_and_reencodes() {
    let mut names = ToolNames::default();
    names.shorten("weather.forecast", ToolNames::MAX);
    let events = decode_pieces(&mut Decoder::new(names), &[PARALLEL_TOOLS.as_bytes()]);
    assert_well_formed(&events);
    insta::assert_json_snapshot!("stream_parallel_tools_canonical", events);

    let mut encoder = Encoder::new("chatcmpl-sw-1".into(), "deepseek-reasoner".into(), true);
    let mut sse: Vec<_> = events.iter().flat_map(|e| encoder.encode(e)).collect();
    sse.extend(encoder.finish());
    let chunks: Vec<Value> = sse
        .iter()
        .map(|e| match serde_json::from_str(&e.data) {
            Ok(value) => zero_created(value),
            Err(_) => json!(e.data),
        })
        .collect();
    insta::assert_json_snapshot!("stream_parallel_tools_client", chunks);
}
