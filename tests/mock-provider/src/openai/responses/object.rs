//! The wire form of a response: the `response` object, its output items and
//! its usage, exactly as OpenAI serialises them.
//!
//! A response is written several times (in progress at the start of a
//! stream, complete or incomplete at its end, failed mid-stream), so the
//! parts every snapshot shares are kept in a [`Draft`]. The request's
//! settings are echoed back the way OpenAI echoes them, defaults filled in
//! ([`Echo`]).

use serde::Serialize;
use serde_json::{Value, json};

use super::plan::Planned;
use super::request::Request;
use crate::script::UsageOverride;

/// Response statuses.
pub(crate) const IN_PROGRESS: &str = "in_progress";
pub(crate) const COMPLETED: &str = "completed";
pub(crate) const INCOMPLETE: &str = "incomplete";
pub(crate) const FAILED: &str = "failed";

/// `usage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Usage {
    pub(crate) input_tokens: u64,
    pub(crate) input_tokens_details: InputTokensDetails,
    pub(crate) output_tokens: u64,
    pub(crate) output_tokens_details: OutputTokensDetails,
    pub(crate) total_tokens: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct InputTokensDetails {
    pub(crate) cached_tokens: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct OutputTokensDetails {
    pub(crate) reasoning_tokens: u64,
}

impl Usage {
    /// `input` tokens in; `reasoning` hidden and `visible` output tokens out;
    /// `mock.usage` pins any of `input_tokens`, `output_tokens` (reasoning
    /// included), `cached_tokens` and `reasoning_tokens`.
    pub(crate) fn compute(
        input: u64,
        reasoning: u64,
        visible: u64,
        pinned: &UsageOverride,
    ) -> Usage {
        let input_tokens = pinned.input_tokens.unwrap_or(input);
        let reasoning_tokens = pinned.reasoning_tokens.unwrap_or(reasoning);
        let output_tokens = pinned.output_tokens.unwrap_or(visible + reasoning_tokens);
        Usage {
            input_tokens,
            input_tokens_details: InputTokensDetails {
                cached_tokens: pinned.cached_tokens.unwrap_or(0),
            },
            output_tokens,
            output_tokens_details: OutputTokensDetails { reasoning_tokens },
            total_tokens: input_tokens + output_tokens,
        }
    }
}

/// One item of `output`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum OutputItem {
    Reasoning {
        id: String,
        summary: Vec<SummaryText>,
        #[serde(skip_serializing_if = "Option::is_none")]
        encrypted_content: Option<String>,
    },
    Message {
        id: String,
        status: &'static str,
        content: Vec<OutputText>,
        role: &'static str,
    },
    FunctionCall {
        id: String,
        status: &'static str,
        arguments: String,
        call_id: String,
        name: String,
    },
    CustomToolCall {
        id: String,
        status: &'static str,
        call_id: String,
        input: String,
        name: String,
    },
}

/// A reasoning summary part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SummaryText {
    #[serde(rename = "type")]
    kind: &'static str,
    pub(crate) text: String,
}

impl SummaryText {
    pub(crate) fn new(text: String) -> SummaryText {
        SummaryText {
            kind: "summary_text",
            text,
        }
    }
}

/// A message content part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OutputText {
    #[serde(rename = "type")]
    kind: &'static str,
    annotations: Vec<Value>,
    logprobs: Vec<Value>,
    pub(crate) text: String,
}

impl OutputText {
    pub(crate) fn new(text: String) -> OutputText {
        OutputText {
            kind: "output_text",
            annotations: Vec::new(),
            logprobs: Vec::new(),
            text,
        }
    }
}

