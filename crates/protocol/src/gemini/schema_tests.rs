//! Schema cleaning: each rewrite in `schema.rs`'s table, and a property test over random
//! nested schemas.

use proptest::prelude::*;
use serde_json::json;

use super::*;

/// Every key at every schema position is one Gemini knows. Property names are data and
/// are not checked, but their schemas are.
fn assert_only_allowed_keys(schema: &Value, at: &str) {
    let Some(map) = schema.as_object() else {
        panic!("{at}: schema is not an object: {schema}");
    };
    for (key, value) in map {
        assert!(
            ALLOWED_KEYS.contains(&key.as_str()),
            "{at}: `{key}` sent to Gemini"
        );
        match key.as_str() {
            "properties" => {
                let props = value.as_object();
                assert!(
                    props.is_some_and(|p| !p.is_empty()),
                    "{at}: empty properties"
                );
                for (name, sub) in props.into_iter().flatten() {
                    assert_only_allowed_keys(sub, &format!("{at}.properties.{name}"));
                }
            }
            "items" => assert_only_allowed_keys(value, &format!("{at}.items")),
            "anyOf" => {
                for (i, sub) in value.as_array().into_iter().flatten().enumerate() {
                    assert_only_allowed_keys(sub, &format!("{at}.anyOf[{i}]"));
                }
            }
            "type" => assert!(
                value.as_str().is_some_and(|t| TYPES.contains(&t)),
                "{at}: bad type {value}"
            ),
            "enum" => assert!(
                value
                    .as_array()
                    .is_some_and(|v| v.iter().all(Value::is_string)),
                "{at}: enum values must be strings: {value}"
            ),
            _ => {}
        }
    }
    if map.get("type").and_then(Value::as_str) == Some("array") {
        assert!(map.contains_key("items"), "{at}: array without items");
    }
}

#[test]
fn mcp_style_schema_loses_keys_gemini_rejects() {
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "path": {"type": "string", "description": "File path", "minLength": 1},
            "mode": {"const": "read"},
            "tags": {"type": "array"},
            "limit": {"type": ["integer", "null"], "exclusiveMinimum": 0},
            "additionalProperties": {"type": "boolean", "description": "a property named like a keyword"}
        },
        "required": ["path", "missing"]
    });
    let cleaned = clean_schema(&schema);
    assert_eq!(
        cleaned,
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "File path", "minLength": 1},
                "mode": {"type": "string", "enum": ["read"]},
                "tags": {"type": "array", "items": {}},
                "limit": {"type": "integer", "minimum": 0, "nullable": true},
                "additionalProperties": {"type": "boolean", "description": "a property named like a keyword"}
            },
            "required": ["path"]
        })
    );
}

#[test]
fn local_refs_are_inlined_and_cycles_cut() {
    let schema = json!({
        "type": "object",
        "$defs": {
            "Point": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]},
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}, "v": {"type": "integer"}}}
        },
        "definitions": {"Color": {"enum": ["red", "green"]}},
        "properties": {
            "at": {"$ref": "#/$defs/Point", "description": "where"},
            "color": {"$ref": "#/definitions/Color"},
            "list": {"$ref": "#/$defs/Node"},
            "remote": {"$ref": "https://example.com/schema.json", "description": "kept as a bare description"}
        }
    });
    let cleaned = clean_schema(&schema);
    assert_eq!(
        cleaned["properties"]["at"],
        json!({"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"], "description": "where"})
    );
    assert_eq!(
        cleaned["properties"]["color"],
        json!({"type": "string", "enum": ["red", "green"]})
    );
    assert_eq!(
        cleaned["properties"]["list"]["properties"]["next"],
        json!({}),
        "the second visit of a recursive ref is cut"
    );
    assert_eq!(
        cleaned["properties"]["remote"],
        json!({"description": "kept as a bare description"})
    );
    assert_only_allowed_keys(&cleaned, "$");
}

#[test]
fn unions_become_any_of_with_nullable() {
    let schema = json!({
        "type": "object",
        "properties": {
            "maybe": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "optional"},
            "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "multi": {"type": ["string", "array", "null"], "items": {"type": "string"}, "description": "one or many"},
            "merged": {"allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"properties": {"b": {"type": "integer"}}, "required": ["b"]}
            ]}
        }
    });
    let cleaned = clean_schema(&schema);
    let props = &cleaned["properties"];
    assert_eq!(
        props["maybe"],
        json!({"type": "string", "description": "optional", "nullable": true})
    );
    assert_eq!(
        props["either"],
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
    );
    assert_eq!(
        props["multi"],
        json!({
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "one or many",
            "nullable": true
        })
    );
    assert_eq!(
        props["merged"],
        json!({
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
            "required": ["a", "b"]
        })
    );
}

