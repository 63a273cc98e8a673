//! JSON Schema → the OpenAPI subset Gemini accepts in `parameters` and `responseSchema`
//! (translation rule 9).
//!
//! Gemini parses schemas into a protobuf `Schema` message, so any key it does not know is a 400
//! ("Unknown name \"additionalProperties\" … Cannot find field") and so are several shapes that
//! are fine JSON Schema. Clients (MCP tools above all) send exactly those: `additionalProperties`,
//! `$schema`, `$ref` into `$defs`, `const`, `type: ["string", "null"]`, arrays without `items`.
//! The cleaner keeps an allowlist ([`ALLOWED_KEYS`], the fields of v1beta's `Schema`) and
//! rewrites what it can express instead of dropping it:
//!
//! | JSON Schema | sent to Gemini |
//! |---|---|
//! | `$ref` to a local pointer (`#/$defs/X`, `#/definitions/X`, any `#/…`) | the target, inlined (siblings of `$ref` win); a cycle, a remote or an unresolvable ref leaves only its siblings (often `{}`) |
//! | `allOf` | its members merged into the node (properties united, `required` united) |
//! | `oneOf` | `anyOf` |
//! | `anyOf` with a `{"type": "null"}` branch | that branch removed, `nullable: true`; a single remaining branch is inlined |
//! | `type: [a, "null"]` | `type: a`, `nullable: true`; several non-null types become an `anyOf` |
//! | `const: v` | `enum: [v]` |
//! | `enum` on a string node, or all-string `enum` on an untyped node | values as strings, `type: string` |
//! | any other `enum` (numbers, booleans, mixed) | dropped (Gemini: "only allowed for STRING type"), values listed in `description` |
//! | `exclusiveMinimum`/`exclusiveMaximum` (numbers) | `minimum`/`maximum` (slightly looser) |
//! | `examples: [v, …]` | `example: v` |
//! | `items: [tuple…]` / `prefixItems` | `items`: the first element |
//! | array without `items` | `items: {}` (Gemini: "items: missing field") |
//! | `properties: {}` | removed (Gemini: "should be non-empty for OBJECT type") |
//! | `required` names not in `properties` | removed (Gemini: "property is not defined") |
//! | keywords of another type (`properties` on a string, `items` on an object) | removed (Gemini: "only allowed for OBJECT type") |
//!
//! Everything else (`additionalProperties`, `$schema`, `$id`, `$defs`, `$comment`,
//! `patternProperties`, `not`, `if`/`then`/`else`, `readOnly`, `deprecated`, …) is dropped.
//! Property *names* are data, not keywords, and are never filtered.
//!
//! The cleaner is total: any JSON value gives a schema, nesting is capped at [`MAX_DEPTH`] and
//! `$ref` expansion at [`MAX_EXPANSIONS`] (a chain of refs that each use the next twice would
//! otherwise grow exponentially).

use serde_json::{Map, Value};

/// The keys of Gemini's `Schema` message (v1beta), in JSON spelling. Nothing else is sent.
pub const ALLOWED_KEYS: &[&str] = &[
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
];

/// Deeper schemas are cut off (the subtree becomes `{}`).
pub const MAX_DEPTH: usize = 48;
/// At most this many `$ref`s are inlined per schema; later ones become `{}`.
pub const MAX_EXPANSIONS: usize = 512;

const TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "array", "object", "null",
];
const OBJECT_ONLY: &[&str] = &[
    "properties",
    "required",
    "propertyOrdering",
    "minProperties",
    "maxProperties",
];
const ARRAY_ONLY: &[&str] = &["items", "minItems", "maxItems"];
const STRING_ONLY: &[&str] = &["minLength", "maxLength", "pattern"];
const NUMBER_ONLY: &[&str] = &["minimum", "maximum"];
/// Keys that describe the node as a whole and stay on the parent of a type union.
const ANNOTATIONS: &[&str] = &["title", "description", "default", "example", "nullable"];

/// Cleans a JSON Schema for Gemini. Always returns an object.
pub fn clean_schema(schema: &Value) -> Value {
    let mut cleaner = Cleaner {
        root: schema,
        expansions: 0,
    };
    Value::Object(cleaner.clean(schema, &mut Vec::new(), 0))
}

