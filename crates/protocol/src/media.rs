//! Inline media as base64 text, shared instead of copied.
//!
//! A request with an image carries megabytes of base64. The decoded request is kept for every
//! target a route tries, and each encoding for a provider puts the same text in its own wire
//! types; with a plain `String` each of those steps copied it. [`Base64Text`] is a shared,
//! immutable string: cloning it is a reference count, and it serialises as the JSON string it
//! holds.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Base64 text of inline media (images, documents, audio).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Base64Text(Arc<String>);

impl Base64Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Base64Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Takes the string's buffer as it is: no copy.
impl From<String> for Base64Text {
    fn from(text: String) -> Base64Text {
        Base64Text(Arc::new(text))
    }
}

impl From<&str> for Base64Text {
    fn from(text: &str) -> Base64Text {
        Base64Text(Arc::new(text.to_owned()))
    }
}

impl PartialEq<str> for Base64Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Base64Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Base64Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

/// Shows the length, not megabytes of text.
impl fmt::Debug for Base64Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len() <= 32 {
            write!(f, "{:?}", self.as_str())
        } else {
            write!(f, "{:?}… ({} bytes)", &self[..16], self.len())
        }
    }
}

impl Serialize for Base64Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Base64Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Base64Text, D::Error> {
        String::deserialize(deserializer).map(Base64Text::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_shares_the_text_and_it_round_trips_as_a_json_string() {
        let text = Base64Text::from("iVBORw0KGgo=".repeat(4));
        let copy = text.clone();
        assert!(
            std::ptr::eq(text.as_str(), copy.as_str()),
            "shared, not copied"
        );
        let json = serde_json::to_string(&text).unwrap();
        assert_eq!(json, format!("\"{}\"", "iVBORw0KGgo=".repeat(4)));
        assert_eq!(serde_json::from_str::<Base64Text>(&json).unwrap(), text);
        assert_eq!(
            format!("{text:?}"),
            format!("{:?}… (48 bytes)", "iVBORw0KGgo=iVBO")
        );
    }
}
