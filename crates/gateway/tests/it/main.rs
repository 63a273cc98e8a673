//! Integration tests of the gateway: a real `Gateway` on port 0 in front of mock providers
//! that speak OpenAI's wire format, driven over HTTP like any client would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod cache;
mod client_fixtures;
mod client_input;
mod client_keys;
mod conformance;
mod connect;
mod costs;
mod dashboard_api;
mod failures;
mod fallback;
mod gemini_api;
mod harness;
mod history_trouble;
mod key_rotation;
mod keys;
mod newer_clients;
mod passthrough;
mod private_files;
mod reload;
mod request_span;
mod retries;
mod rogue;
mod security;
mod telemetry;
mod timeouts;
mod upstream_limits;
mod walk_away;