/// Cleans the `parameters` of a function declaration. `None` when the function takes no
/// arguments: Gemini rejects an object schema without properties, and omitting `parameters`
/// is how it spells "no arguments".
pub fn clean_parameters(schema: &Value) -> Option<Value> {
    let cleaned = clean_schema(schema);
    let has_properties = cleaned.get("properties").is_some();
    let is_object = matches!(
        cleaned.get("type").and_then(Value::as_str),
        None | Some("object")
    );
    if is_object && !has_properties && cleaned.get("anyOf").is_none() {
        return None;
    }
    Some(cleaned)
}

struct Cleaner<'a> {
    root: &'a Value,
    expansions: usize,
}

impl Cleaner<'_> {
    fn clean(&mut self, node: &Value, refs: &mut Vec<String>, depth: usize) -> Map<String, Value> {
        match node {
            Value::Object(map) if depth <= MAX_DEPTH => self.clean_map(map.clone(), refs, depth),
            _ => Map::new(),
        }
    }

    fn clean_map(
        &mut self,
        mut node: Map<String, Value>,
        refs: &mut Vec<String>,
        depth: usize,
    ) -> Map<String, Value> {
        if depth > MAX_DEPTH {
            return Map::new();
        }
        if let Some(Value::String(pointer)) = node.remove("$ref")
            && let Some(target) = self.resolve(&pointer, refs)
        {
            // Siblings of `$ref` (a description, say) override the target's keys.
            let mut merged = target;
            for (key, value) in node {
                merged.insert(key, value);
            }
            refs.push(pointer);
            let out = self.clean_map(merged, refs, depth + 1);
            refs.pop();
            return out;
        }

        if let Some(Value::Array(members)) = node.remove("allOf") {
            for member in &members {
                let member = self.clean(member, refs, depth + 1);
                merge_into(&mut node, member);
            }
        }

        // Several non-null types: one branch per type, annotations stay on the union.
        let (types, type_nullable) = read_types(node.get("type"));
        if types.len() > 1 {
            let mut union = Map::new();
            for key in ANNOTATIONS {
                if let Some(value) = node.get(*key) {
                    union.insert((*key).to_owned(), value.clone());
                }
            }
            let mut branches = Vec::new();
            for ty in &types {
                let mut branch = node.clone();
                for key in ANNOTATIONS {
                    branch.remove(*key);
                }
                branch.insert("type".into(), Value::String(ty.clone()));
                branches.push(Value::Object(self.clean_map(branch, refs, depth + 1)));
            }
            union.insert("anyOf".into(), Value::Array(branches));
            if type_nullable {
                union.insert("nullable".into(), Value::Bool(true));
            }
            return self.clean_map(union, refs, depth + 1);
        }

        let mut out = Map::new();
        let mut nullable = type_nullable;
        if let Some(ty) = types.first() {
            out.insert("type".into(), Value::String(ty.clone()));
        } else if type_nullable {
            out.insert("type".into(), Value::String("null".into()));
            nullable = false;
        }

        // Unions: `oneOf` means the same to a generator; null branches become `nullable`.
        let mut branches = Vec::new();
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(members)) = node.get(key) {
                for member in members {
                    let member = self.clean(member, refs, depth + 1);
                    if member.get("type").and_then(Value::as_str) == Some("null") {
                        nullable = true;
                    } else {
                        branches.push(member);
                    }
                }
            }
        }
        let had_union = node.contains_key("anyOf") || node.contains_key("oneOf");
        if had_union && branches.len() == 1 && out.is_empty() {
            // `anyOf: [X, null]` is just a nullable X. The parent's annotations describe this
            // very value and win; its other keys fill gaps.
            let mut merged = branches.remove(0);
            for (key, value) in node {
                if key == "anyOf" || key == "oneOf" {
                    continue;
                }
                if ANNOTATIONS.contains(&key.as_str()) || !merged.contains_key(&key) {
                    merged.insert(key, value);
                }
            }
            if nullable {
                merged.insert("nullable".into(), Value::Bool(true));
            }
            return self.clean_map(merged, refs, depth + 1);
        }
        if !branches.is_empty() {
            out.insert(
                "anyOf".into(),
                Value::Array(branches.into_iter().map(Value::Object).collect()),
            );
        }

        for (key, value) in &node {
            match key.as_str() {
                "format" | "title" | "description" | "pattern" if value.is_string() => {
                    out.insert(key.clone(), value.clone());
                }
                "nullable" if value.as_bool() == Some(true) => nullable = true,
                "default" | "example" => {
                    out.insert(key.clone(), value.clone());
                }
                "examples" => {
                    if let (Some(first), false) = (
                        value.as_array().and_then(|a| a.first()),
                        node.contains_key("example"),
                    ) {
                        out.insert("example".into(), first.clone());
                    }
                }
                "minItems" | "maxItems" | "minLength" | "maxLength" | "minProperties"
                | "maxProperties" => {
                    if let Some(n) = as_count(value) {
                        out.insert(key.clone(), Value::from(n));
                    }
                }
                "minimum" | "maximum" if value.is_number() => {
                    out.insert(key.clone(), value.clone());
                }
                "exclusiveMinimum" | "exclusiveMaximum" => {
                    let inclusive = if key == "exclusiveMinimum" {
                        "minimum"
                    } else {
                        "maximum"
                    };
                    if value.is_number() && !node.contains_key(inclusive) {
                        out.insert(inclusive.into(), value.clone());
                    }
                }
                "properties" => {
                    if let Value::Object(props) = value {
                        let mut cleaned = Map::new();
                        for (name, schema) in props {
                            let schema = self.clean(schema, refs, depth + 1);
                            cleaned.insert(name.clone(), Value::Object(schema));
                        }
                        if !cleaned.is_empty() {
                            out.insert(key.clone(), Value::Object(cleaned));
                        }
                    }
                }
                "items" => {
                    let element = match value {
                        Value::Array(tuple) => tuple.first(),
                        other => Some(other),
                    };
                    let cleaned = element.map_or_else(Map::new, |e| self.clean(e, refs, depth + 1));
                    out.insert(key.clone(), Value::Object(cleaned));
                }
                "prefixItems" if !node.contains_key("items") => {
                    let first = value.as_array().and_then(|a| a.first());
                    let cleaned = first.map_or_else(Map::new, |e| self.clean(e, refs, depth + 1));
                    out.insert("items".into(), Value::Object(cleaned));
                }
                _ => {}
            }
        }

        // Lists that only make sense against the final properties.
        let property_names: Vec<String> = out
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        for key in ["required", "propertyOrdering"] {
            if let Some(Value::Array(names)) = node.get(key) {
                let mut kept: Vec<Value> = Vec::new();
                for name in names.iter().filter_map(Value::as_str) {
                    let name = Value::String(name.to_owned());
                    if property_names
                        .iter()
                        .any(|p| Some(p.as_str()) == name.as_str())
                        && !kept.contains(&name)
                    {
                        kept.push(name);
                    }
                }
                if !kept.is_empty() {
                    out.insert(key.into(), Value::Array(kept));
                }
            }
        }

        let enum_values = enum_values(&node);
        finish_type(&mut out, enum_values);
        if nullable {
            out.insert("nullable".into(), Value::Bool(true));
        }
        out
    }

    /// The target of a local `$ref`, unless it is already being expanded (a cycle) or the
    /// expansion budget is spent.
    fn resolve(&mut self, pointer: &str, refs: &[String]) -> Option<Map<String, Value>> {
        let path = pointer.strip_prefix('#')?;
        if refs.iter().any(|r| r == pointer) || self.expansions >= MAX_EXPANSIONS {
            return None;
        }
        self.expansions += 1;
        match self.root.pointer(path) {
            Some(Value::Object(target)) => Some(target.clone()),
            _ => None,
        }
    }
}

