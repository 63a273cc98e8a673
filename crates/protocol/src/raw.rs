//! A JSON object split into its top-level members, each kept as the original raw text.
//!
//! Pass-through traffic must reach the provider "byte-for-byte in meaning" while the gateway
//! rewrites `model` (and sometimes adds `stream_options`). Parsing the whole body into a
//! `serde_json::Value` and serialising it again costs time proportional to the body (long chat
//! histories, base64 images) and can reorder or reformat what the client sent. Here only the
//! top level is tokenised: nested values are borrowed slices of the input, written back verbatim.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Why a body could not be read as a JSON object.
#[derive(Debug, thiserror::Error)]
pub enum RawObjectError {
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("the body must be a JSON object")]
    NotAnObject,
}

/// Top-level members of a JSON object, in the client's order, values untouched.
#[derive(Debug, Clone)]
pub struct RawObject<'a> {
    members: Vec<(String, Member<'a>)>,
}

#[derive(Debug, Clone)]
enum Member<'a> {
    Borrowed(&'a RawValue),
    Owned(Box<RawValue>),
}

impl Member<'_> {
    fn raw(&self) -> &RawValue {
        match self {
            Member::Borrowed(raw) => raw,
            Member::Owned(raw) => raw,
        }
    }
}

impl<'a> RawObject<'a> {
    /// Splits `body` into top-level members. Fails on invalid JSON or a non-object.
    pub fn parse(body: &'a [u8]) -> Result<Self, RawObjectError> {
        let mut de = serde_json::Deserializer::from_slice(body);
        let members = de.deserialize_any(ObjectVisitor).map_err(|e| {
            if e.is_data() && e.to_string().contains(NOT_AN_OBJECT) {
                RawObjectError::NotAnObject
            } else {
                RawObjectError::InvalidJson(e.to_string())
            }
        })?;
        de.end()
            .map_err(|e| RawObjectError::InvalidJson(e.to_string()))?;
        Ok(Self { members })
    }

    /// The raw JSON text of a member, if present.
    pub fn get_raw(&self, key: &str) -> Option<&str> {
        self.member(key).map(|m| m.raw().get())
    }

    /// Deserialises one member. `Ok(None)` when absent; `Err` names the member when it has the
    /// wrong type, so the client learns which field to fix.
    pub fn get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, String> {
        match self.member(key) {
            None => Ok(None),
            Some(m) => serde_json::from_str(m.raw().get())
                .map(Some)
                .map_err(|e| format!("invalid value for '{key}': {e}")),
        }
    }

    /// Deserialises the whole object from its members, as `serde_json::from_slice` would from
    /// the body, without reading the body again: how decoders share the one parse.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        let members = self
            .members
            .iter()
            .map(|(key, member)| (key.as_str(), member.raw()));
        T::deserialize(de::value::MapDeserializer::new(members))
    }

    /// True when the member is present and not `null`.
    pub fn has(&self, key: &str) -> bool {
        self.get_raw(key).is_some_and(|raw| raw != "null")
    }

    /// Sets (or adds at the end) a member to the given value.
    pub fn set<T: serde::Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        let raw = serde_json::to_string(value)
            .ok()
            .and_then(|text| RawValue::from_string(text).ok());
        let Some(raw) = raw else { return };
        match self.members.iter_mut().find(|(k, _)| k == key) {
            Some((_, member)) => *member = Member::Owned(raw),
            None => self.members.push((key.to_owned(), Member::Owned(raw))),
        }
    }

    /// Removes a member; returns whether it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        let before = self.members.len();
        self.members.retain(|(k, _)| k != key);
        before != self.members.len()
    }

    /// Writes the object back: untouched members are copied verbatim.
    pub fn to_vec(&self) -> Vec<u8> {
        let size: usize = self
            .members
            .iter()
            .map(|(k, m)| k.len() + m.raw().get().len() + 4)
            .sum();
        let mut out = Vec::with_capacity(size + 2);
        out.push(b'{');
        for (i, (key, member)) in self.members.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // Keys were unescaped on parse; re-escape them through serde_json.
            match serde_json::to_vec(key) {
                Ok(escaped) => out.extend_from_slice(&escaped),
                Err(_) => out.extend_from_slice(b"\"\""),
            }
            out.push(b':');
            out.extend_from_slice(member.raw().get().as_bytes());
        }
        out.push(b'}');
        out
    }

    fn member(&self, key: &str) -> Option<&Member<'a>> {
        // Last one wins, as in serde_json's own maps.
        self.members
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, m)| m)
    }
}

