//! Which client (IDE plugin, agent, SDK) sent a request, from its User-Agent.
//!
//! History groups costs by client, so the names here are what users see in the dashboard.
//! Order matters: agents built on an SDK send the SDK's name too, so specific patterns come
//! before generic ones.

/// (substring of the lower-cased User-Agent, client name)
const PATTERNS: &[(&str, &str)] = &[
    ("claude-cli", "claude-code"),
    ("claude-code", "claude-code"),
    ("codex_cli_rs", "codex"),
    ("codex", "codex"),
    ("roo-code", "roo-code"),
    ("roocode", "roo-code"),
    ("kilo-code", "kilo-code"),
    ("cline", "cline"),
    ("continue", "continue"),
    ("zed/", "zed"),
    ("aider", "aider"),
    ("litellm", "litellm"),
    ("jetbrains", "jetbrains"),
    ("copilot", "copilot"),
    ("cursor", "cursor"),
    ("openai/python", "openai-python"),
    ("asyncopenai/python", "openai-python"),
    ("openai/js", "openai-node"),
    ("anthropic/python", "anthropic-python"),
    ("asyncanthropic/python", "anthropic-python"),
    ("anthropic/js", "anthropic-node"),
    ("google-genai-sdk", "google-genai"),
    ("curl/", "curl"),
    ("python-requests", "python-requests"),
    ("python-httpx", "python-httpx"),
    ("node-fetch", "node"),
    ("undici", "node"),
    ("mozilla/", "browser"),
];

/// The client's name, or `None` when the User-Agent is missing or unrecognised.
pub fn recognise(user_agent: Option<&str>) -> Option<&'static str> {
    let ua = user_agent?.to_ascii_lowercase();
    PATTERNS
        .iter()
        .find(|(needle, _)| ua.contains(needle))
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::recognise;

    #[test]
    fn real_user_agents_are_recognised() {
        let cases = [
            ("claude-cli/2.0.14 (external, cli)", Some("claude-code")),
            ("codex_cli_rs/0.46.0 (Mac OS 15.0; arm64)", Some("codex")),
            ("OpenAI/Python 1.109.1", Some("openai-python")),
            ("AsyncOpenAI/Python 3.57.0", Some("openai-python")),
            ("Anthropic/Python 0.69.0", Some("anthropic-python")),
            ("curl/8.5.0", Some("curl")),
            ("Zed/0.208.4 (macos; aarch64)", Some("zed")),
            ("something-else/1.0", None),
        ];
        for (ua, expected) in cases {
            assert_eq!(recognise(Some(ua)), expected, "{ua}");
        }
        assert_eq!(recognise(None), None);
    }
}
