//! `POST /v1/messages`: the deterministic answer and its non-streamed
//! `message` form. The streamed form (named SSE events) lives in [`stream`].
//!
//! The answer, planned as content blocks of pieces (one output token each):
//! - with thinking on, first a `thinking` block ("Let me think about this.",
//!   empty when `display` is `omitted`) with a `signature`;
//! - `tool_use` blocks when custom tools are offered, `tool_choice` is not
//!   `none` and the last message is the user's own text: one call to the
//!   first tool (or the one `tool_choice` names), or one per tool with
//!   `mock.parallel_tools` unless `disable_parallel_tool_use`; the input has
//!   one sample value per schema property (or the tool and input a
//!   `[[mock-tool …]]` directive in that text names, see
//!   [`crate::directive`]); stop reason `tool_use`;
//! - else text: `Tool result received: <text of the last tool_result>` when
//!   the last message answers tools, else `Hello! This is a mock answer from
//!   <model>.` (pieces are words, or `mock.chunks` synthetic ones); a
//!   `stop_sequences` entry in it cuts it there (stop reason `stop_sequence`).
//!
//! Then `max_tokens` truncates the pieces (stop reason `max_tokens`).

mod stream;

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::request::{self, Block, Endpoint, Message, Request, Role, Thinking, ToolChoice};
use super::usage::{Usage, count_input};
use super::{ApiError, Begun, Exchange, begin};
use crate::directive::Directive;
use crate::ids::{self, splitmix64};
use crate::sample;
use crate::script::{Script, split_even, split_words};
use crate::sse::Event;
use crate::{AppState, Shared};

/// The text of every thinking block.
const THINKING: &str = "Let me think about this.";
/// How many fragments a tool input is streamed in (after an empty first one).
const INPUT_FRAGMENTS: usize = 3;

pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(exchange): Extension<Exchange>,
    raw: Bytes,
) -> Response {
    match respond(&state, &exchange, &raw).await {
        Ok(response) => response,
        Err(error) => error.with_request_id(&exchange.request_id).into_response(),
    }
}

async fn respond(state: &Shared, exchange: &Exchange, raw: &Bytes) -> Result<Response, ApiError> {
    let begun = begin(raw).await?;
    let request = request::check(&begun.body, Endpoint::Messages, exchange.version)?;
    let seed = state.next_seed();
    let reply = Reply::plan(&begun, &request, seed);
    let split = state.prompt_cache.apply(&count_input(&request));
    let usage = Usage::compute(split, reply.output_tokens(), &begun.knobs.usage);
    let id = format!("msg_01{}", ids::alnum(seed, 22));
    if request.stream {
        Ok(stream::respond(&begun, &id, &reply, usage))
    } else {
        let message = MessageBody::complete(&id, &begun.model, &reply, usage);
        Ok(finish_json(begun.script, &message, &exchange.request_id))
    }
}

/// The planned answer.
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) blocks: Vec<Planned>,
    pub(super) stop_reason: &'static str,
    pub(super) stop_sequence: Option<String>,
}

/// One planned content block, in the pieces it is streamed in.
#[derive(Debug, Clone)]
pub(super) enum Planned {
    Thinking {
        pieces: Vec<String>,
        signature: String,
    },
    Text {
        pieces: Vec<String>,
    },
    ToolUse {
        id: String,
        name: String,
        fragments: Vec<String>,
    },
}

impl Planned {
    /// Output tokens: one per piece or input fragment.
    fn tokens(&self) -> usize {
        match self {
            Planned::Thinking { pieces, .. } | Planned::Text { pieces } => pieces.len(),
            Planned::ToolUse { fragments, .. } => fragments.len(),
        }
    }

    /// The block cut to its first `n` pieces.
    fn keep_first(mut self, n: usize) -> Planned {
        match &mut self {
            Planned::Thinking { pieces, .. } | Planned::Text { pieces } => pieces.truncate(n),
            Planned::ToolUse { fragments, .. } => fragments.truncate(n),
        }
        self
    }
}

