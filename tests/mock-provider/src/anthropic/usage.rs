//! Anthropic usage: deterministic token counts, a prompt cache that behaves
//! like the real one, and the `usage` object in Anthropic's semantics.
//!
//! Anthropic's `input_tokens` excludes the tokens read from or written to the
//! prompt cache (unlike OpenAI's `prompt_tokens`), which is the most reported
//! cost bug in gateways; the mock reports the three numbers separately so
//! tests can catch double counting.
//!
//! Counting follows the OpenAI mock: a text costs `ceil(chars / 4)` tokens,
//! each message 4 more (the system prompt counts as one message), each tool
//! definition 10; `tool_use` blocks cost their name and input JSON, thinking
//! blocks their text; images and documents cost nothing. `count_tokens`
//! answers the same total.
//!
//! Caching: every `cache_control` breakpoint (and a top-level `cache_control`,
//! which marks the last block) names the prefix up to it. A prefix the server
//! has seen before is read from the cache, the rest up to the last breakpoint
//! is written to it. Unlike the real service there is no minimum cacheable
//! length, so tests can use short prompts.

use std::collections::HashSet;
use std::sync::Mutex;

use serde::Serialize;

use super::request::{Block, Request, Role, Ttl};
use crate::ids::fnv1a64;
use crate::openai::text_tokens;
use crate::script::UsageOverride;

/// Tokens each message (and a non-empty system prompt) costs on top of its text.
pub const TOKENS_PER_MESSAGE: u64 = 4;
/// Tokens each tool definition costs.
pub const TOKENS_PER_TOOL: u64 = 10;

/// The usage object of a message (and of `message_start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Usage {
    /// Input tokens that were neither read from nor written to the cache.
    pub input_tokens: u64,
    pub cache_creation_input_tokens: u64,
    pub cache_read_input_tokens: u64,
    pub cache_creation: CacheCreation,
    pub output_tokens: u64,
    pub service_tier: &'static str,
}

/// `usage.cache_creation`: cache writes split by time to live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct CacheCreation {
    pub ephemeral_5m_input_tokens: u64,
    pub ephemeral_1h_input_tokens: u64,
}

/// The input side of a request: its total and its cache breakpoints.
#[derive(Debug)]
pub(crate) struct InputCount {
    pub(crate) total: u64,
    breakpoints: Vec<Breakpoint>,
}

/// A cacheable prefix: its tokens, a key for its content, its TTL.
#[derive(Debug, Clone, Copy)]
struct Breakpoint {
    tokens: u64,
    key: u64,
    ttl: Ttl,
}

/// Prefixes written to the cache, by key. One per server.
#[derive(Debug, Default)]
pub(crate) struct PromptCache {
    written: Mutex<HashSet<u64>>,
}

/// How a request's input splits between fresh, cache-read and cache-written tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InputSplit {
    pub(crate) fresh: u64,
    pub(crate) read: u64,
    pub(crate) written: u64,
    pub(crate) written_ttl: Ttl,
}

impl PromptCache {
    /// Reads the longest cached prefix and writes every breakpoint's prefix.
    pub(crate) fn apply(&self, count: &InputCount) -> InputSplit {
        let Some(last) = count.breakpoints.last() else {
            return InputSplit {
                fresh: count.total,
                read: 0,
                written: 0,
                written_ttl: Ttl::FiveMinutes,
            };
        };
        let mut written = self
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let read = count
            .breakpoints
            .iter()
            .filter(|b| written.contains(&b.key))
            .map(|b| b.tokens)
            .max()
            .unwrap_or(0);
        written.extend(count.breakpoints.iter().map(|b| b.key));
        InputSplit {
            fresh: count.total - last.tokens,
            read,
            written: last.tokens - read,
            written_ttl: last.ttl,
        }
    }
}

/// Counts a checked request's input tokens and notes its cache breakpoints.
pub(crate) fn count_input(request: &Request<'_>) -> InputCount {
    let mut counter = Counter {
        tokens: 0,
        key: fnv1a64(request.model.as_bytes()),
        breakpoints: Vec::new(),
    };
    for tool in &request.tools {
        counter.add(TOKENS_PER_TOOL, tool.name.as_bytes());
        if let Some(schema) = tool.schema {
            counter.add(0, schema.to_string().as_bytes());
        }
        counter.mark(tool.cache);
    }
    if !request.system.is_empty() {
        counter.add(TOKENS_PER_MESSAGE, b"system");
    }
    for block in &request.system {
        counter.block(block);
    }
    for message in &request.messages {
        let role: &[u8] = match message.role {
            Role::User => b"user",
            Role::Assistant => b"assistant",
        };
        counter.add(TOKENS_PER_MESSAGE, role);
        for block in &message.blocks {
            counter.block(block);
        }
    }
    if let Some(ttl) = request.cache_control {
        counter.mark(Some(ttl));
    }
    InputCount {
        total: counter.tokens,
        breakpoints: counter.breakpoints,
    }
}

