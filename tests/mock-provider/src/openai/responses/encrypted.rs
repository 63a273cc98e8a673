//! The `encrypted_content` of reasoning items: opaque tokens the mock issues
//! and later recognises.
//!
//! Stateless clients (Codex CLI sends `store: false` and
//! `include: ["reasoning.encrypted_content"]`) carry reasoning from one turn
//! to the next as these tokens, and OpenAI rejects any it cannot verify. A
//! gateway must hand them back byte for byte, so the mock issues tokens
//! shaped like OpenAI's (Fernet: URL-safe base64 of a 0x80 version byte, a
//! timestamp, an IV, the ciphertext and a 32-byte MAC, hence `gAAAAA…`) and
//! accepts only tokens whose MAC it can recompute. The MAC is a keyed
//! SplitMix/FNV construction, not cryptography: it only has to tell the
//! mock's own tokens from forged or altered ones, and it lets any mock
//! process verify them without shared state.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;

use crate::ids::{self, fnv1a64, splitmix64};

/// Fernet's version byte.
const VERSION: u8 = 0x80;
const TIMESTAMP_BYTES: usize = 8;
const IV_BYTES: usize = 16;
const MAC_BYTES: usize = 32;
/// What the MAC is keyed with.
const KEY: &[u8] = b"mock-provider/reasoning/v1";

/// A token carrying `plaintext`, its IV derived from `seed`.
pub(crate) fn seal(plaintext: &[u8], seed: u64) -> String {
    let mut token = vec![VERSION];
    token.extend_from_slice(&ids::unix_now().to_be_bytes());
    let mut state = seed;
    let iv: Vec<u8> = (0..IV_BYTES / 8)
        .flat_map(|_| splitmix64(&mut state).to_be_bytes())
        .collect();
    token.extend_from_slice(&iv);
    token.extend(
        keystream(&iv, plaintext.len())
            .zip(plaintext)
            .map(|(k, p)| k ^ p),
    );
    let mac = mac(&token);
    token.extend_from_slice(&mac);
    URL_SAFE.encode(token)
}

/// Whether `token` is one the mock issued, unaltered.
pub(crate) fn verify(token: &str) -> bool {
    let Ok(bytes) = URL_SAFE.decode(token) else {
        return false;
    };
    if bytes.len() < 1 + TIMESTAMP_BYTES + IV_BYTES + MAC_BYTES || bytes[0] != VERSION {
        return false;
    }
    let (signed, tag) = bytes.split_at(bytes.len() - MAC_BYTES);
    mac(signed) == tag
}

/// `gAAA...Rg==`: how OpenAI quotes a token in its error message.
pub(crate) fn abbreviate(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() <= 8 {
        return token.to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}...{tail}")
}

fn keystream(iv: &[u8], len: usize) -> impl Iterator<Item = u8> {
    let mut state = fnv1a64(iv);
    (0..len.div_ceil(8))
        .flat_map(move |_| splitmix64(&mut state).to_be_bytes())
        .take(len)
}

fn mac(data: &[u8]) -> [u8; MAC_BYTES] {
    let mut keyed = KEY.to_vec();
    keyed.extend_from_slice(data);
    let mut state = fnv1a64(&keyed);
    let mut out = [0_u8; MAC_BYTES];
    for chunk in out.chunks_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_be_bytes());
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_look_like_fernet_and_verify() {
        let token = seal(b"rs_1:Let me think.", 42);
        assert!(token.starts_with("gAAAAA"), "{token}");
        assert!(verify(&token));
    }

    #[test]
    fn altered_or_foreign_tokens_do_not_verify() {
        let token = seal(b"rs_1", 42);
        let mut altered = token.clone().into_bytes();
        let middle = altered.len() / 2;
        altered[middle] = if altered[middle] == b'A' { b'B' } else { b'A' };
        assert!(!verify(&String::from_utf8(altered).unwrap()));
        assert!(!verify("gAAAAABforged=="));
        assert!(!verify("not base64 at all"));
    }

    #[test]
    fn tokens_are_abbreviated_to_their_ends() {
        assert_eq!(abbreviate("gAAAAABoXYZ123Rg=="), "gAAA...Rg==");
    }
}
