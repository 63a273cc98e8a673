//! Model names as clients and providers spell them, reduced to the names the price tables use.
//!
//! [`candidates`] lists the spellings to try, most specific first: the name as sent, then with
//! routing prefixes removed (`openai/`, OpenRouter's `vendor/`, Gemini's `models/`, Vertex's
//! `publishers/x/models/`, Bedrock's `us.anthropic.` and `-v1:0`), then without snapshot
//! suffixes (`-2025-04-14`, `-20250929`, `@20250929`, `-latest`, a 4-digit `-2411`), with
//! Claude's dotted versions written the API's way (`claude-sonnet-4.5` → `claude-sonnet-4-5`)
//! and Gemini's dated previews read as the model (`gemini-2.5-pro-preview-06-05`). A table
//! that lists a dated id whose price differs (`gpt-4o-2024-05-13`) is still found first,
//! because the exact spelling is tried before any shortened one.

/// Spellings of `model` to look up, most specific first, without duplicates. Empty for a
/// name that must stay unpriced: OpenRouter's `:free` variants cost nothing to the user but
/// are not the paid model either.
pub fn candidates(model: &str) -> Vec<String> {
    let model = model.trim().to_ascii_lowercase();
    if model.is_empty() || model.ends_with(":free") {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    let push = |name: String, out: &mut Vec<String>| {
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    };
    push(model.clone(), &mut out);
    let mut forms = vec![model.clone()];
    let unwrapped = unwrap(&model);
    if unwrapped != model {
        forms.push(unwrapped.clone());
    }
    if let Some((_, last)) = unwrapped.rsplit_once('/') {
        forms.push(last.to_owned());
    }
    for form in &forms {
        push(form.clone(), &mut out);
    }
    for form in &forms {
        for variant in shortened(form) {
            push(variant, &mut out);
        }
    }
    out
}

/// Removes wrappers that never change the price: Vertex and Gemini path prefixes, Bedrock
/// region and vendor prefixes and version suffixes, OpenRouter's routing variants, `[1m]`.
fn unwrap(model: &str) -> String {
    let mut name = model.to_owned();
    if let Some(rest) = name.strip_prefix("models/") {
        name = rest.to_owned();
    }
    if let Some(index) = name.find("/models/") {
        name = name[index + "/models/".len()..].to_owned();
    }
    if let Some((head, _)) = name.split_once('@') {
        name = head.to_owned();
    }
    for variant in [
        ":nitro",
        ":floor",
        ":online",
        ":beta",
        ":thinking",
        ":exacto",
    ] {
        if let Some(head) = name.strip_suffix(variant) {
            name = head.to_owned();
        }
    }
    if let Some(head) = name.strip_suffix("[1m]") {
        name = head.to_owned();
    }
    // Bedrock: `us.anthropic.claude-sonnet-4-5-20250929-v1:0`.
    if !name.contains('/') {
        for region in ["us.", "eu.", "apac.", "global.", "jp.", "au.", "ca."] {
            if let Some(rest) = name.strip_prefix(region) {
                name = rest.to_owned();
                break;
            }
        }
        for vendor in ["anthropic.", "meta.", "mistral.", "openai.", "deepseek."] {
            if let Some(rest) = name.strip_prefix(vendor) {
                name = strip_bedrock_version(rest);
                break;
            }
        }
    }
    name
}

/// `-v1:0`, `-v2`, `:0` at the end of a Bedrock model id.
fn strip_bedrock_version(name: &str) -> String {
    let mut name = name.to_owned();
    if let Some((head, tail)) = name.rsplit_once(':')
        && tail.chars().all(|c| c.is_ascii_digit())
    {
        name = head.to_owned();
    }
    if let Some((head, tail)) = name.rsplit_once("-v")
        && !tail.is_empty()
        && tail.chars().all(|c| c.is_ascii_digit())
    {
        name = head.to_owned();
    }
    name
}

/// Shorter spellings of one form, in the order worth trying.
fn shortened(form: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut name = form.to_owned();
    if let Some(head) = name.strip_suffix("-latest") {
        name = head.to_owned();
        out.push(name.clone());
    }
    if let Some(head) = strip_date(&name) {
        name = head;
        out.push(name.clone());
    }
    if name.starts_with("claude") {
        let dashed = dash_claude_version(&name);
        if dashed != name {
            out.push(dashed.clone());
            name = dashed;
            if let Some(head) = strip_date(&name) {
                out.push(head);
            }
        }
    }
    if name.starts_with("gemini")
        && let Some(head) = strip_gemini_preview(&name)
    {
        out.push(head);
    }
    if let Some(head) = strip_short_stamp(&name) {
        out.push(head);
    }
    out
}

/// `-2025-04-14` or `-20250929` at the end.
fn strip_date(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let n = bytes.len();
    if n > 11 && bytes[n - 11] == b'-' && bytes[n - 6] == b'-' && bytes[n - 3] == b'-' {
        let (y, m, d) = (&bytes[n - 10..n - 6], &bytes[n - 5..n - 3], &bytes[n - 2..]);
        if digits(y) && digits(m) && digits(d) {
            return Some(name[..n - 11].to_owned());
        }
    }
    if n > 9 && bytes[n - 9] == b'-' && digits(&bytes[n - 8..]) {
        return Some(name[..n - 9].to_owned());
    }
    None
}

/// A 4-digit stamp at the end (`mistral-large-2411`, `grok-4-0709`, `gpt-4-0613`): tried
/// last, because such stamps sometimes mark a different price (which the table then lists).
fn strip_short_stamp(name: &str) -> Option<String> {
    let (head, tail) = name.rsplit_once('-')?;
    (tail.len() == 4 && tail.chars().all(|c| c.is_ascii_digit()) && head.len() > 2)
        .then(|| head.to_owned())
}

/// `claude-sonnet-4.5` → `claude-sonnet-4-5`, `claude-3.5-haiku` → `claude-3-5-haiku`.
fn dash_claude_version(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let between_digits = i > 0
                && i + 1 < chars.len()
                && chars[i - 1].is_ascii_digit()
                && chars[i + 1].is_ascii_digit();
            if c == '.' && between_digits { '-' } else { c }
        })
        .collect()
}

