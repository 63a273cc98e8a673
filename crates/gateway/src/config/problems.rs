//! The validator's shared part: problems located by line, and checks several sections use.
//! Each section's own checks are `impl Validator` blocks in the module that parses it.

use super::model::Problem;

pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

pub(super) struct Validator<'t> {
    pub(super) text: &'t str,
    pub(super) problems: Vec<Problem>,
}

impl Validator<'_> {
    pub(super) fn problem(
        &mut self,
        span: Option<std::ops::Range<usize>>,
        field: String,
        message: String,
    ) {
        let line = span
            .filter(|s| !(s.start == 0 && s.end == 0))
            .map(|s| line_of(self.text, s.start));
        self.problems.push(Problem {
            line,
            field,
            message,
        });
    }
}

pub(super) fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("'{url}' must start with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(format!("'{url}' has no host"));
    }
    url.parse::<axum::http::Uri>()
        .map(|_| ())
        .map_err(|e| format!("'{url}' is not a valid URL: {e}"))
}
