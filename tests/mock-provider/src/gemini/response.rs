//! `GenerateContentResponse` as Gemini writes it, whole or as stream chunks.
//!
//! Whole: one candidate whose content holds the thought part (if any), then
//! the text as one part, or the function calls as one part each.
//!
//! Chunks: every chunk is a complete `GenerateContentResponse` with
//! `usageMetadata` (the prompt count from the first chunk on, candidates
//! growing), `modelVersion` and `responseId`. The thought part comes alone
//! first, text follows one piece per chunk, function calls arrive whole
//! together in one chunk, and `finishReason` rides on the last chunk, next to
//! its content (translation rule 2: that content must not be lost).

use serde::Serialize;
use serde_json::{Value, json};

use super::answer::{Call, Outcome, Plan};
use super::tokens::{Usage, UsageMetadata};

/// What every response or chunk of one answer repeats.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub(crate) model_version: String,
    pub(crate) response_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GenerateContentResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    candidates: Vec<Candidate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt_feedback: Option<Value>,
    usage_metadata: UsageMetadata,
    model_version: String,
    response_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Content>,
    #[serde(skip_serializing_if = "Option::is_none")]
    finish_reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    safety_ratings: Option<Value>,
    index: u32,
}

#[derive(Debug, Clone, Serialize)]
struct Content {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parts: Vec<Part>,
    role: &'static str,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Part {
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thought: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    function_call: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thought_signature: Option<String>,
}

impl Part {
    fn text(text: String, signature: Option<String>) -> Part {
        Part {
            text: Some(text),
            thought_signature: signature,
            ..Part::default()
        }
    }

    fn thought(text: &str) -> Part {
        Part {
            text: Some(text.to_owned()),
            thought: Some(true),
            ..Part::default()
        }
    }

    fn call(call: &Call) -> Part {
        Part {
            function_call: Some(json!({"name": call.name, "args": call.args})),
            thought_signature: call.signature.clone(),
            ..Part::default()
        }
    }
}

/// The safety ratings of a refused prompt or answer.
fn refused_ratings() -> Value {
    json!([
        {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
        {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
        {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
        {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true}
    ])
}

fn response(meta: &Meta, candidates: Vec<Candidate>, usage: &Usage) -> GenerateContentResponse {
    GenerateContentResponse {
        candidates,
        prompt_feedback: None,
        usage_metadata: usage.metadata(),
        model_version: meta.model_version.clone(),
        response_id: meta.response_id.clone(),
    }
}

fn candidate(parts: Vec<Part>, finish: Option<&'static str>) -> Candidate {
    Candidate {
        content: Some(Content {
            parts,
            role: "model",
        }),
        finish_reason: finish,
        safety_ratings: None,
        index: 0,
    }
}

/// A refused prompt or answer; the same whole or streamed.
fn refusal(plan: &Plan, meta: &Meta) -> Option<GenerateContentResponse> {
    match plan.outcome {
        Outcome::Blocked => {
            let mut blocked = response(meta, Vec::new(), &plan.usage);
            blocked.prompt_feedback = Some(json!({
                "blockReason": "SAFETY",
                "safetyRatings": refused_ratings(),
            }));
            Some(blocked)
        }
        Outcome::Unsafe => {
            let unsafe_answer = Candidate {
                content: None,
                finish_reason: Some(plan.finish),
                safety_ratings: Some(refused_ratings()),
                index: 0,
            };
            Some(response(meta, vec![unsafe_answer], &plan.usage))
        }
        _ => None,
    }
}

/// The non-streamed answer.
pub(crate) fn full(plan: &Plan, meta: &Meta) -> GenerateContentResponse {
    if let Some(refused) = refusal(plan, meta) {
        return refused;
    }
    let mut parts: Vec<Part> = plan.thought.iter().map(|t| Part::thought(t)).collect();
    match &plan.outcome {
        Outcome::Text { pieces, signature } => {
            parts.push(Part::text(pieces.concat(), signature.clone()));
        }
        Outcome::Calls(calls) => parts.extend(calls.iter().map(Part::call)),
        Outcome::Empty | Outcome::Blocked | Outcome::Unsafe => {}
    }
    response(meta, vec![candidate(parts, Some(plan.finish))], &plan.usage)
}

/// The streamed answer, chunk by chunk.
pub(crate) fn chunks(plan: &Plan, meta: &Meta) -> Vec<GenerateContentResponse> {
    if let Some(refused) = refusal(plan, meta) {
        return vec![refused];
    }
    let last_usage = plan.usage;
    // Candidates so far, never past the (possibly pinned) final count.
    let usage_after = |produced: u64| Usage {
        candidates: produced.min(last_usage.candidates),
        ..last_usage
    };
    let mut chunks = Vec::new();
    if let Some(thought) = plan.thought {
        chunks.push(response(
            meta,
            vec![candidate(vec![Part::thought(thought)], None)],
            &usage_after(0),
        ));
    }
    match &plan.outcome {
        Outcome::Text { pieces, signature } => {
            // `mock.chunks: 0` still streams one (empty) text chunk.
            let pieces = if pieces.is_empty() {
                vec![String::new()]
            } else {
                pieces.clone()
            };
            for (i, piece) in pieces.iter().enumerate() {
                let last = i + 1 == pieces.len();
                let part = Part::text(piece.clone(), signature.clone().filter(|_| last));
                let (finish, usage) = if last {
                    (Some(plan.finish), last_usage)
                } else {
                    (None, usage_after(i as u64 + 1))
                };
                chunks.push(response(meta, vec![candidate(vec![part], finish)], &usage));
            }
        }
        Outcome::Calls(calls) => {
            let parts = calls.iter().map(Part::call).collect();
            chunks.push(response(
                meta,
                vec![candidate(parts, Some(plan.finish))],
                &last_usage,
            ));
        }
        Outcome::Empty | Outcome::Blocked | Outcome::Unsafe => {
            chunks.push(response(
                meta,
                vec![candidate(Vec::new(), Some(plan.finish))],
                &last_usage,
            ));
        }
    }
    chunks
}
