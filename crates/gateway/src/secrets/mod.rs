//! Provider keys and other secrets: the type that holds them, where they come from, and the
//! scrubbing of anything secret-looking from log lines.
//!
//! A [`Secret`] cannot leak by accident: `Debug` and `Display` print `<redacted>`, it has no
//! `Serialize`, and its memory is zeroed on drop. The only way to the text is [`Secret::expose`],
//! called where a key goes into an upstream request header.
//!
//! Keys resolve per provider through [`KeyResolver`]: the OS keychain slot first (a
//! [`KeyStore`]; absent until a keychain backend is configured), then the provider's `key_env`
//! variable. "No key" is `None`, not an error.

mod keychain;
mod redact;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use zeroize::Zeroizing;

pub use keychain::OsKeychain;
pub use redact::redact;
use redact::register_for_redaction;

use crate::config::{Provider, ProviderKind};

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

/// Where a provider's key was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    Keychain,
    Env(String),
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

/// A provider's key could not be found anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingKey {
    pub provider: String,
    pub key_env: Option<String>,
}

impl MissingKey {
    /// What the user reads: which provider, and the ways to add its key.
    pub fn explain(&self) -> String {
        let env = match &self.key_env {
            Some(var) => format!("set the environment variable {var}"),
            None => format!(
                "add key_env = \"NAME\" to provider '{}' in the config and set NAME",
                self.provider
            ),
        };
        format!(
            "No API key for provider '{}'. Store one in the OS keychain with `switchyard keys set {}` (or from the dashboard), or {env}.",
            self.provider, self.provider
        )
    }
}

fn no_keychain() -> KeyStoreError {
    KeyStoreError::Unavailable(keychain::UNAVAILABLE.to_owned())
}

/// Resolves provider keys: keychain first, then `key_env`. Keychain answers are cached, so the
/// keychain is asked once per provider, not once per request.
#[derive(Debug, Default)]
pub struct KeyResolver {
    keychain: Option<Arc<dyn KeyStore>>,
    cache: RwLock<HashMap<String, Option<Secret>>>,
}

