//! OpenAI's Responses API, client side: what Codex CLI (which speaks nothing else) and the
//! SDKs' `responses.create` send, decoded into the canonical model, and the canonical answer
//! encoded back as a `response` object or as its event stream.
//!
//! When the provider is OpenAI the gateway passes Responses traffic through untouched and none
//! of this runs. For every other provider the request goes through [`decode_request`], the
//! answer through [`encode_response`] or the stream [`Encoder`], errors through
//! [`encode_error`].
//!
//! Three things do not fit the canonical model and are handled here:
//!
//! - **State between request and answer.** A `custom` (freeform) tool is a plain function to
//!   the provider, but its calls must go back to the client as `custom_tool_call` items with a
//!   raw `input` string; a `local_shell` call likewise as a `local_shell_call`. So
//!   [`decode_request`] returns a [`ResponsesContext`] next to the [`ChatRequest`] (the one
//!   deviation from the shared module conventions), and the answer side takes it back. The
//!   context also carries the request members a `response` object echoes.
//! - **Reasoning replay.** Codex asks for `reasoning.encrypted_content` and replays reasoning
//!   items verbatim on the next turn, and it replays nothing else of them (item ids and extra
//!   fields are dropped). So everything a provider needs back travels in `encrypted_content`,
//!   sealed with a `switchyard:` prefix ([`Sealed`]): an Anthropic thinking signature, an
//!   Anthropic redacted-thinking blob, or a Gemini thought signature (translation rules 8, 16). The
//!   prefix also tells apart OpenAI's own encrypted reasoning, which no other provider can read
//!   and which is therefore dropped, and lets a pass-through path strip ours before a request
//!   reaches OpenAI ([`is_gateway_reasoning`]).
//! - **Hosted tools and server-side state.** `web_search`, `image_generation`, `file_search`,
//!   `code_interpreter`, `computer_use_preview`, `mcp` and tool types newer than this gateway
//!   run inside OpenAI or are unknown here; Codex offers several on every turn, so they are left
//!   out (the model simply does not see them) and each leaves a warning in
//!   [`ResponsesContext::warnings`], rather than failing every turn. Only a `tool_choice` that
//!   forces one is refused, since that request means nothing without it. The same goes for
//!   input items only OpenAI can replay (hosted tool calls, compaction summaries). Anything
//!   that refers to state stored at OpenAI (`previous_response_id`, `conversation`, `prompt`,
//!   `item_reference`) is refused with a [`TranslateError`] naming the member: the conversation
//!   it stands for cannot be rebuilt.
//! - **Namespaces.** Codex groups tools in `namespace` tools (its sub-agent tools, MCP
//!   servers); the call it expects back is a `function_call` with the group in `namespace`.
//!   Other providers know no groups, so a namespaced tool reaches them as
//!   `<namespace>__<name>` ([`flatten`]), and the answer side splits the name again.
//!
//! [`ChatRequest`]: crate::canonical::ChatRequest
//! [`TranslateError`]: crate::canonical::TranslateError

mod error;
mod request;
mod response;
mod stream;
mod tools;
pub mod wire;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

pub use error::{encode_error, encode_translate_error};
pub use request::{decode_object, decode_request};
pub use response::encode_response;
pub use stream::Encoder;

/// What the answer side needs to know about the request it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponsesContext {
    /// Names of the client's `custom` tools: calls to them go back as `custom_tool_call` items
    /// whose `input` is the `input` argument of the canonical call.
    pub custom_tools: BTreeSet<String>,
    /// Whether the client declared the `local_shell` tool: calls named `local_shell` go back as
    /// `local_shell_call` items.
    pub local_shell: bool,
    /// Namespaced tools as the provider sees them: flattened name → (namespace, name). Calls
    /// to them go back as `function_call` items carrying their `namespace`.
    pub namespaced: BTreeMap<String, (String, String)>,
    /// What the request held that this provider cannot honour and that was left out (hosted
    /// tools, items only OpenAI can replay), for the request log and the client's headers.
    pub warnings: Vec<String>,
    /// Unix seconds, the response's `created_at`.
    pub created_at: u64,
    /// Request members the `response` object echoes, in OpenAI's order.
    pub echo: Map<String, Value>,
}