#[test]
fn numeric_enums_move_to_the_description() {
    let cleaned =
        clean_schema(&json!({"type": "integer", "enum": [1, 2, 3], "description": "Level."}));
    assert_eq!(
        cleaned,
        json!({"type": "integer", "description": "Level. Allowed values: 1, 2, 3."})
    );
    let mixed = clean_schema(&json!({"type": "string", "enum": ["a", 1, null]}));
    assert_eq!(mixed, json!({"type": "string", "enum": ["a", "1"]}));
}

#[test]
fn keywords_of_other_types_are_removed() {
    let cleaned = clean_schema(&json!({
        "type": "string",
        "properties": {"x": {"type": "string"}},
        "required": ["x"],
        "items": {"type": "string"},
        "maxLength": 5
    }));
    assert_eq!(cleaned, json!({"type": "string", "maxLength": 5}));
    let untyped = clean_schema(&json!({"properties": {"x": {"type": "string"}}}));
    assert_eq!(
        untyped["type"], "object",
        "properties imply an object, which Gemini wants spelled out"
    );
}

#[test]
fn functions_without_arguments_send_no_parameters() {
    assert_eq!(
        clean_parameters(&json!({"type": "object", "properties": {}})),
        None
    );
    assert_eq!(clean_parameters(&json!({})), None);
    assert_eq!(
        clean_parameters(&json!({"type": "object", "properties": {"q": {"type": "string"}}})),
        Some(json!({"type": "object", "properties": {"q": {"type": "string"}}}))
    );
}

#[test]
fn exponential_ref_chains_stay_bounded() {
    // Each level uses the next twice: 2^40 nodes if expanded naively.
    let mut defs = Map::new();
    for i in 0..40 {
        let next = format!("#/$defs/d{}", i + 1);
        defs.insert(
            format!("d{i}"),
            json!({"type": "object", "properties": {"a": {"$ref": next}, "b": {"$ref": next}}}),
        );
    }
    defs.insert("d40".into(), json!({"type": "string"}));
    let schema = json!({"$defs": defs, "$ref": "#/$defs/d0"});
    let cleaned = clean_schema(&schema);
    assert_only_allowed_keys(&cleaned, "$");
}

/// Random nested schemas built from the keywords clients actually send, plus junk.
fn arb_schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!({"type": "string"})),
        Just(json!({"type": ["integer", "null"]})),
        Just(json!({"const": 3})),
        Just(json!({"enum": ["a", 2, null, true]})),
        Just(json!({"$ref": "#/$defs/thing"})),
        Just(json!({"$ref": "#"})),
        Just(json!({"$ref": "#/nowhere"})),
        Just(json!({"type": "array"})),
        Just(json!({"exclusiveMinimum": 1.5, "format": "float"})),
        Just(json!(true)),
        Just(json!(null)),
        Just(json!("string")),
        Just(json!({"type": 7, "minItems": "x", "pattern": 1})),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::btree_map("[a-z$]{1,6}", inner.clone(), 0..4).prop_map(|props| {
                json!({
                    "type": "object",
                    "additionalProperties": false,
                    "$schema": "x",
                    "properties": props.clone(),
                    "required": props.keys().cloned().chain(["ghost".to_owned()]).collect::<Vec<_>>(),
                    "$defs": {"thing": {"type": "object", "properties": props}},
                })
            }),
            inner.clone().prop_map(|items| json!({"type": "array", "items": items, "uniqueItems": true})),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| json!({"anyOf": v})),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({"oneOf": v, "not": {}})),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({"allOf": v})),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({"items": v, "type": ["array", "object"]})),
            inner.prop_map(|s| json!({"if": s, "then": {}, "patternProperties": {}})),
        ]
    })
}

proptest! {
    #[test]
    fn cleaned_schemas_hold_only_allowed_keys_at_any_depth(schema in arb_schema()) {
        let cleaned = clean_schema(&schema);
        assert_only_allowed_keys(&cleaned, "$");
        prop_assert_eq!(clean_schema(&cleaned.clone()), cleaned, "cleaning is idempotent");
    }
}

#[test]
fn deeply_nested_and_ref_chained_schemas_are_cut_not_overflowed() {
    let mut deep = json!({"type": "string"});
    for _ in 0..120 {
        deep = json!({"type": "object", "properties": {"x": deep}});
    }
    assert_only_allowed_keys(&clean_schema(&deep), "$");
    // A 600-link chain of refs: longer than the expansion budget.
    let mut defs = Map::new();
    for i in 0..600 {
        defs.insert(
            format!("d{i}"),
            json!({"$ref": format!("#/$defs/d{}", i + 1)}),
        );
    }
    let chained = json!({"$defs": defs, "$ref": "#/$defs/d0", "description": "end"});
    assert_eq!(clean_schema(&chained), json!({}), "cut at the depth limit");
}