/// Walks the prompt in order, keeping a running count and content key.
struct Counter {
    tokens: u64,
    key: u64,
    breakpoints: Vec<Breakpoint>,
}

impl Counter {
    fn add(&mut self, tokens: u64, content: &[u8]) {
        self.tokens += tokens;
        let mut bytes = self.key.to_le_bytes().to_vec();
        bytes.extend_from_slice(content);
        self.key = fnv1a64(&bytes);
    }

    fn mark(&mut self, ttl: Option<Ttl>) {
        if let Some(ttl) = ttl {
            self.breakpoints.push(Breakpoint {
                tokens: self.tokens,
                key: self.key,
                ttl,
            });
        }
    }

    fn block(&mut self, block: &Block<'_>) {
        match block {
            Block::Text { text, .. } => self.add(text_tokens(text), text.as_bytes()),
            Block::ToolUse {
                id, name, input, ..
            } => {
                let input = input.to_string();
                self.add(text_tokens(name) + text_tokens(&input), id.as_bytes());
                self.add(0, input.as_bytes());
            }
            Block::ToolResult {
                tool_use_id, text, ..
            } => {
                self.add(text_tokens(text), tool_use_id.as_bytes());
                self.add(0, text.as_bytes());
            }
            Block::Thinking { thinking } => self.add(text_tokens(thinking), thinking.as_bytes()),
            Block::Other { raw, .. } => self.add(0, raw.to_string().as_bytes()),
        }
        self.mark(block.cache());
    }
}

impl Usage {
    /// The usage of an answer of `output` tokens to input split as `split`,
    /// unless `mock.usage` pins the numbers.
    pub(crate) fn compute(split: InputSplit, output: u64, pinned: &UsageOverride) -> Usage {
        let written = pinned.cache_creation_input_tokens.unwrap_or(split.written);
        let (five_minutes, one_hour) = match split.written_ttl {
            Ttl::FiveMinutes => (written, 0),
            Ttl::OneHour => (0, written),
        };
        Usage {
            input_tokens: pinned.input_tokens.unwrap_or(split.fresh),
            cache_creation_input_tokens: written,
            cache_read_input_tokens: pinned.cache_read_input_tokens.unwrap_or(split.read),
            cache_creation: CacheCreation {
                ephemeral_5m_input_tokens: five_minutes,
                ephemeral_1h_input_tokens: one_hour,
            },
            output_tokens: pinned.output_tokens.unwrap_or(output),
            service_tier: "standard",
        }
    }

    /// The `message_start` form: input numbers final, output only begun.
    pub(crate) fn started(self) -> Usage {
        Usage {
            output_tokens: 1,
            ..self
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::anthropic::request::{ApiVersion, Endpoint, check};
    use serde_json::{Value, json};

    fn counted(body: &Value) -> InputCount {
        count_input(&check(body, Endpoint::Messages, ApiVersion::V2023_06_01).unwrap())
    }

    #[test]
    fn input_counts_text_messages_system_and_tools() {
        let body = json!({"model": "m", "max_tokens": 9, "system": "You are terse.",
            "tools": [{"name": "w", "input_schema": {"type": "object"}}],
            "messages": [{"role": "user", "content": "Hi there"}]});
        // tool 10 + system (4 + 4) + user (4 + 2) = 24
        assert_eq!(counted(&body).total, 24);
    }

    #[test]
    fn a_repeated_prefix_is_read_from_the_cache_and_the_rest_written() {
        let cache = PromptCache::default();
        let body = |question: &str| {
            json!({"model": "m", "max_tokens": 9,
                "system": [{"type": "text", "text": "A long shared system prompt.",
                            "cache_control": {"type": "ephemeral"}}],
                "messages": [{"role": "user", "content": question}]})
        };
        let first = cache.apply(&counted(&body("One?")));
        assert_eq!((first.fresh, first.read, first.written), (5, 0, 11));
        let second = cache.apply(&counted(&body("Two, longer?")));
        assert_eq!((second.fresh, second.read, second.written), (7, 11, 0));
    }

    #[test]
    fn one_hour_writes_are_reported_apart() {
        let split = InputSplit {
            fresh: 3,
            read: 0,
            written: 8,
            written_ttl: Ttl::OneHour,
        };
        let usage = Usage::compute(split, 2, &UsageOverride::default());
        assert_eq!(usage.cache_creation.ephemeral_1h_input_tokens, 8);
        assert_eq!(usage.cache_creation.ephemeral_5m_input_tokens, 0);
        assert_eq!(usage.started().output_tokens, 1);
    }
}