impl Default for ResponsesContext {
    /// A context for a request without custom tools, created now.
    fn default() -> Self {
        let created_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        ResponsesContext {
            custom_tools: BTreeSet::new(),
            local_shell: false,
            namespaced: BTreeMap::new(),
            warnings: Vec::new(),
            created_at,
            echo: Map::new(),
        }
    }
}

impl ResponsesContext {
    /// The provider-side name of a declared tool, remembering where a namespaced one came from.
    fn tool_name(&mut self, namespace: Option<&str>, name: &str) -> String {
        let flat = flatten(namespace, name);
        if let Some(namespace) = namespace {
            self.namespaced
                .insert(flat.clone(), (namespace.to_owned(), name.to_owned()));
        }
        flat
    }

    /// The namespace and own name of a tool the provider called by its flattened name.
    pub fn unflatten<'a>(&'a self, name: &'a str) -> (Option<&'a str>, &'a str) {
        match self.namespaced.get(name) {
            Some((namespace, own)) => (Some(namespace.as_str()), own.as_str()),
            None => (None, name),
        }
    }
}

/// Joins a namespace and a tool name the way MCP clients name server tools
/// (`multi_agent_v1__spawn_agent`): providers other than OpenAI have no namespaces, and the
/// double underscore keeps the name within `[A-Za-z0-9_-]`.
pub fn flatten(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(namespace) if !namespace.is_empty() => format!("{namespace}__{name}"),
        _ => name.to_owned(),
    }
}

/// The name under which `local_shell` calls reach the provider (and come back).
pub const LOCAL_SHELL: &str = "local_shell";

const SEALED_PREFIX: &str = "switchyard:";

/// What the gateway keeps in a reasoning item's `encrypted_content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sealed {
    /// The signature of a thinking block (Anthropic), with the summary text as the thinking.
    Signature(String),
    /// Anthropic's `redacted_thinking` data.
    Redacted(String),
    /// Gemini's thought signature of the function call that follows the reasoning item.
    ThoughtSignature(String),
}

impl Sealed {
    pub fn seal(&self) -> String {
        let (kind, payload) = match self {
            Sealed::Signature(s) => ("signature", s),
            Sealed::Redacted(s) => ("redacted", s),
            Sealed::ThoughtSignature(s) => ("thought_signature", s),
        };
        format!("{SEALED_PREFIX}{kind}:{payload}")
    }

    /// `None` for content the gateway did not seal (OpenAI's own encrypted reasoning).
    pub fn open(encrypted_content: &str) -> Option<Sealed> {
        let rest = encrypted_content.strip_prefix(SEALED_PREFIX)?;
        let (kind, payload) = rest.split_once(':')?;
        let payload = payload.to_owned();
        match kind {
            "signature" => Some(Sealed::Signature(payload)),
            "redacted" => Some(Sealed::Redacted(payload)),
            "thought_signature" => Some(Sealed::ThoughtSignature(payload)),
            _ => None,
        }
    }
}

/// True for `encrypted_content` this gateway produced. OpenAI cannot decrypt it: a request
/// passed through to OpenAI must not carry reasoning items holding it.
pub fn is_gateway_reasoning(encrypted_content: &str) -> bool {
    encrypted_content.starts_with(SEALED_PREFIX)
}

/// The response id for a canonical id: OpenAI's ids start with `resp_`.
fn response_id(id: &str) -> String {
    if id.starts_with("resp_") {
        id.to_owned()
    } else {
        format!("resp_{id}")
    }
}

/// Output item ids: the item kind's prefix, the response id's suffix and the output index, so
/// they are unique across responses and stable within one.
fn item_id(prefix: &str, response_id: &str, output_index: usize) -> String {
    let base = response_id.strip_prefix("resp_").unwrap_or(response_id);
    format!("{prefix}_{base}_{output_index}")
}

#[cfg(test)]
mod tests;