impl OutputItem {
    /// The finished item.
    pub(crate) fn done(planned: &Planned) -> OutputItem {
        match planned {
            Planned::Reasoning {
                id,
                summary,
                encrypted_content,
            } => OutputItem::Reasoning {
                id: id.clone(),
                summary: summary
                    .iter()
                    .map(|pieces| SummaryText::new(pieces.concat()))
                    .collect(),
                encrypted_content: encrypted_content.clone(),
            },
            Planned::Message {
                id,
                pieces,
                complete,
            } => OutputItem::Message {
                id: id.clone(),
                status: if *complete { COMPLETED } else { INCOMPLETE },
                content: vec![OutputText::new(pieces.concat())],
                role: "assistant",
            },
            Planned::FunctionCall {
                id,
                call_id,
                name,
                fragments,
            } => OutputItem::FunctionCall {
                id: id.clone(),
                status: COMPLETED,
                arguments: fragments.concat(),
                call_id: call_id.clone(),
                name: name.clone(),
            },
            Planned::CustomToolCall {
                id,
                call_id,
                name,
                fragments,
            } => OutputItem::CustomToolCall {
                id: id.clone(),
                status: COMPLETED,
                call_id: call_id.clone(),
                input: fragments.concat(),
                name: name.clone(),
            },
        }
    }

    /// The item as `response.output_item.added` announces it: in progress,
    /// with nothing generated yet.
    pub(crate) fn added(planned: &Planned) -> OutputItem {
        match OutputItem::done(planned) {
            OutputItem::Reasoning { id, .. } => OutputItem::Reasoning {
                id,
                summary: Vec::new(),
                encrypted_content: None,
            },
            OutputItem::Message { id, role, .. } => OutputItem::Message {
                id,
                status: IN_PROGRESS,
                content: Vec::new(),
                role,
            },
            OutputItem::FunctionCall {
                id, call_id, name, ..
            } => OutputItem::FunctionCall {
                id,
                status: IN_PROGRESS,
                arguments: String::new(),
                call_id,
                name,
            },
            OutputItem::CustomToolCall {
                id, call_id, name, ..
            } => OutputItem::CustomToolCall {
                id,
                status: IN_PROGRESS,
                call_id,
                input: String::new(),
                name,
            },
        }
    }
}

/// The request settings a response echoes, defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Echo {
    instructions: Value,
    max_output_tokens: Value,
    max_tool_calls: Value,
    parallel_tool_calls: bool,
    previous_response_id: Value,
    prompt_cache_key: Value,
    reasoning: Value,
    safety_identifier: Value,
    service_tier: Value,
    store: bool,
    temperature: Value,
    text: Value,
    tool_choice: Value,
    tools: Value,
    top_logprobs: Value,
    top_p: Value,
    truncation: Value,
    user: Value,
    metadata: Value,
}

impl Echo {
    pub(crate) fn of(body: &Value, request: &Request<'_>) -> Echo {
        let given = |key: &str| body.get(key).filter(|v| !v.is_null());
        let or = |key: &str, default: Value| given(key).cloned().unwrap_or(default);
        let text = given("text");
        Echo {
            instructions: or("instructions", Value::Null),
            max_output_tokens: or("max_output_tokens", Value::Null),
            max_tool_calls: or("max_tool_calls", Value::Null),
            parallel_tool_calls: request.parallel_tool_calls,
            previous_response_id: or("previous_response_id", Value::Null),
            prompt_cache_key: or("prompt_cache_key", Value::Null),
            reasoning: json!({"effort": request.reasoning.effort,
                              "summary": request.reasoning.summary}),
            safety_identifier: or("safety_identifier", Value::Null),
            // OpenAI reports the tier that served an `auto` request.
            service_tier: match given("service_tier").and_then(Value::as_str) {
                None | Some("auto") => json!("default"),
                Some(tier) => json!(tier),
            },
            store: request.store,
            temperature: or("temperature", json!(1.0)),
            text: json!({
                "format": text.and_then(|t| t.get("format")).filter(|f| !f.is_null())
                    .cloned().unwrap_or_else(|| json!({"type": "text"})),
                "verbosity": text.and_then(|t| t.get("verbosity")).filter(|v| !v.is_null())
                    .cloned().unwrap_or_else(|| json!("medium")),
            }),
            tool_choice: or("tool_choice", json!("auto")),
            tools: or("tools", json!([])),
            top_logprobs: or("top_logprobs", json!(0)),
            top_p: or("top_p", json!(1.0)),
            truncation: or("truncation", json!("disabled")),
            user: or("user", Value::Null),
            metadata: or("metadata", json!({})),
        }
    }
}

