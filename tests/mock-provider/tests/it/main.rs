//! Integration tests of the mock itself, over real HTTP with reqwest.
//!
//! They pin down the wire format other crates' tests rely on; each test's
//! name states one behaviour of the mock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod anthropic_count_tokens;
mod anthropic_failures;
mod anthropic_messages;
mod anthropic_models;
mod anthropic_streaming;
mod anthropic_support;
mod anthropic_validation;
mod binary;
mod chat;
mod completions;
mod embeddings;
mod failures;
mod gemini;
mod lifecycle;
mod mock_tool;
mod models;
mod recording;
mod responses;
mod responses_failures;
mod responses_streaming;
mod responses_support;
mod responses_validation;
mod streaming;
mod support;
