//! Wire types of the LLM APIs Switchyard speaks, and pure functions over them.
//!
//! This crate owns what the bytes on the wire mean and nothing else: no HTTP server, no files,
//! no async runtime. The gateway reads requests and answers through it, so every format rule
//! (field names, usage semantics, error shapes) lives here once and is unit-tested here.
//!
//! - [`raw`] lets same-format traffic pass through untouched: only the top-level members are
//!   split out, nested values stay as the client's original bytes.
//! - [`usage`] is the canonical token count (OpenAI semantics) that every API's usage maps into.
//! - [`canonical`] is the model in the middle of every translation between formats.
//! - One module per API format: [`openai_chat`] (chat, legacy completions and embeddings share
//!   its usage and error shapes), `anthropic`, `gemini`, `openai_responses`.

pub mod anthropic;
pub mod canonical;
pub mod gemini;
pub mod media;
pub mod openai_chat;
pub mod openai_responses;
pub mod raw;
pub mod usage;

pub use media::Base64Text;
pub use raw::{RawObject, RawObjectError};
pub use usage::Usage;
