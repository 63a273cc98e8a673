//! The Gemini mock: `models/{model}:generateContent` and friends, over real
//! HTTP. Each test's name states one behaviour the gateway's Gemini adapter
//! can rely on (or must cope with).

mod failures;
mod generate;
mod paths;
mod streaming;
pub mod support;
mod tools;
mod validation;
