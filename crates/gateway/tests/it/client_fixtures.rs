//! Every request the published clients really sent (recorded by `tests/clients/run.sh` under
//! `tests/fixtures/clients/<client>/<version>/`) replayed through every translator.
//!
//! The real-client suite proves the clients work end to end but takes minutes; this replay
//! takes milliseconds and runs on every `cargo test`, so a translator change that would break
//! what Codex, Claude Code, Gemini CLI, opencode or Aider send fails here first. Bumping a
//! client and re-recording shows what it now sends as a fixture diff, and this test says
//! whether Switchyard still reads it.
//!
//! For each recorded request: decode it as its endpoint's API, then encode the canonical
//! request for each provider format (OpenAI chat, Anthropic Messages, Gemini). Anthropic
//! bodies must pass the mock's validator, which is as strict as Anthropic's API; a Responses
//! request must pass the mock's Responses validator too, since it is what a pass-through to
//! OpenAI sends.

use std::path::{Path, PathBuf};

use mock_provider::anthropic::{ApiVersion, validate_messages_request};
use serde_json::Value;
use switchyard_protocol::canonical::{ChatRequest, ToolNames};
use switchyard_protocol::{anthropic, gemini, openai_chat, openai_responses};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/clients")
}

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            fixture_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// The API a recorded request speaks, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Chat,
    Messages,
    Responses,
    Gemini,
}

fn api_of(path: &str) -> Option<Api> {
    let path = path.split('?').next().unwrap_or(path);
    if path.ends_with("/chat/completions") {
        Some(Api::Chat)
    } else if path.ends_with("/messages") || path.ends_with("/messages/count_tokens") {
        Some(Api::Messages)
    } else if path.ends_with("/responses") {
        Some(Api::Responses)
    } else if path.contains(":generateContent")
        || path.contains(":streamGenerateContent")
        || path.contains(":countTokens")
    {
        Some(Api::Gemini)
    } else {
        None
    }
}

fn decode(api: Api, body: &[u8]) -> Result<(ChatRequest, Vec<String>), String> {
    match api {
        Api::Chat => openai_chat::decode_request(body)
            .map(|r| (r, Vec::new()))
            .map_err(|e| e.message),
        Api::Messages => anthropic::decode_request_with_warnings(body).map_err(|e| e.message),
        Api::Responses => openai_responses::decode_request(body)
            .map(|(r, ctx)| (r, ctx.warnings))
            .map_err(|e| e.message),
        Api::Gemini => gemini::decode_client_request(body)
            .map(|d| (d.request, d.dropped))
            .map_err(|e| e.message),
    }
}

#[test]
fn every_recorded_client_request_is_read_and_translated_for_every_provider_format() {
    let mut files = Vec::new();
    fixture_files(&fixtures_dir(), &mut files);
    files.sort();
    let mut replayed = 0;
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let fixture: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", file.display()));
        let path = fixture["path"].as_str().unwrap_or_default();
        let Some(api) = api_of(path) else {
            continue; // GET /models and the like carry no body to translate.
        };
        let body = match &fixture["body"] {
            Value::String(text) => text.as_bytes().to_vec(),
            other => serde_json::to_vec(other).unwrap(),
        };
        let name = file.strip_prefix(fixtures_dir()).unwrap_or(file).display();
        let (mut request, _warnings) = match decode(api, &body) {
            Ok(decoded) => decoded,
            Err(e) => {
                failures.push(format!("{name}: {api:?} decode failed: {e}"));
                continue;
            }
        };
        request.model = "replayed-model".into();
        let tools = request.tools.len();
        let mut names = ToolNames::default();
        match openai_chat::encode_request(&request, &mut names) {
            Ok(body) => {
                let sent = body["tools"].as_array().map_or(0, Vec::len);
                if sent != tools {
                    failures.push(format!("{name}: OpenAI chat got {sent} of {tools} tools"));
                }
            }
            Err(e) => failures.push(format!("{name}: OpenAI chat encode failed: {}", e.message)),
        }
        match anthropic::encode_request(&request, &mut ToolNames::default()) {
            Ok(body) => {
                if let Err(e) = validate_messages_request(&body, ApiVersion::V2023_06_01) {
                    failures.push(format!("{name}: Anthropic would refuse it: {e:?}"));
                }
            }
            Err(e) => failures.push(format!("{name}: Anthropic encode failed: {}", e.message)),
        }
        if let Err(e) = gemini::encode_request(&request, &mut ToolNames::default()) {
            failures.push(format!("{name}: Gemini encode failed: {}", e.message));
        }
        if api == Api::Responses {
            let value: Value = serde_json::from_slice(&body).unwrap();
            if let Err(e) = mock_provider::openai::responses::validate_request(&value) {
                failures.push(format!(
                    "{name}: OpenAI's Responses API would refuse it: {e:?}"
                ));
            }
        }
        replayed += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} recorded requests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for client in ["claude-code", "codex", "gemini-cli", "opencode", "aider"] {
        assert!(
            files
                .iter()
                .any(|f| f.components().any(|c| c.as_os_str() == client)),
            "no recorded requests of {client} under {}: record them with RECORD=1 bash tests/clients/run.sh",
            fixtures_dir().display()
        );
    }
}

#[test]
fn recorded_fixtures_hold_no_secrets() {
    let mut files = Vec::new();
    fixture_files(&fixtures_dir(), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let fixture: Value = serde_json::from_str(&text).unwrap();
        let headers = fixture["headers"].as_object().cloned().unwrap_or_default();
        for (name, value) in headers {
            let lower = name.to_ascii_lowercase();
            if ["authorization", "x-api-key", "x-goog-api-key"].contains(&lower.as_str()) {
                assert_eq!(
                    value.as_str(),
                    Some("<redacted>"),
                    "{}: the recorder must scrub header {name}",
                    file.display()
                );
            }
        }
        let query = fixture["query"].as_str().unwrap_or_default();
        assert!(
            !query
                .split('&')
                .any(|pair| pair.starts_with("key=") && pair != "key=<redacted>"),
            "{}: the recorder must scrub a ?key= in the query, got {query}",
            file.display()
        );
    }
}
