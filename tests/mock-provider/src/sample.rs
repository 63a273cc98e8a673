//! Tool arguments invented from a JSON schema, shared by every provider mock.
//!
//! A mock that answers with a tool call must fill in the call's arguments;
//! building them from the tool's own schema (one plausible value per
//! property) lets a client parse them like real ones, and keeps every
//! provider's answer to the same tools identical.

use serde_json::{Map, Value};

/// Arguments for a tool: each property of its JSON schema set by type.
pub(crate) fn arguments(schema: Option<&Value>) -> Map<String, Value> {
    let mut args = Map::new();
    if let Some(properties) = schema
        .and_then(|p| p.get("properties"))
        .and_then(Value::as_object)
    {
        for (name, property) in properties {
            args.insert(name.clone(), sample_value(property));
        }
    }
    args
}

/// string → "mock", number/integer → 1, boolean → true, array → [], object → {}.
fn sample_value(schema: &Value) -> Value {
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => Some(kind.as_str()),
        // `["string", "null"]`: the first non-null type.
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null"),
        _ => None,
    };
    match kind {
        Some("string") => Value::from("mock"),
        Some("number" | "integer") => Value::from(1),
        Some("boolean") => Value::Bool(true),
        Some("array") => Value::Array(Vec::new()),
        Some("object") => Value::Object(Map::new()),
        _ => Value::Null,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_fill_each_property_by_type() {
        let schema = json!({"type": "object", "properties": {
            "city": {"type": "string"}, "days": {"type": "integer"}, "metric": {"type": "boolean"},
            "tags": {"type": "array"}, "extra": {"type": "object"}, "odd": {}, "opt": {"type": ["null", "number"]}
        }});
        assert_eq!(
            Value::Object(arguments(Some(&schema))),
            json!({"city": "mock", "days": 1, "metric": true, "tags": [], "extra": {}, "odd": null, "opt": 1})
        );
        assert!(arguments(None).is_empty());
    }
}
