//! Provider keys and other secrets: the type that holds them, where they come from, and the
//! scrubbing of anything secret-looking from log lines.
//!
//! A [`Secret`] cannot leak by accident: `Debug` and `Display` print `<redacted>`, it has no
//! `Serialize`, and its memory is zeroed on drop. The only way to the text is [`Secret::expose`],
//! called where a key goes into an upstream request header.
//!
//! Keys resolve per provider through [`KeyResolver`]: the OS keychain slots first (a
//! [`KeyStore`]; account `ID`, then `ID#2`, `ID#3`, …), then the provider's `key_env`
//! variables. A provider with several keys uses them in turn ([`rotation`]). "No key" is
//! `None`, not an error.

mod keychain;
mod redact;
mod rotation;
mod secret;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub use keychain::OsKeychain;
pub use redact::redact;
pub use secret::{KeyStore, KeyStoreError, Secret};

use crate::config::Provider;

/// Where a provider's key was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    Keychain,
    Env(String),
}

/// A provider's key could not be found anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingKey {
    pub provider: String,
    pub key_env: Vec<String>,
}

impl MissingKey {
    /// What the user reads: which provider, and the ways to add its key.
    pub fn explain(&self) -> String {
        let env = match self.key_env.as_slice() {
            [var] => format!("set the environment variable {var}"),
            [_, ..] => format!(
                "set one of the environment variables {}",
                self.key_env.join(", ")
            ),
            [] => format!(
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

/// Most keychain accounts one provider may use (`ID`, `ID#2`, … `ID#16`).
pub const MAX_KEYS_PER_PROVIDER: usize = 16;

/// The key chosen for one upstream call, and how to tell it apart from its siblings.
#[derive(Debug, Clone)]
pub struct KeyChoice {
    pub secret: Secret,
    /// `keychain:ACCOUNT` or `env:VAR`: never the key.
    pub slot: String,
    /// Every slot of the provider, for setting this one aside.
    slots: Vec<String>,
}

impl KeyChoice {
    /// How many keys the provider has.
    pub fn count(&self) -> usize {
        self.slots.len()
    }
}

/// The keychain account of a provider's `n`-th key (1-based): `ID`, `ID#2`, `ID#3`, ….
pub fn account(provider_id: &str, n: usize) -> String {
    if n <= 1 {
        provider_id.to_owned()
    } else {
        format!("{provider_id}#{n}")
    }
}

/// How long a failed keychain lookup stands before the keychain is asked again.
const KEYCHAIN_RETRY_AFTER: Duration = Duration::from_secs(5);

/// What the keychain said of one account.
#[derive(Debug, Clone)]
enum Lookup {
    /// The key, or that none is stored: kept until a key is set or deleted.
    Answered(Option<Secret>),
    /// The keychain could not answer, at this moment.
    Failed(Instant),
}

/// Resolves provider keys: keychain first, then `key_env`. Keychain answers are cached, so the
/// keychain is asked once per account, not once per request.
#[derive(Debug)]
pub struct KeyResolver {
    keychain: Option<Arc<dyn KeyStore>>,
    cache: RwLock<HashMap<String, Lookup>>,
    retry_after: Duration,
    rotation: rotation::Rotation,
}

impl KeyResolver {
    pub fn new(keychain: Option<Arc<dyn KeyStore>>) -> Self {
        KeyResolver {
            keychain,
            cache: RwLock::new(HashMap::new()),
            retry_after: KEYCHAIN_RETRY_AFTER,
            rotation: rotation::Rotation::default(),
        }
    }

    /// The provider's first key (what the dashboard and `switchyard keys list` describe).
    /// `Ok(None)` means the provider needs none (a local OpenAI-compatible server with no key
    /// configured anywhere).
    pub async fn resolve(
        &self,
        provider: &Provider,
    ) -> Result<Option<(Secret, KeyOrigin)>, MissingKey> {
        Ok(self
            .pool(provider)
            .await?
            .into_iter()
            .next()
            .map(|(secret, origin, _)| (secret, origin)))
    }

    /// How many keys the provider has (keychain accounts and set variables).
    pub async fn count(&self, provider: &Provider) -> usize {
        self.pool(provider).await.map_or(0, |pool| pool.len())
    }

    /// The key for the next call to `provider`: its keys in turn, skipping those set aside.
    pub async fn pick(&self, provider: &Provider) -> Result<Option<KeyChoice>, MissingKey> {
        let mut pool = self.pool(provider).await?;
        if pool.is_empty() {
            return Ok(None);
        }
        let slots: Vec<String> = pool.iter().map(|(_, _, slot)| slot.clone()).collect();
        let index = self.rotation.choose(&provider.id, &slots);
        let (secret, _, slot) = pool.swap_remove(index.min(pool.len() - 1));
        Ok(Some(KeyChoice {
            secret,
            slot,
            slots,
        }))
    }

    /// A provider refused `key` (401/403) or found its quota spent (429): use its other keys
    /// for `duration`. True when another key is available right away.
    pub fn set_aside(&self, provider_id: &str, key: &KeyChoice, duration: Duration) -> bool {
        tracing::warn!(
            provider = provider_id,
            key = %format!("…{}", key.secret.last_four()),
            slot = %key.slot,
            seconds = duration.as_secs(),
            "setting a provider key aside"
        );
        self.rotation
            .set_aside(provider_id, &key.slot, &key.slots, duration)
    }

    /// Every key of a provider, in order: keychain `ID`, `ID#2`, … (up to the first gap), then
    /// each `key_env` variable that is set. Each with its origin and slot name.
    async fn pool(
        &self,
        provider: &Provider,
    ) -> Result<Vec<(Secret, KeyOrigin, String)>, MissingKey> {
        let mut pool = Vec::new();
        for n in 1..=MAX_KEYS_PER_PROVIDER {
            let account = account(&provider.id, n);
            match self.keychain_lookup(&account).await {
                Some(secret) => {
                    pool.push((secret, KeyOrigin::Keychain, format!("keychain:{account}")))
                }
                None => break,
            }
        }
        for var in &provider.key_env {
            if let Ok(value) = std::env::var(var)
                && !value.trim().is_empty()
            {
                pool.push((
                    Secret::new(value.trim()),
                    KeyOrigin::Env(var.clone()),
                    format!("env:{var}"),
                ));
            }
        }
        // Ollama, LM Studio and friends need no key: only insist when the user named a
        // variable or the provider is a hosted API that always needs one.
        if !pool.is_empty()
            || (provider.kind.adapter().key_optional() && provider.key_env.is_empty())
        {
            return Ok(pool);
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

    /// Forgets cached keychain answers (after a key is set or deleted), for every account of
    /// the provider (`ID`, `ID#2`, …), and which of its keys were set aside.
    pub fn invalidate(&self, provider_id: Option<&str>) {
        let base = provider_id.map(|id| id.split_once('#').map_or(id, |(base, _)| base));
        if let Ok(mut cache) = self.cache.write() {
            match base {
                Some(id) => cache.retain(|account, _| {
                    account.split_once('#').map_or(account.as_str(), |(b, _)| b) != id
                }),
                None => cache.clear(),
            }
        }
        self.rotation.forget(base);
    }

    /// Only answers are cached: a key found, or none stored. A keychain that failed (locked at
    /// login, its daemon not up yet) is asked again on a later request, after a short pause so
    /// a locked keychain is not asked on every request meanwhile.
    async fn keychain_lookup(&self, account: &str) -> Option<Secret> {
        let store = self.keychain.clone()?;
        match self.cache.read().ok().and_then(|c| c.get(account).cloned()) {
            Some(Lookup::Answered(found)) => return found,
            Some(Lookup::Failed(at)) if at.elapsed() < self.retry_after => return None,
            _ => {}
        }
        let owned = account.to_owned();
        let answer = match tokio::task::spawn_blocking(move || store.get(&owned)).await {
            Ok(Ok(found)) => Lookup::Answered(found),
            Ok(Err(e)) => {
                tracing::warn!(provider = account, error = %e, "keychain lookup failed; asking again on a later request");
                Lookup::Failed(Instant::now())
            }
            Err(e) => {
                tracing::warn!(provider = account, error = %e, "keychain lookup did not finish");
                Lookup::Failed(Instant::now())
            }
        };
        let found = match &answer {
            Lookup::Answered(found) => found.clone(),
            Lookup::Failed(_) => None,
        };
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(account.to_owned(), answer);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ProviderKind;

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
            key_env: key_env.map(Into::into).into_iter().collect(),
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

    #[derive(Debug)]
    struct TwoAccounts;
    impl KeyStore for TwoAccounts {
        fn get(&self, account: &str) -> Result<Option<Secret>, KeyStoreError> {
            Ok(match account {
                "p" => Some(Secret::new("sk-keychain-one-1111")),
                "p#2" => Some(Secret::new("sk-keychain-two-2222")),
                _ => None,
            })
        }
        fn set(&self, _: &str, _: &Secret) -> Result<(), KeyStoreError> {
            Ok(())
        }
        fn delete(&self, _: &str) -> Result<bool, KeyStoreError> {
            Ok(false)
        }
    }

    /// Locked at first (as at login, before the user unlocks it), then unlocked.
    #[derive(Debug, Default)]
    struct LockedAtFirst {
        asked: std::sync::atomic::AtomicUsize,
    }
    impl KeyStore for LockedAtFirst {
        fn get(&self, account: &str) -> Result<Option<Secret>, KeyStoreError> {
            use std::sync::atomic::Ordering;
            if self.asked.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err(KeyStoreError::Unavailable("the keyring is locked".into()));
            }
            Ok((account == "p").then(|| Secret::new("sk-unlocked-3333")))
        }
        fn set(&self, _: &str, _: &Secret) -> Result<(), KeyStoreError> {
            Ok(())
        }
        fn delete(&self, _: &str) -> Result<bool, KeyStoreError> {
            Ok(false)
        }
    }

    #[tokio::test]
    async fn a_keychain_that_failed_is_asked_again_later_not_taken_as_no_key() {
        let store = Arc::new(LockedAtFirst::default());
        let mut resolver = KeyResolver::new(Some(store.clone()));
        let p = provider(ProviderKind::OpenAi, Some("SWITCHYARD_TEST_SURELY_UNSET"));
        assert!(resolver.resolve(&p).await.is_err(), "locked: no key yet");
        assert!(
            resolver.resolve(&p).await.is_err(),
            "within the pause the keychain is not asked again"
        );
        assert_eq!(store.asked.load(std::sync::atomic::Ordering::SeqCst), 1);

        resolver.retry_after = Duration::ZERO; // the pause is over
        let (secret, origin) = resolver.resolve(&p).await.unwrap().unwrap();
        assert_eq!(secret.expose(), "sk-unlocked-3333");
        assert_eq!(origin, KeyOrigin::Keychain);
    }

    #[tokio::test]
    async fn keychain_accounts_then_every_set_variable_are_used_in_turn() {
        let resolver = KeyResolver::new(Some(Arc::new(TwoAccounts)));
        let mut p = provider(ProviderKind::OpenAi, None);
        // PATH is set in any test environment; the other name surely is not.
        p.key_env = vec!["SWITCHYARD_TEST_SURELY_UNSET".into(), "PATH".into()];
        let mut slots = Vec::new();
        for _ in 0..4 {
            slots.push(resolver.pick(&p).await.unwrap().unwrap().slot);
        }
        assert_eq!(
            slots,
            ["keychain:p", "keychain:p#2", "env:PATH", "keychain:p"],
            "an unset variable is no key"
        );
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