/// `gemini-2.5-pro-preview-06-05`, `gemini-2.5-flash-preview-09-2025`, `gemini-2.0-flash-exp`
/// → the model itself.
fn strip_gemini_preview(name: &str) -> Option<String> {
    if let Some(index) = name.find("-preview-") {
        let tail = &name[index + "-preview-".len()..];
        if tail.chars().all(|c| c.is_ascii_digit() || c == '-') {
            return Some(name[..index].to_owned());
        }
    }
    name.strip_suffix("-exp").map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::candidates;

    fn finds(model: &str, expected: &str) {
        let list = candidates(model);
        assert!(
            list.iter().any(|c| c == expected),
            "{model} should be looked up as {expected}; candidates were {list:?}"
        );
    }

    #[test]
    fn the_name_as_sent_is_tried_first() {
        assert_eq!(candidates("gpt-4o-2024-05-13")[0], "gpt-4o-2024-05-13");
        assert_eq!(candidates("GPT-4.1")[0], "gpt-4.1", "lookups ignore case");
    }

    #[test]
    fn dated_snapshots_reduce_to_the_model() {
        finds("gpt-4.1-2025-04-14", "gpt-4.1");
        finds("claude-sonnet-4-5-20250929", "claude-sonnet-4-5");
        finds("claude-haiku-4-5-20251001", "claude-haiku-4-5");
        finds("claude-sonnet-4-5@20250929", "claude-sonnet-4-5");
    }

    #[test]
    fn latest_aliases_reduce_to_the_model() {
        finds("claude-3-7-sonnet-latest", "claude-3-7-sonnet");
        finds("mistral-large-latest", "mistral-large");
        finds("codestral-latest", "codestral");
    }

    #[test]
    fn provider_and_openrouter_prefixes_are_removed() {
        finds("openai/gpt-4.1", "gpt-4.1");
        finds("anthropic/claude-sonnet-4.5", "claude-sonnet-4-5");
        finds("x-ai/grok-4.7", "grok-4.7");
        finds("google/gemini-2.5-pro", "gemini-2.5-pro");
        finds("openrouter/anthropic/claude-opus-4.5", "claude-opus-4-5");
        finds("models/gemini-2.5-flash", "gemini-2.5-flash");
    }

    #[test]
    fn a_hosts_own_prefixed_id_is_kept_as_well() {
        let list = candidates("openai/gpt-oss-120b");
        assert_eq!(
            list[0], "openai/gpt-oss-120b",
            "Groq prices this id itself: try it whole first"
        );
        assert!(list.contains(&"gpt-oss-120b".to_owned()));
    }

    #[test]
    fn bedrock_and_vertex_spellings_reduce_to_the_model() {
        finds(
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "claude-sonnet-4-5",
        );
        finds(
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            "claude-haiku-4-5",
        );
        finds(
            "projects/p/locations/us-east5/publishers/anthropic/models/claude-opus-4-5@20251101",
            "claude-opus-4-5",
        );
    }

    #[test]
    fn claude_dotted_versions_and_one_million_context_suffix() {
        finds("claude-3.5-haiku", "claude-3-5-haiku");
        finds("claude-sonnet-4-5[1m]", "claude-sonnet-4-5");
    }

    #[test]
    fn gemini_dated_previews_reduce_to_the_model() {
        finds("gemini-2.5-pro-preview-06-05", "gemini-2.5-pro");
        finds("gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash");
    }

    #[test]
    fn short_stamps_are_tried_after_the_exact_id() {
        let list = candidates("mistral-large-2411");
        assert_eq!(list[0], "mistral-large-2411");
        assert_eq!(list.last().map(String::as_str), Some("mistral-large"));
    }

    #[test]
    fn openrouter_free_variants_stay_unpriced() {
        assert!(candidates("deepseek/deepseek-flash:free").is_empty());
        finds("anthropic/claude-sonnet-4.5:nitro", "claude-sonnet-4-5");
    }
}