/// `error` of a failed response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ResponseError {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

/// `incomplete_details`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct IncompleteDetails {
    reason: &'static str,
}

/// The `response` object.
#[derive(Debug, Serialize)]
struct ResponseObject<'a> {
    id: &'a str,
    object: &'static str,
    created_at: u64,
    status: &'static str,
    background: bool,
    error: Option<ResponseError>,
    incomplete_details: Option<IncompleteDetails>,
    model: &'a str,
    output: Vec<OutputItem>,
    usage: Option<Usage>,
    #[serde(flatten)]
    echo: &'a Echo,
}

/// What every snapshot of one response shares.
#[derive(Debug)]
pub(crate) struct Draft<'a> {
    pub(crate) id: &'a str,
    pub(crate) created_at: u64,
    pub(crate) model: &'a str,
    pub(crate) echo: Echo,
}

impl Draft<'_> {
    /// The response as it is while it is being generated.
    pub(crate) fn in_progress(&self) -> Value {
        self.object(IN_PROGRESS, Vec::new(), None, None)
    }

    /// The finished response: `completed`, or `incomplete` when
    /// `max_output_tokens` cut it.
    pub(crate) fn finished(&self, items: &[Planned], incomplete: bool, usage: Usage) -> Value {
        let output = items.iter().map(OutputItem::done).collect();
        let status = if incomplete { INCOMPLETE } else { COMPLETED };
        self.object(status, output, Some(usage), None)
    }

    /// The response after a server error.
    pub(crate) fn failed(&self, error: ResponseError) -> Value {
        self.object(FAILED, Vec::new(), None, Some(error))
    }

    fn object(
        &self,
        status: &'static str,
        output: Vec<OutputItem>,
        usage: Option<Usage>,
        error: Option<ResponseError>,
    ) -> Value {
        let object = ResponseObject {
            id: self.id,
            object: "response",
            created_at: self.created_at,
            status,
            background: false,
            error,
            incomplete_details: (status == INCOMPLETE).then_some(IncompleteDetails {
                reason: "max_output_tokens",
            }),
            model: self.model,
            output,
            usage,
            echo: &self.echo,
        };
        serde_json::to_value(object).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn output_tokens_include_reasoning_unless_pinned() {
        let usage = Usage::compute(10, 16, 8, &UsageOverride::default());
        assert_eq!(usage.output_tokens, 24);
        assert_eq!(usage.total_tokens, 34);
        let pinned = UsageOverride {
            input_tokens: Some(100),
            cached_tokens: Some(60),
            output_tokens: Some(5),
            ..UsageOverride::default()
        };
        let usage = Usage::compute(10, 16, 8, &pinned);
        assert_eq!(usage.input_tokens_details.cached_tokens, 60);
        assert_eq!(usage.output_tokens_details.reasoning_tokens, 16);
        assert_eq!(usage.total_tokens, 105);
    }

    #[test]
    fn added_items_are_empty_and_in_progress() {
        let planned = Planned::FunctionCall {
            id: "fc_1".into(),
            call_id: "call_1".into(),
            name: "f".into(),
            fragments: vec!["{".into(), "}".into()],
        };
        let added = serde_json::to_value(OutputItem::added(&planned)).unwrap();
        assert_eq!(
            added,
            json!({"type": "function_call", "id": "fc_1", "status": "in_progress",
                   "arguments": "", "call_id": "call_1", "name": "f"})
        );
    }
}