impl KeyResolver {
    pub fn new(keychain: Option<Arc<dyn KeyStore>>) -> Self {
        KeyResolver {
            keychain,
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// The key to send upstream for `provider`. `Ok(None)` means the provider needs none
    /// (a local OpenAI-compatible server with no key configured anywhere).
    pub async fn resolve(
        &self,
        provider: &Provider,
    ) -> Result<Option<(Secret, KeyOrigin)>, MissingKey> {
        if let Some(secret) = self.keychain_lookup(&provider.id).await {
            return Ok(Some((secret, KeyOrigin::Keychain)));
        }
        if let Some(var) = &provider.key_env
            && let Ok(value) = std::env::var(var)
            && !value.trim().is_empty()
        {
            return Ok(Some((
                Secret::new(value.trim()),
                KeyOrigin::Env(var.clone()),
            )));
        }
        // Ollama, LM Studio and friends need no key: only insist when the user named a
        // variable or the provider is a hosted API that always needs one.
        if provider.kind == ProviderKind::OpenAiCompatible && provider.key_env.is_none() {
            return Ok(None);
        }
        Err(MissingKey {
            provider: provider.id.clone(),
            key_env: provider.key_env.clone(),
        })
    }

    /// Whether a keychain is configured at all.
    pub fn has_keychain(&self) -> bool {
        self.keychain.is_some()
    }

    /// Stores a provider's key in the keychain and forgets the cached answer.
    pub async fn store(&self, provider_id: &str, key: Secret) -> Result<(), KeyStoreError> {
        let store = self.keychain.clone().ok_or_else(no_keychain)?;
        let account = provider_id.to_owned();
        let result = tokio::task::spawn_blocking(move || store.set(&account, &key))
            .await
            .map_err(|e| KeyStoreError::Failed(e.to_string()))?;
        self.invalidate(Some(provider_id));
        result
    }

    /// Deletes a provider's key from the keychain; `false` when there was none.
    pub async fn remove(&self, provider_id: &str) -> Result<bool, KeyStoreError> {
        let store = self.keychain.clone().ok_or_else(no_keychain)?;
        let account = provider_id.to_owned();
        let result = tokio::task::spawn_blocking(move || store.delete(&account))
            .await
            .map_err(|e| KeyStoreError::Failed(e.to_string()))?;
        self.invalidate(Some(provider_id));
        result
    }

    /// Forgets cached keychain answers (after a key is set or deleted).
    pub fn invalidate(&self, provider_id: Option<&str>) {
        if let Ok(mut cache) = self.cache.write() {
            match provider_id {
                Some(id) => {
                    cache.remove(id);
                }
                None => cache.clear(),
            }
        }
    }

    async fn keychain_lookup(&self, account: &str) -> Option<Secret> {
        let store = self.keychain.clone()?;
        if let Some(cached) = self.cache.read().ok().and_then(|c| c.get(account).cloned()) {
            return cached;
        }
        let owned = account.to_owned();
        let found = tokio::task::spawn_blocking(move || store.get(&owned))
            .await
            .ok()
            .and_then(|r| {
                r.map_err(
                    |e| tracing::warn!(provider = account, error = %e, "keychain lookup failed"),
                )
                .ok()
            })
            .flatten();
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(account.to_owned(), found.clone());
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_value() {
        let secret = Secret::new("sk-test-abcdefghijklmnop1234");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(<redacted>)");
        assert_eq!(secret.last_four(), "1234");
        assert_eq!(secret.expose(), "sk-test-abcdefghijklmnop1234");
    }

    #[test]
    fn redact_scrubs_registered_secrets_and_key_shapes() {
        let _ = Secret::new("local-password-xyz");
        let line = "calling with local-password-xyz and Authorization: Bearer abc.def-123456 \
                    key=sk-proj-0123456789abcdef google AIzaSyA1234567890abcdefghijk x-api-key: sk-ant-api03-zzzzzzzzzz";
        let out = redact(line);
        for leaked in [
            "local-password-xyz",
            "abc.def-123456",
            "sk-proj-0123456789abcdef",
            "AIzaSyA1234567890abcdefghijk",
            "sk-ant-api03-zzzzzzzzzz",
        ] {
            assert!(!out.contains(leaked), "{leaked} survived in: {out}");
        }
        assert!(out.contains("Bearer <redacted>"), "{out}");
    }

    #[test]
    fn redact_leaves_ordinary_lines_alone() {
        let line = "proxied model=gpt-4.1 status=200 latency_ms=12";
        assert!(matches!(redact(line), std::borrow::Cow::Borrowed(_)));
    }

    fn provider(kind: ProviderKind, key_env: Option<&str>) -> Provider {
        Provider {
            id: "p".into(),
            kind,
            base_url: "http://127.0.0.1:1/v1".into(),
            key_env: key_env.map(Into::into),
            models: vec![],
            headers: vec![],
            stream_usage: crate::config::StreamUsage::Auto,
            timeouts: Default::default(),
        }
    }

    #[derive(Debug)]
    struct OneKey;
    impl KeyStore for OneKey {
        fn get(&self, account: &str) -> Result<Option<Secret>, KeyStoreError> {
            Ok((account == "p").then(|| Secret::new("from-the-keychain")))
        }
        fn set(&self, _: &str, _: &Secret) -> Result<(), KeyStoreError> {
            Ok(())
        }
        fn delete(&self, _: &str) -> Result<bool, KeyStoreError> {
            Ok(false)
        }
    }

    #[tokio::test]
    async fn the_keychain_wins_over_the_environment() {
        let resolver = KeyResolver::new(Some(Arc::new(OneKey)));
        let (secret, origin) = resolver
            .resolve(&provider(ProviderKind::OpenAi, Some("PATH")))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(secret.expose(), "from-the-keychain");
        assert_eq!(origin, KeyOrigin::Keychain);
    }

    #[tokio::test]
    async fn a_missing_key_explains_both_ways_to_add_one() {
        let resolver = KeyResolver::new(None);
        let missing = resolver
            .resolve(&provider(
                ProviderKind::OpenAi,
                Some("SWITCHYARD_TEST_SURELY_UNSET"),
            ))
            .await
            .unwrap_err();
        let text = missing.explain();
        assert!(
            text.contains("'p'") && text.contains("switchyard keys set p"),
            "{text}"
        );
        assert!(text.contains("SWITCHYARD_TEST_SURELY_UNSET"), "{text}");
    }

    #[tokio::test]
    async fn local_compatible_servers_need_no_key() {
        let resolver = KeyResolver::new(None);
        let key = resolver
            .resolve(&provider(ProviderKind::OpenAiCompatible, None))
            .await
            .unwrap();
        assert!(key.is_none());
    }
}
