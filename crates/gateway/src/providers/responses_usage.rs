//! Reading usage from OpenAI's Responses API, which only OpenAI serves: so only pass-through
//! traffic carries it, and no canonical decoder reads it.

use switchyard_protocol::Usage;
use switchyard_protocol::canonical::{ApiError, ErrorKind, StreamDecoder, StreamEvent};
use switchyard_protocol::openai_responses::wire::ResponseUsage;

/// Usage of a whole Responses answer (`usage` of the response object).
pub fn responses_usage(body: &[u8]) -> Option<Usage> {
    #[derive(serde::Deserialize)]
    struct Answer {
        usage: Option<ResponseUsage>,
    }
    serde_json::from_slice::<Answer>(body)
        .ok()?
        .usage
        .as_ref()
        .map(Usage::from)
}

/// Watches a Responses stream for its final usage (`response.completed` and friends carry the
/// full response object) and for `response.failed`.
#[derive(Debug, Default)]
pub struct ResponsesProbe;

impl StreamDecoder for ResponsesProbe {
    fn decode(&mut self, event: Option<&str>, data: &str) -> Vec<StreamEvent> {
        let Some(name) = event else { return Vec::new() };
        if !matches!(
            name,
            "response.completed" | "response.incomplete" | "response.failed"
        ) {
            return Vec::new();
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(data) else {
            return Vec::new();
        };
        let mut events = Vec::new();
        if let Some(usage) = value
            .pointer("/response/usage")
            .and_then(|u| serde_json::from_value::<ResponseUsage>(u.clone()).ok())
        {
            events.push(StreamEvent::Usage {
                usage: Usage::from(&usage),
            });
        }
        if name == "response.failed" {
            let message = value
                .pointer("/response/error/message")
                .and_then(|m| m.as_str())
                .unwrap_or("the response failed")
                .to_owned();
            events.push(StreamEvent::Error {
                error: ApiError {
                    status: 502,
                    kind: ErrorKind::ServerError,
                    message,
                    code: None,
                },
            });
        }
        events
    }

    fn finish(&mut self) -> Vec<StreamEvent> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_events_yield_usage_in_openai_semantics() {
        let mut probe = ResponsesProbe;
        let data = r#"{"type":"response.completed","response":{"usage":{"input_tokens":100,
            "input_tokens_details":{"cached_tokens":80},"output_tokens":20,
            "output_tokens_details":{"reasoning_tokens":5},"total_tokens":120}}}"#;
        let events = probe.decode(Some("response.completed"), data);
        let StreamEvent::Usage { usage } = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(
            (
                usage.input_tokens,
                usage.cached_input_tokens,
                usage.output_tokens,
                usage.reasoning_tokens
            ),
            (100, 80, 20, 5)
        );
        assert!(
            probe
                .decode(Some("response.output_text.delta"), "{}")
                .is_empty()
        );
    }
}
