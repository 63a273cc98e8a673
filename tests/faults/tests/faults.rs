//! Every fault of the chaos upstream, in every client format: the client gets an error in its
//! own format (or its stream ends with its own error event), `/healthz` keeps answering, and
//! the request has its history row saying what went wrong.
//!
//! The gateway runs in-process (`switchyard_faults::rig`) with short timeouts, so a case takes
//! seconds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use switchyard_faults::Fault;
use switchyard_faults::rig::{Client, Rig};

/// A whole error answer in the client's own shape.
fn assert_error_shape(client: Client, status: u16, body: &str) {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON error: {body}"));
    match client {
        Client::OpenAi => assert!(
            value["error"]["message"].is_string(),
            "OpenAI shape: {body}"
        ),
        Client::Anthropic => {
            assert_eq!(value["type"], "error", "Anthropic shape: {body}");
            assert!(
                value["error"]["type"].is_string(),
                "Anthropic shape: {body}"
            );
        }
        Client::Gemini => {
            assert_eq!(value["error"]["code"], status, "Google shape: {body}");
            assert!(value["error"]["status"].is_string(), "Google shape: {body}");
        }
    }
}

/// A stream that ends with the client format's own error event.
fn assert_stream_error(client: Client, body: &str) {
    let data: Vec<Value> = body
        .split("\n\n")
        .filter_map(|event| {
            event
                .lines()
                .find_map(|l| l.strip_prefix("data:"))
                .and_then(|d| serde_json::from_str(d.trim()).ok())
        })
        .collect();
    match client {
        Client::OpenAi | Client::Gemini => assert!(
            data.last()
                .is_some_and(|d| d["error"]["message"].is_string()),
            "{client:?} stream ends with an error chunk: {body}"
        ),
        Client::Anthropic => assert!(
            body.contains("event: error") && data.last().is_some_and(|d| d["type"] == "error"),
            "Anthropic stream ends with event: error: {body}"
        ),
    }
}

/// A fault before any byte reached the client: an error answer with `status`.
async fn before_answer(name: &str, fault: Fault, client: Client, status: u16, attempts: usize) {
    let rig = Rig::start(name).await;
    let (got, id, body) = rig.send(client, fault.model(), false).await;
    assert_eq!(got, status, "{fault:?} for {client:?}: {body}");
    assert_error_shape(client, status, &body);
    rig.healthz().await;
    let row = rig.row(&id).await;
    assert_eq!(row["outcome"], "upstream_error", "{row}");
    assert!(row["error"].is_string(), "the row says why: {row}");
    assert_eq!(
        row["attempt_details"].as_array().map(Vec::len),
        Some(attempts),
        "every try is recorded: {row}"
    );
}

/// A fault once the stream had begun: it ends with the client's error event.
async fn during_stream(name: &str, fault: Fault, client: Client) {
    let rig = Rig::start(name).await;
    let (got, id, body) = rig.send(client, fault.model(), true).await;
    assert_eq!(got, 200, "the stream had begun: {body}");
    assert_stream_error(client, &body);
    assert!(body.len() < 1024 * 1024, "nothing oversized was relayed");
    rig.healthz().await;
    let row = rig.row(&id).await;
    assert_eq!(row["outcome"], "upstream_error", "{row}");
    assert!(row["error"].is_string(), "the row says why: {row}");
}

macro_rules! before_answer {
    ($($name:ident: $fault:ident, $client:ident => $status:expr, $attempts:expr;)*) => {$(
        #[tokio::test]
        async fn $name() {
            before_answer(stringify!($name), Fault::$fault, Client::$client, $status, $attempts).await;
        }
    )*};
}

macro_rules! during_stream {
    ($($name:ident: $fault:ident, $client:ident;)*) => {$(
        #[tokio::test]
        async fn $name() {
            during_stream(stringify!($name), Fault::$fault, Client::$client).await;
        }
    )*};
}

// Connection errors, timeouts, redirects and 429s are retried (3 tries: max_retries = 2).
// Google's API has no 502: a Gemini client gets a bad gateway as 500 INTERNAL.
before_answer! {
    reset_before_answer_openai: ResetBefore, OpenAi => 502, 3;
    reset_before_answer_anthropic: ResetBefore, Anthropic => 502, 3;
    reset_before_answer_gemini: ResetBefore, Gemini => 500, 3;
    stall_before_answer_openai: Stall, OpenAi => 504, 3;
    stall_before_answer_anthropic: Stall, Anthropic => 504, 3;
    stall_before_answer_gemini: Stall, Gemini => 504, 3;
    huge_body_openai: HugeBody, OpenAi => 502, 1;
    huge_body_anthropic: HugeBody, Anthropic => 502, 1;
    huge_body_gemini: HugeBody, Gemini => 500, 1;
    redirect_elsewhere_openai: RedirectElsewhere, OpenAi => 502, 3;
    redirect_elsewhere_anthropic: RedirectElsewhere, Anthropic => 502, 3;
    redirect_elsewhere_gemini: RedirectElsewhere, Gemini => 500, 3;
    rate_limit_storm_openai: RateLimitStorm, OpenAi => 429, 3;
    rate_limit_storm_anthropic: RateLimitStorm, Anthropic => 429, 3;
    rate_limit_storm_gemini: RateLimitStorm, Gemini => 429, 3;
}

during_stream! {
    reset_during_stream_openai: ResetDuring, OpenAi;
    reset_during_stream_anthropic: ResetDuring, Anthropic;
    reset_during_stream_gemini: ResetDuring, Gemini;
    stall_during_stream_openai: StallDuring, OpenAi;
    stall_during_stream_anthropic: StallDuring, Anthropic;
    stall_during_stream_gemini: StallDuring, Gemini;
    oversized_sse_openai: OversizedSse, OpenAi;
    oversized_sse_anthropic: OversizedSse, Anthropic;
    oversized_sse_gemini: OversizedSse, Gemini;
}

/// SSE that is not SSE, cut off mid-`[DONE]`: whatever the client's format makes of it, the
/// answer ends, the gateway keeps serving and the request is recorded.
#[tokio::test]
async fn malformed_sse_in_every_format_ends_and_is_recorded() {
    let rig = Rig::start("malformed").await;
    for client in Client::ALL {
        let (status, id, body) = rig.send(client, Fault::MalformedSse.model(), true).await;
        assert_eq!(status, 200, "{client:?}: {body}");
        rig.healthz().await;
        let row = rig.row(&id).await;
        assert!(row["outcome"].is_string(), "{client:?}: {row}");
    }
}

/// The redirect's target never hears from the gateway: the key stays home.
#[tokio::test]
async fn a_redirect_is_never_followed_and_names_where_it_pointed() {
    let rig = Rig::start("redirect-names").await;
    let (_, _, body) = rig
        .send(Client::Anthropic, Fault::RedirectElsewhere.model(), false)
        .await;
    let value: Value = serde_json::from_str(&body).unwrap();
    let message = value["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("307") && message.contains("localhost"),
        "{message}"
    );
    assert_eq!(
        rig.chaos.followed_redirects(),
        0,
        "nothing, and no key, went there"
    );
}