/// The node's `type`: the non-null types, lower-cased and known, and whether `null` was one.
fn read_types(ty: Option<&Value>) -> (Vec<String>, bool) {
    let names: Vec<&str> = match ty {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut types: Vec<String> = Vec::new();
    let mut nullable = false;
    for name in names {
        let name = name.to_ascii_lowercase();
        if name == "null" {
            nullable = true;
        } else if TYPES.contains(&name.as_str()) && !types.contains(&name) {
            types.push(name);
        }
    }
    (types, nullable)
}

/// `enum` (or `const`) values, without `null`.
fn enum_values(node: &Map<String, Value>) -> Option<Vec<Value>> {
    let values = match (node.get("enum"), node.get("const")) {
        (Some(Value::Array(values)), _) => values.clone(),
        (_, Some(value)) => vec![value.clone()],
        _ => return None,
    };
    Some(values.into_iter().filter(|v| !v.is_null()).collect())
}

/// Infers a missing type from the keywords present, applies the enum rules, drops keywords
/// that belong to another type and gives arrays their mandatory `items`.
fn finish_type(out: &mut Map<String, Value>, enum_values: Option<Vec<Value>>) {
    let all_strings = enum_values
        .as_ref()
        .is_some_and(|v| v.iter().all(Value::is_string));
    if !out.contains_key("type") && !out.contains_key("anyOf") {
        let inferred = if OBJECT_ONLY.iter().any(|k| out.contains_key(*k)) {
            Some("object")
        } else if ARRAY_ONLY.iter().any(|k| out.contains_key(*k)) {
            Some("array")
        } else if STRING_ONLY.iter().any(|k| out.contains_key(*k)) || all_strings {
            Some("string")
        } else if NUMBER_ONLY.iter().any(|k| out.contains_key(*k)) {
            Some("number")
        } else {
            None
        };
        if let Some(ty) = inferred {
            out.insert("type".into(), Value::String(ty.into()));
        }
    }
    let ty = out.get("type").and_then(Value::as_str).map(str::to_owned);

    if let Some(values) = enum_values.filter(|v| !v.is_empty()) {
        match ty.as_deref() {
            Some("string") => {
                let strings = values.iter().map(|v| Value::String(as_text(v))).collect();
                out.insert("enum".into(), Value::Array(strings));
            }
            None if out.contains_key("anyOf") => {}
            _ => {
                let listed: Vec<String> = values.iter().map(as_text).collect();
                let note = format!("Allowed values: {}.", listed.join(", "));
                let description = match out.get("description").and_then(Value::as_str) {
                    Some(d) if !d.is_empty() => format!("{d} {note}"),
                    _ => note,
                };
                out.insert("description".into(), Value::String(description));
            }
        }
    }

    let foreign: Vec<&str> = match ty.as_deref() {
        Some("object") => [ARRAY_ONLY, STRING_ONLY, NUMBER_ONLY].concat(),
        Some("array") => [OBJECT_ONLY, STRING_ONLY, NUMBER_ONLY].concat(),
        Some("string") => [OBJECT_ONLY, ARRAY_ONLY, NUMBER_ONLY].concat(),
        Some("number" | "integer") => [OBJECT_ONLY, ARRAY_ONLY, STRING_ONLY].concat(),
        // Booleans, null, and untyped unions take none of the type-specific keywords.
        _ => [OBJECT_ONLY, ARRAY_ONLY, STRING_ONLY, NUMBER_ONLY].concat(),
    };
    for key in foreign {
        out.remove(key);
    }
    if ty.as_deref() == Some("array") && !out.contains_key("items") {
        out.insert("items".into(), Value::Object(Map::new()));
    }
}

/// Merges a cleaned `allOf` member into the node: properties and `required` are united, other
/// keys fill gaps only.
fn merge_into(node: &mut Map<String, Value>, member: Map<String, Value>) {
    for (key, value) in member {
        match (key.as_str(), node.get_mut(&key), value) {
            ("properties", Some(Value::Object(existing)), Value::Object(more)) => {
                for (name, schema) in more {
                    existing.entry(name).or_insert(schema);
                }
            }
            ("required", Some(Value::Array(existing)), Value::Array(more)) => {
                for name in more {
                    if !existing.contains(&name) {
                        existing.push(name);
                    }
                }
            }
            (_, Some(_), _) => {}
            (_, None, value) => {
                node.insert(key, value);
            }
        }
    }
}

fn as_count(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
