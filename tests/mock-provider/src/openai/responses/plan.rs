//! The deterministic answer to a checked request, as output items made of
//! pieces (one output token each), and its usage.
//!
//! - With reasoning on (`reasoning` set, effort not `none`): first a
//!   `reasoning` item costing 16 reasoning tokens, with the summary
//!   `**Thinking**\n\nLet me think.` when a summary is requested and an
//!   `encrypted_content` when `include` asks for it.
//! - Calls when function or custom tools are offered and `tool_choice`
//!   allows them, if the last input item is the user's message or the choice
//!   forces a call: one call to the first allowed tool (or the named one),
//!   or to every allowed tool with `mock.parallel_tools` unless
//!   `parallel_tool_calls` is false. Function arguments hold one sample
//!   value per schema property; a custom tool's input is `mock input`.
//!   A `[[mock-tool NAME {args}]]` directive in the user's message calls
//!   that tool with those arguments instead (see [`crate::directive`]).
//! - Else a message: `Tool result received: <output>` after a tool output,
//!   else `Hello! This is a mock answer from <model>.` (in words, or
//!   `mock.chunks` synthetic pieces); with a `json_schema` format the
//!   schema's sample object, with `json_object` `{"message": <that text>}`.
//!
//! `max_output_tokens` then cuts the answer: reasoning first, then the
//! message's pieces; a call that no longer fits is dropped whole.
//!
//! Input tokens: the instructions' text, 4 per input item plus its text
//! (`ceil(chars / 4)`), 10 per tool, plus the conversation carried over from
//! the previous response.

use serde_json::{Value, json};

use super::encrypted;
use super::object::Usage;
use super::request::{CallKind, Format, Item, Request, Role, Tool, ToolKind};
use crate::directive::Directive;
use crate::ids;
use crate::openai::usage::{REASONING_TOKENS, text_tokens};
use crate::sample;
use crate::script::{Knobs, split_even, split_words};

/// The reasoning summary.
pub(crate) const SUMMARY: &str = "**Thinking**\n\nLet me think.";
/// The input of every custom tool call.
pub(crate) const CUSTOM_INPUT: &str = "mock input";
/// Tokens each input item costs on top of its text.
const TOKENS_PER_ITEM: u64 = 4;
/// Tokens each tool definition costs.
const TOKENS_PER_TOOL: u64 = 10;
/// How many fragments call arguments and custom inputs are streamed in.
const FRAGMENTS: usize = 3;
/// Hex digits after the prefix of response and item ids (`resp_…`, `msg_…`).
const ID_DIGITS: usize = 50;

/// One planned output item, in the pieces it is streamed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Planned {
    Reasoning {
        id: String,
        /// The summary's pieces, when a summary was requested.
        summary: Option<Vec<String>>,
        encrypted_content: Option<String>,
    },
    Message {
        id: String,
        pieces: Vec<String>,
        /// False when `max_output_tokens` cut it.
        complete: bool,
    },
    FunctionCall {
        id: String,
        call_id: String,
        name: String,
        fragments: Vec<String>,
    },
    CustomToolCall {
        id: String,
        call_id: String,
        name: String,
        fragments: Vec<String>,
    },
}

impl Planned {
    /// Visible output tokens (reasoning is counted apart).
    fn tokens(&self) -> u64 {
        match self {
            Planned::Reasoning { .. } => 0,
            Planned::Message { pieces, .. } => pieces.len() as u64,
            Planned::FunctionCall { fragments, .. } | Planned::CustomToolCall { fragments, .. } => {
                fragments.len() as u64
            }
        }
    }

    pub(crate) fn id(&self) -> &str {
        match self {
            Planned::Reasoning { id, .. }
            | Planned::Message { id, .. }
            | Planned::FunctionCall { id, .. }
            | Planned::CustomToolCall { id, .. } => id,
        }
    }

    /// The call this item makes, which a follow-up must answer.
    pub(crate) fn call(&self) -> Option<(CallKind, String)> {
        match self {
            Planned::FunctionCall { call_id, .. } => Some((CallKind::Function, call_id.clone())),
            Planned::CustomToolCall { call_id, .. } => Some((CallKind::Custom, call_id.clone())),
            _ => None,
        }
    }
}

/// The planned answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// `resp_…`.
    pub(crate) id: String,
    pub(crate) items: Vec<Planned>,
    /// `max_output_tokens` cut the answer.
    pub(crate) incomplete: bool,
    pub(crate) usage: Usage,
    /// What a follow-up with `previous_response_id` carries over.
    pub(crate) context_tokens: u64,
}