impl Reply {
    fn plan(begun: &Begun, request: &Request<'_>, seed: u64) -> Reply {
        let mut blocks = Vec::new();
        if let Thinking::On { omitted } = request.thinking {
            blocks.push(Planned::Thinking {
                pieces: if omitted {
                    Vec::new()
                } else {
                    split_words(THINKING)
                },
                signature: signature(seed),
            });
        }
        let last = request.messages.last();
        let tool_results: Vec<&str> = last
            .filter(|m| m.role == Role::User)
            .map(|m| {
                m.blocks
                    .iter()
                    .filter_map(|b| match b {
                        Block::ToolResult { text, .. } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let users_turn = last.is_some_and(|m| m.role == Role::User);
        let directed = if users_turn && tool_results.is_empty() {
            last.and_then(|m| directed_call(m, request, seed))
        } else {
            None
        };
        let (calls, unmatched) = match directed {
            Some(Ok(call)) => (vec![call], None),
            Some(Err(text)) => (Vec::new(), Some(text)),
            None if users_turn && tool_results.is_empty() => {
                (tool_calls(begun, request, seed), None)
            }
            None => (Vec::new(), None),
        };
        let mut stop_reason = "end_turn";
        let mut stop_sequence = None;
        if calls.is_empty() {
            let text = match (unmatched, tool_results.last()) {
                (Some(text), _) => text,
                (None, Some(result)) => format!("Tool result received: {result}"),
                (None, None) => format!("Hello! This is a mock answer from {}.", begun.model),
            };
            let mut pieces = begun.knobs.pieces(&text);
            if let Some((kept, sequence)) = cut_at_stop_sequence(&pieces, &request.stop_sequences) {
                pieces = kept;
                stop_reason = "stop_sequence";
                stop_sequence = Some(sequence);
            }
            if !pieces.is_empty() {
                blocks.push(Planned::Text { pieces });
            }
        } else {
            blocks.extend(calls);
            stop_reason = "tool_use";
        }
        let max_tokens =
            usize::try_from(request.max_tokens.unwrap_or(u64::MAX)).unwrap_or(usize::MAX);
        let (blocks, truncated) = truncate(blocks, max_tokens);
        if truncated {
            stop_reason = "max_tokens";
            stop_sequence = None;
        }
        Reply {
            blocks,
            stop_reason,
            stop_sequence,
        }
    }

    pub(super) fn output_tokens(&self) -> u64 {
        self.blocks.iter().map(|b| b.tokens() as u64).sum()
    }
}

/// The `tool_use` block a `[[mock-tool …]]` directive in the user's text asks
/// for; Err with the answer's text when no offered tool matches; None without
/// a directive, custom tools or a `tool_choice` that allows calls.
fn directed_call(
    message: &Message<'_>,
    request: &Request<'_>,
    seed: u64,
) -> Option<Result<Planned, String>> {
    let text: String = message
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Text { text, .. } => Some(*text),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let directive = Directive::find(&text)?;
    let offered: Vec<&str> = request
        .tools
        .iter()
        .filter(|t| t.is_custom())
        .map(|t| t.name)
        .collect();
    if offered.is_empty() || request.tool_choice == ToolChoice::None {
        return None;
    }
    let Some(name) = directive.pick(&offered) else {
        return Some(Err(directive.unmatched(&offered)));
    };
    Some(Ok(Planned::ToolUse {
        id: format!("toolu_01{}", ids::alnum(seed.wrapping_add(1), 22)),
        name: name.to_owned(),
        fragments: split_even(&directive.arguments(), INPUT_FRAGMENTS),
    }))
}

/// The `tool_use` blocks for this turn, or none when it should be text.
fn tool_calls(begun: &Begun, request: &Request<'_>, seed: u64) -> Vec<Planned> {
    let custom: Vec<_> = request.tools.iter().filter(|t| t.is_custom()).collect();
    let selected: Vec<_> = match request.tool_choice {
        ToolChoice::None => Vec::new(),
        ToolChoice::Tool { name, .. } => request.tools.iter().filter(|t| t.name == name).collect(),
        ToolChoice::Auto { parallel } | ToolChoice::Any { parallel } => {
            if parallel && begun.knobs.parallel_tools {
                custom
            } else {
                custom.into_iter().take(1).collect()
            }
        }
    };
    selected
        .into_iter()
        .enumerate()
        .map(|(i, tool)| {
            let input = Value::Object(sample::arguments(tool.schema)).to_string();
            Planned::ToolUse {
                id: format!(
                    "toolu_01{}",
                    ids::alnum(seed.wrapping_add(i as u64 + 1), 22)
                ),
                name: tool.name.to_owned(),
                fragments: split_even(&input, INPUT_FRAGMENTS),
            }
        })
        .collect()
}

/// A thinking signature: base64 like the real ones (which start `Eq…`).
fn signature(seed: u64) -> String {
    let mut state = seed;
    let mut bytes = vec![0x12, 0xA4, 0x01];
    while bytes.len() < 96 {
        bytes.extend_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    STANDARD.encode(bytes)
}

/// Cuts `pieces` before the earliest stop sequence found in their text.
fn cut_at_stop_sequence(pieces: &[String], stops: &[&str]) -> Option<(Vec<String>, String)> {
    let text = pieces.concat();
    let (at, sequence) = stops
        .iter()
        .filter_map(|s| text.find(s).map(|at| (at, *s)))
        .min_by_key(|(at, _)| *at)?;
    let mut kept = Vec::new();
    let mut offset = 0;
    for piece in pieces {
        if offset >= at {
            break;
        }
        let end = offset + piece.len();
        kept.push(if end <= at {
            piece.clone()
        } else {
            piece[..at - offset].to_owned()
        });
        offset = end;
    }
    Some((kept, sequence.to_owned()))
}

/// Keeps the first `budget` pieces; says whether anything was cut.
fn truncate(blocks: Vec<Planned>, budget: usize) -> (Vec<Planned>, bool) {
    if budget == 0 {
        // max_tokens 0 only warms the prompt cache: no content at all.
        return (Vec::new(), true);
    }
    let mut left = budget;
    let mut kept = Vec::new();
    for block in blocks {
        let tokens = block.tokens();
        if tokens <= left {
            left -= tokens;
            kept.push(block);
            continue;
        }
        if left > 0 {
            kept.push(block.keep_first(left));
        }
        return (kept, true);
    }
    (kept, false)
}

/// A `message` object: the whole answer, or `message_start`'s empty one.
#[derive(Debug, Serialize)]
pub(super) struct MessageBody<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    role: &'static str,
    model: &'a str,
    content: Vec<ContentBlock>,
    stop_reason: Option<&'static str>,
    stop_sequence: Option<String>,
    usage: Usage,
}

/// A content block of an answer.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ContentBlock {
    Thinking {
        thinking: String,
        signature: String,
    },
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
}

impl<'a> MessageBody<'a> {
    fn complete(id: &'a str, model: &'a str, reply: &Reply, usage: Usage) -> Self {
        MessageBody {
            id,
            kind: "message",
            role: "assistant",
            model,
            content: reply.blocks.iter().map(ContentBlock::complete).collect(),
            stop_reason: Some(reply.stop_reason),
            stop_sequence: reply.stop_sequence.clone(),
            usage,
        }
    }

    /// The message `message_start` carries: no content, no stop reason yet.
    pub(super) fn started(id: &'a str, model: &'a str, usage: Usage) -> Self {
        MessageBody {
            id,
            kind: "message",
            role: "assistant",
            model,
            content: Vec::new(),
            stop_reason: None,
            stop_sequence: None,
            usage: usage.started(),
        }
    }
}

impl ContentBlock {
    /// The finished block.
    fn complete(block: &Planned) -> ContentBlock {
        match block {
            Planned::Thinking { pieces, signature } => ContentBlock::Thinking {
                thinking: pieces.concat(),
                signature: signature.clone(),
            },
            Planned::Text { pieces } => ContentBlock::Text {
                text: pieces.concat(),
            },
            Planned::ToolUse {
                id,
                name,
                fragments,
            } => ContentBlock::ToolUse {
                id: id.clone(),
                name: name.clone(),
                // A truncated input is not JSON: the block keeps an empty one.
                input: serde_json::from_str(&fragments.concat())
                    .unwrap_or_else(|_| Value::Object(serde_json::Map::new())),
            },
        }
    }

    /// The block as `content_block_start` opens it: empty.
    pub(super) fn opening(block: &Planned) -> ContentBlock {
        match block {
            Planned::Thinking { .. } => ContentBlock::Thinking {
                thinking: String::new(),
                signature: String::new(),
            },
            Planned::Text { .. } => ContentBlock::Text {
                text: String::new(),
            },
            Planned::ToolUse { id, name, .. } => ContentBlock::ToolUse {
                id: id.clone(),
                name: name.clone(),
                input: Value::Object(serde_json::Map::new()),
            },
        }
    }
}

/// A non-streamed answer; `midstream-reset` cuts it halfway through the
/// body and `midstream-error` turns it into a 529 `overloaded_error`.
pub(super) fn finish_json<T: Serialize>(script: Script, answer: &T, request_id: &str) -> Response {
    match script {
        Script::MidstreamReset => {
            let json = serde_json::to_vec(answer).unwrap_or_default();
            let half = json.len() / 2;
            let events = vec![Event::Frame(Bytes::from(json).slice(..half)), Event::Reset];
            let mut response = Response::new(crate::sse::body(events, Duration::ZERO));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Script::MidstreamError => ApiError::overloaded()
            .with_request_id(request_id)
            .into_response(),
        _ => Json(answer).into_response(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        split_words(text)
    }

    #[test]
    fn a_stop_sequence_cuts_the_text_before_it() {
        let pieces = words("Hello! This is a mock answer.");
        let (kept, sequence) = cut_at_stop_sequence(&pieces, &["zzz", "mock", "is"]).unwrap();
        assert_eq!(kept.concat(), "Hello! Th");
        assert_eq!(sequence, "is");
        assert_eq!(cut_at_stop_sequence(&pieces, &["zzz"]), None);
    }

    #[test]
    fn truncation_keeps_the_first_pieces_across_blocks() {
        let blocks = vec![
            Planned::Thinking {
                pieces: words("a b c"),
                signature: String::new(),
            },
            Planned::Text {
                pieces: words("d e f"),
            },
        ];
        let (kept, truncated) = truncate(blocks.clone(), 4);
        assert!(truncated);
        assert_eq!(kept.iter().map(Planned::tokens).collect::<Vec<_>>(), [3, 1]);
        let (kept, truncated) = truncate(blocks, 6);
        assert!(!truncated);
        assert_eq!(kept.len(), 2);
    }

    #[test]
    fn signatures_are_base64_and_start_like_real_ones() {
        let signature = signature(7);
        assert!(signature.starts_with("EqQB"));
        assert!(STANDARD.decode(&signature).is_ok());
    }
}
