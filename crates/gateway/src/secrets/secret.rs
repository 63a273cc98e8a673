//! The secret type and the keychain's interface: a leaf, so that the keychain backend and the
//! resolver above it both name them without importing each other.

use std::fmt;

use zeroize::Zeroizing;

use super::redact::register_for_redaction;

/// A secret string (API key, admin token). Prints as `<redacted>`; never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register_for_redaction(&value);
        Secret(Zeroizing::new(value))
    }

    /// The secret text. Call only where it goes on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last four characters, the most Switchyard ever shows of a key.
    pub fn last_four(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The OS keychain (or a test double of it), keyed by provider id. Implementations may block:
/// callers run them on a blocking thread, never on the async runtime.
pub trait KeyStore: Send + Sync + fmt::Debug {
    /// The stored key, or `None` when there is none.
    fn get(&self, account: &str) -> Result<Option<Secret>, KeyStoreError>;
    fn set(&self, account: &str, key: &Secret) -> Result<(), KeyStoreError>;
    /// Removes the key; `false` when there was none.
    fn delete(&self, account: &str) -> Result<bool, KeyStoreError>;
}

/// Why the keychain could not be used. Messages never contain a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyStoreError {
    /// No keychain on this machine (a headless Linux server without a Secret Service), or it
    /// is locked.
    #[error("{0}")]
    Unavailable(String),
    #[error("the OS keychain failed: {0}")]
    Failed(String),
}