/// Hands out the ids of one response.
struct Ids {
    seed: u64,
    issued: u64,
}

impl Ids {
    fn next(&mut self, prefix: &str) -> String {
        self.issued += 1;
        format!(
            "{prefix}{}",
            ids::hex(self.seed.wrapping_add(self.issued), ID_DIGITS)
        )
    }

    fn call_id(&mut self) -> String {
        self.issued += 1;
        format!(
            "call_{}",
            ids::alnum(self.seed.wrapping_add(self.issued), 24)
        )
    }
}

impl Reply {
    /// Plans the answer to `request`; `previous_context` is what the
    /// previous response carries over.
    pub(crate) fn plan(
        request: &Request<'_>,
        knobs: &Knobs,
        seed: u64,
        previous_context: u64,
    ) -> Reply {
        let mut ids = Ids { seed, issued: 0 };
        let id = ids.next("resp_");
        let mut items = Vec::new();
        if request.reasoning.on {
            let id = ids.next("rs_");
            let encrypted_content = request
                .include_encrypted
                .then(|| encrypted::seal(format!("{id}:{SUMMARY}").as_bytes(), seed));
            items.push(Planned::Reasoning {
                id,
                summary: request.reasoning.summary.map(|_| split_words(SUMMARY)),
                encrypted_content,
            });
        }
        let directed = directed_call(request, &mut ids);
        let called = if directed.is_some() {
            Vec::new()
        } else {
            called_tools(request, knobs)
        };
        if let Some(item) = directed {
            items.push(item);
        } else if called.is_empty() {
            items.push(Planned::Message {
                id: ids.next("msg_"),
                pieces: knobs.pieces(&answer_text(request)),
                complete: true,
            });
        }
        for tool in called {
            items.push(match tool.kind {
                ToolKind::Custom => Planned::CustomToolCall {
                    id: ids.next("ctc_"),
                    call_id: ids.call_id(),
                    name: tool.name.to_owned(),
                    fragments: split_even(CUSTOM_INPUT, FRAGMENTS),
                },
                _ => Planned::FunctionCall {
                    id: ids.next("fc_"),
                    call_id: ids.call_id(),
                    name: tool.name.to_owned(),
                    fragments: split_even(
                        &Value::Object(sample::arguments(tool.parameters)).to_string(),
                        FRAGMENTS,
                    ),
                },
            });
        }
        let reasoning = if request.reasoning.on {
            REASONING_TOKENS
        } else {
            0
        };
        let fitted = fit(items, reasoning, request.max_output_tokens);
        let conversation = previous_context
            + request
                .items
                .iter()
                .map(|item| TOKENS_PER_ITEM + text_tokens(item.text()))
                .sum::<u64>();
        let input = conversation
            + request.instructions.map_or(0, text_tokens)
            + TOKENS_PER_TOOL * request.tools.len() as u64;
        Reply {
            id,
            items: fitted.items,
            incomplete: fitted.incomplete,
            usage: Usage::compute(input, fitted.reasoning, fitted.visible, &knobs.usage),
            context_tokens: conversation + fitted.visible,
        }
    }
}

/// The call a `[[mock-tool …]]` directive in the user's last message asks
/// for, or a message naming the offered tools when none matches.
fn directed_call(request: &Request<'_>, ids: &mut Ids) -> Option<Planned> {
    let Some(Item::Message {
        role: Role::User,
        text,
    }) = request.items.last()
    else {
        return None;
    };
    let directive = Directive::find(text)?;
    let offered: Vec<&str> = request
        .tools
        .iter()
        .filter(|t| t.callable() && request.tool_choice.allows(t))
        .map(|t| t.name)
        .collect();
    if offered.is_empty() {
        return None;
    }
    let Some(name) = directive.pick(&offered) else {
        return Some(Planned::Message {
            id: ids.next("msg_"),
            pieces: split_words(&directive.unmatched(&offered)),
            complete: true,
        });
    };
    let kind = request
        .tools
        .iter()
        .find(|t| t.name == name)
        .map_or(ToolKind::Function, |t| t.kind);
    Some(match kind {
        ToolKind::Custom => Planned::CustomToolCall {
            id: ids.next("ctc_"),
            call_id: ids.call_id(),
            name: name.to_owned(),
            fragments: split_even(
                directive
                    .args
                    .get("input")
                    .and_then(Value::as_str)
                    .unwrap_or(CUSTOM_INPUT),
                FRAGMENTS,
            ),
        },
        _ => Planned::FunctionCall {
            id: ids.next("fc_"),
            call_id: ids.call_id(),
            name: name.to_owned(),
            fragments: split_even(&directive.arguments(), FRAGMENTS),
        },
    })
}

