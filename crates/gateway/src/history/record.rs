//! What is recorded about a request: a leaf that the writer, every table module and the
//! readers share.

use serde::Serialize;
use switchyard_protocol::Usage;

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The provider answered successfully (possibly after falling back).
    Ok,
    /// The provider (or every target) answered with an error.
    UpstreamError,
    /// The request was refused before reaching a provider (bad input, unknown model, no key).
    Rejected,
    /// The client went away before the answer was complete.
    ClientDisconnected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::UpstreamError => "upstream_error",
            Outcome::Rejected => "rejected",
            Outcome::ClientDisconnected => "client_disconnected",
        }
    }
}

/// One try at one target.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Attempt {
    pub provider: String,
    pub upstream_model: String,
    /// The upstream's HTTP status; `None` when no answer came (connect error, timeout).
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: u64,
}

/// Everything recorded about one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    /// Milliseconds since the Unix epoch.
    pub started_at_ms: i64,
    pub client: Option<String>,
    pub user_agent: Option<String>,
    pub inbound_api: &'static str,
    pub requested_model: Option<String>,
    pub provider: Option<String>,
    pub upstream_model: Option<String>,
    /// The HTTP status the client got.
    pub status: u16,
    pub outcome: Outcome,
    pub stream: bool,
    pub attempts: Vec<Attempt>,
    pub usage: Usage,
    /// True when the provider reported no usage and the numbers are Switchyard's estimate.
    pub usage_estimated: bool,
    pub cost_usd: Option<f64>,
    /// Where `cost_usd`'s price came from (see [`crate::pricing::Priced`]).
    pub price_source: Option<String>,
    pub latency_ms: u64,
    pub ttft_ms: Option<u64>,
    pub tags: Vec<(String, String)>,
    pub error: Option<String>,
    pub request_body: Option<String>,
    pub response_body: Option<String>,
    /// Answered from the response cache.
    pub cache_hit: bool,
    /// The last four characters of the provider key used last.
    pub key_last_four: Option<String>,
    /// The name of the client key the request presented (see [`crate::client_keys`]).
    pub client_key: Option<String>,
    /// What translation left out of the request (see `requests/6`).
    pub warnings: Vec<String>,
}
