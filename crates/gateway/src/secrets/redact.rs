//! Scrubbing secrets from log lines: the second line of defence behind [`super::Secret`].

use std::borrow::Cow;
use std::sync::{LazyLock, RwLock};

use regex::Regex;

static KNOWN_SECRETS: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// Remembers a secret's text so that [`redact`] removes it from any log line, even one that
/// does not look like a key (a local server's short password, an admin token).
pub(super) fn register_for_redaction(value: &str) {
    if value.len() < 6 {
        return; // too short to scrub without mangling ordinary words
    }
    if let Ok(mut known) = KNOWN_SECRETS.write()
        && !known.iter().any(|k| k == value)
    {
        known.push(value.to_owned());
    }
}

static SECRET_PATTERNS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{6,}",
        r"|(x-api-key|x-goog-api-key|api[_-]?key|token)([\x22']?\s*[:=]\s*[\x22']?)[A-Za-z0-9._~+/=-]{6,}",
        r"|sk-[A-Za-z0-9_-]{8,}",
        r"|AIza[0-9A-Za-z_-]{20,}",
    ))
    .ok()
});

/// Scrubs keys and tokens from a line of text: every registered secret, and anything shaped
/// like a key or an auth header.
pub fn redact(line: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(line);
    if let Ok(known) = KNOWN_SECRETS.read() {
        for secret in known.iter() {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), "<redacted>"));
            }
        }
    }
    if let Some(re) = SECRET_PATTERNS.as_ref()
        && re.is_match(&out)
    {
        let replaced = re
            .replace_all(&out, |caps: &regex::Captures<'_>| {
                if let Some(prefix) = caps.get(1) {
                    format!("{}<redacted>", prefix.as_str())
                } else if let (Some(name), Some(sep)) = (caps.get(2), caps.get(3)) {
                    format!("{}{}<redacted>", name.as_str(), sep.as_str())
                } else {
                    "<redacted>".to_owned()
                }
            })
            .into_owned();
        out = Cow::Owned(replaced);
    }
    out
}
