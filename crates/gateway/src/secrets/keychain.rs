//! The OS keychain as a [`KeyStore`]: macOS Keychain, Windows Credential Manager, or the
//! Secret Service on Linux (GNOME Keyring, KWallet, KeePassXC), through the `keyring` crates.
//!
//! Every key is stored under service `switchyard` with the provider id as the account, so a
//! user can find and remove them with the OS's own tools. Calls block (they talk to another
//! process over D-Bus or XPC); [`super::KeyResolver`] runs them on blocking threads.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error};

use super::secret::{KeyStore, KeyStoreError, Secret};

pub const SERVICE: &str = "switchyard";

/// What a user reads when there is no keychain to use.
pub const UNAVAILABLE: &str = "No OS keychain is available (on Linux, no Secret Service such as \
    GNOME Keyring or KeePassXC is running and unlocked); provider keys can come only from each \
    provider's key_env variable.";

pub struct OsKeychain {
    store: Arc<CredentialStore>,
}

impl std::fmt::Debug for OsKeychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OsKeychain")
    }
}

impl OsKeychain {
    /// The platform's keychain. Fails when the platform has none that can be reached.
    pub fn platform() -> Result<OsKeychain, KeyStoreError> {
        keyring::Entry::store_status()
            .as_ref()
            .map_err(|e| KeyStoreError::Unavailable(format!("{UNAVAILABLE} ({e})")))?;
        let store = keyring_core::get_default_store()
            .ok_or_else(|| KeyStoreError::Unavailable(UNAVAILABLE.to_owned()))?;
        Ok(OsKeychain { store })
    }

    /// A keychain backed by a given store (keyring's mock store in tests).
    pub fn in_store(store: Arc<CredentialStore>) -> OsKeychain {
        OsKeychain { store }
    }

    /// Checks that the keychain answers (not just that it exists): a locked or absent Secret
    /// Service fails here rather than on a user's first request.
    pub fn probe(&self) -> Result<(), KeyStoreError> {
        self.get("switchyard-probe").map(|_| ())
    }

    fn entry(&self, account: &str) -> Result<Entry, KeyStoreError> {
        Entry::new_in_store(&self.store, SERVICE, account).map_err(classify)
    }
}

impl KeyStore for OsKeychain {
    fn get(&self, account: &str) -> Result<Option<Secret>, KeyStoreError> {
        match self.entry(account)?.get_password() {
            Ok(key) => Ok(Some(Secret::new(key))),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn set(&self, account: &str, key: &Secret) -> Result<(), KeyStoreError> {
        self.entry(account)?
            .set_password(key.expose())
            .map_err(classify)
    }

    fn delete(&self, account: &str) -> Result<bool, KeyStoreError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(e) => Err(classify(e)),
        }
    }
}

/// Sorts keyring errors into "there is no usable keychain" and other failures. The texts come
/// from the platform and name no secret.
fn classify(e: Error) -> KeyStoreError {
    match e {
        Error::NoStorageAccess(inner) => {
            KeyStoreError::Unavailable(format!("{UNAVAILABLE} ({inner})"))
        }
        Error::NoDefaultStore => KeyStoreError::Unavailable(UNAVAILABLE.to_owned()),
        Error::PlatformFailure(inner) => {
            let text = inner.to_string();
            // D-Bus without a Secret Service (a headless server) reports a platform failure.
            if text.contains("org.freedesktop.secrets")
                || text.contains("ServiceUnknown")
                || text.contains("DBus")
                || text.contains("D-Bus")
                || text.contains("autolaunch")
            {
                KeyStoreError::Unavailable(format!("{UNAVAILABLE} ({text})"))
            } else {
                KeyStoreError::Failed(text)
            }
        }
        other => KeyStoreError::Failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock_keychain() -> OsKeychain {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        OsKeychain::in_store(store)
    }

    #[test]
    fn a_key_is_stored_read_back_and_deleted() {
        let keychain = mock_keychain();
        assert!(
            keychain.get("openai").unwrap().is_none(),
            "no entry is None, not an error"
        );
        keychain
            .set("openai", &Secret::new("sk-stored-in-keychain-1234"))
            .unwrap();
        assert_eq!(
            keychain.get("openai").unwrap().unwrap().expose(),
            "sk-stored-in-keychain-1234"
        );
        assert!(keychain.delete("openai").unwrap());
        assert!(
            !keychain.delete("openai").unwrap(),
            "deleting twice reports there was none"
        );
        assert!(keychain.get("openai").unwrap().is_none());
    }

    #[test]
    fn accounts_are_separate_per_provider() {
        let keychain = mock_keychain();
        keychain.set("a", &Secret::new("key-for-a-000")).unwrap();
        assert!(keychain.get("b").unwrap().is_none());
    }
}
