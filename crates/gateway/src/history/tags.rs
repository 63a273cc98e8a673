//! The `request_tags` table: `x-switchyard-tags` pairs, one row each, so costs can be grouped
//! and requests filtered by tag with an index rather than by scanning JSON.

use rusqlite::{Transaction, params};

pub const MIGRATIONS: &[(&str, &str)] = &[(
    "tags/1",
    "CREATE TABLE request_tags (
        request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (request_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX request_tags_by_pair ON request_tags (key, value);",
)];

pub fn insert(
    tx: &Transaction<'_>,
    request_id: &str,
    tags: &[(String, String)],
) -> rusqlite::Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "INSERT OR REPLACE INTO request_tags (request_id, key, value) VALUES (?1, ?2, ?3)",
    )?;
    for (key, value) in tags {
        stmt.execute(params![request_id, key, value])?;
    }
    Ok(())
}

/// The pairs as [`insert`] leaves them: one per key, the last value given winning.
pub fn stored(tags: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().enumerate().filter_map(|(i, (key, value))| {
        let replaced = tags[i + 1..].iter().any(|(later, _)| later == key);
        (!replaced).then_some((key.as_str(), value.as_str()))
    })
}

/// Parses `x-switchyard-tags: project=web,team=infra` into pairs. A bare word is a tag with an
/// empty value; blanks and malformed pieces are skipped. At most 16 tags of 64 bytes each.
pub fn parse_header(value: &str) -> Vec<(String, String)> {
    value
        .split(',')
        .filter_map(|piece| {
            let piece = piece.trim();
            if piece.is_empty() {
                return None;
            }
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            let (key, value) = (key.trim(), value.trim());
            (!key.is_empty() && key.len() <= 64 && value.len() <= 64)
                .then(|| (key.to_owned(), value.to_owned()))
        })
        .take(16)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_header;

    #[test]
    fn tags_header_parses_pairs_and_bare_words() {
        assert_eq!(
            parse_header(" project=web, team = infra ,,urgent"),
            vec![
                ("project".into(), "web".into()),
                ("team".into(), "infra".into()),
                ("urgent".into(), String::new())
            ]
        );
        assert!(parse_header(" , =x").is_empty());
    }
}