const NOT_AN_OBJECT: &str = "expected a JSON object";

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Vec<(String, Member<'de>)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(NOT_AN_OBJECT)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(key) = map.next_key::<String>()? {
            let value: &'de RawValue = map.next_value()?;
            members.push((key, Member::Borrowed(value)));
        }
        Ok(members)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(NOT_AN_OBJECT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_object_deserialises_from_its_members() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Request {
            model: String,
            messages: Vec<serde_json::Value>,
            #[serde(default)]
            stream: bool,
        }
        let body = br#"{"model":"m","messages":[{"role":"user","content":"hi \u00e9"}],"extra":1}"#;
        let obj = RawObject::parse(body).unwrap();
        let request: Request = obj.deserialize().unwrap();
        assert_eq!(request, serde_json::from_slice::<Request>(body).unwrap());
        let missing = RawObject::parse(br#"{"model":"m"}"#).unwrap();
        let err = missing.deserialize::<Request>().unwrap_err().to_string();
        assert!(err.contains("missing field `messages`"), "{err}");
    }

    /// Found by the fuzzer: JSON allows any exponent, so a number beyond what an f64 holds is
    /// valid JSON and is passed through as written (the provider decides what it means); only a
    /// member Switchyard reads as a number refuses it, naming the member.
    #[test]
    fn regression_a_number_beyond_f64_is_passed_through_as_written() {
        let body = b"{\n\t\"\":\t   5E444}";
        let mut obj = RawObject::parse(body).unwrap();
        obj.set("model", "gpt-4.1");
        let out = String::from_utf8(obj.to_vec()).unwrap();
        assert!(out.contains("5E444"), "{out}");
        assert!(serde_json::from_str::<Box<RawValue>>(&out).is_ok(), "{out}");
        let err = obj.get::<f64>("").unwrap_err();
        assert!(err.starts_with("invalid value for ''"), "{err}");
    }

    #[test]
    fn untouched_members_are_written_back_byte_for_byte() {
        let body = br#"{"model":"a","messages":[{"role":"user","content":"hi \u00e9"}],"x_unknown":{"deep":[1, 2.50]}}"#;
        let mut obj = RawObject::parse(body).unwrap();
        obj.set("model", "gpt-4.1");
        let out = String::from_utf8(obj.to_vec()).unwrap();
        assert_eq!(
            out,
            r#"{"model":"gpt-4.1","messages":[{"role":"user","content":"hi \u00e9"}],"x_unknown":{"deep":[1, 2.50]}}"#,
            "only `model` may change; escapes and number formatting must survive"
        );
    }

    #[test]
    fn set_appends_missing_members_in_order() {
        let mut obj = RawObject::parse(br#"{"stream":true}"#).unwrap();
        obj.set(
            "stream_options",
            &serde_json::json!({"include_usage": true}),
        );
        assert_eq!(
            obj.to_vec(),
            br#"{"stream":true,"stream_options":{"include_usage":true}}"#
        );
    }

    #[test]
    fn typed_reads_name_the_offending_field() {
        let obj = RawObject::parse(br#"{"model":42,"stream":true}"#).unwrap();
        assert_eq!(obj.get::<bool>("stream").unwrap(), Some(true));
        let err = obj.get::<String>("model").unwrap_err();
        assert!(
            err.contains("'model'"),
            "error should name the field: {err}"
        );
        assert_eq!(obj.get::<String>("absent").unwrap(), None);
    }

    #[test]
    fn non_objects_and_garbage_are_rejected_distinctly() {
        assert!(matches!(
            RawObject::parse(b"[1,2]"),
            Err(RawObjectError::NotAnObject)
        ));
        assert!(matches!(
            RawObject::parse(b"\"text\""),
            Err(RawObjectError::NotAnObject)
        ));
        assert!(matches!(
            RawObject::parse(b"{\"a\":"),
            Err(RawObjectError::InvalidJson(_))
        ));
        assert!(matches!(
            RawObject::parse(b"{} trailing"),
            Err(RawObjectError::InvalidJson(_))
        ));
        assert!(matches!(
            RawObject::parse(b""),
            Err(RawObjectError::InvalidJson(_))
        ));
    }

    #[test]
    fn keys_needing_escapes_round_trip() {
        let body = br#"{"we\"ird":1}"#;
        let obj = RawObject::parse(body).unwrap();
        assert_eq!(obj.to_vec(), body);
    }

    #[test]
    fn remove_and_has() {
        let mut obj = RawObject::parse(br#"{"a":null,"b":1}"#).unwrap();
        assert!(!obj.has("a"), "null counts as absent");
        assert!(obj.has("b"));
        assert!(obj.remove("b"));
        assert!(!obj.remove("b"));
        assert_eq!(obj.to_vec(), br#"{"a":null}"#);
    }
}