/// The tools the answer calls; empty for a message.
fn called_tools<'r>(request: &'r Request<'_>, knobs: &Knobs) -> Vec<&'r Tool<'r>> {
    let choice = &request.tool_choice;
    let allowed: Vec<&Tool<'_>> = request
        .tools
        .iter()
        .filter(|t| t.callable() && choice.allows(t))
        .collect();
    let user_spoke_last = matches!(
        request.items.last(),
        Some(Item::Message {
            role: Role::User,
            ..
        })
    );
    if !(choice.forces_call() || user_spoke_last) {
        return Vec::new();
    }
    if request.parallel_tool_calls && knobs.parallel_tools {
        allowed
    } else {
        allowed.into_iter().take(1).collect()
    }
}

/// The message's text, in the requested format.
fn answer_text(request: &Request<'_>) -> String {
    let text = match request.items.last() {
        Some(Item::Output { text, .. }) => format!("Tool result received: {text}"),
        _ => format!("Hello! This is a mock answer from {}.", request.model),
    };
    match request.format {
        Format::Text => text,
        Format::JsonObject => json!({ "message": text }).to_string(),
        Format::JsonSchema(schema) => Value::Object(sample::arguments(Some(schema))).to_string(),
    }
}

/// Items that fit `max_output_tokens`, and the tokens they cost.
#[derive(Debug)]
struct Fitted {
    items: Vec<Planned>,
    reasoning: u64,
    visible: u64,
    incomplete: bool,
}

fn fit(items: Vec<Planned>, reasoning: u64, max: Option<u64>) -> Fitted {
    let visible: u64 = items.iter().map(Planned::tokens).sum();
    let Some(max) = max.filter(|max| reasoning + visible > *max) else {
        return Fitted {
            items,
            reasoning,
            visible,
            incomplete: false,
        };
    };
    let mut budget = max.saturating_sub(reasoning);
    let mut kept = Vec::new();
    for item in items {
        match item {
            Planned::Reasoning { .. } => kept.push(item),
            Planned::Message { id, mut pieces, .. } if budget > 0 => {
                let complete = pieces.len() as u64 <= budget;
                pieces.truncate(usize::try_from(budget).unwrap_or(usize::MAX));
                budget -= pieces.len() as u64;
                kept.push(Planned::Message {
                    id,
                    pieces,
                    complete,
                });
            }
            call if call.tokens() <= budget && call.tokens() > 0 => {
                budget -= call.tokens();
                kept.push(call);
            }
            _ => budget = 0,
        }
    }
    Fitted {
        items: kept,
        reasoning: reasoning.min(max),
        visible: max.saturating_sub(reasoning) - budget,
        incomplete: true,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn message(n: usize) -> Planned {
        Planned::Message {
            id: "msg".into(),
            pieces: vec!["w".into(); n],
            complete: true,
        }
    }

    fn reasoning() -> Planned {
        Planned::Reasoning {
            id: "rs".into(),
            summary: None,
            encrypted_content: None,
        }
    }

    #[test]
    fn an_answer_within_budget_is_kept_whole() {
        let fitted = fit(vec![message(8)], 0, Some(16));
        assert!(!fitted.incomplete);
        assert_eq!(fitted.visible, 8);
    }

    #[test]
    fn the_message_is_cut_to_what_reasoning_leaves() {
        let fitted = fit(vec![reasoning(), message(8)], 16, Some(20));
        assert!(fitted.incomplete);
        assert_eq!(fitted.visible, 4);
        assert_eq!(
            fitted.items[1],
            Planned::Message {
                id: "msg".into(),
                pieces: vec!["w".into(); 4],
                complete: false,
            }
        );
    }

    #[test]
    fn reasoning_can_use_the_whole_budget() {
        let fitted = fit(vec![reasoning(), message(8)], 16, Some(16));
        assert!(fitted.incomplete);
        assert_eq!(fitted.items, vec![reasoning()]);
        assert_eq!((fitted.reasoning, fitted.visible), (16, 0));
    }
}
