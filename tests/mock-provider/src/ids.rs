//! Deterministic ids, timestamps and pseudo-random numbers.
//!
//! Real providers hand out random-looking ids (`chatcmpl-…`, `call_…`,
//! `req_…`); the mock derives them from a per-server request counter so runs
//! are reproducible while ids still look and vary like the real ones.

use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::Shared;

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The system fingerprint every answer carries (`fp_` + 10 hex digits, like OpenAI's).
pub(crate) const SYSTEM_FINGERPRINT: &str = "fp_6d6f636b31";

/// One step of SplitMix64: a tiny, well-mixed deterministic generator.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, used to turn text into a stable seed.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// `len` alphanumeric characters derived from `seed`.
pub(crate) fn alnum(seed: u64, len: usize) -> String {
    let mut state = seed;
    (0..len)
        .map(|_| {
            let index = (splitmix64(&mut state) % ALNUM.len() as u64) as usize;
            char::from(ALNUM[index])
        })
        .collect()
}

/// `len` lowercase hex digits derived from `seed`.
pub(crate) fn hex(seed: u64, len: usize) -> String {
    let mut state = seed;
    (0..len)
        .map(|_| {
            let digit = (splitmix64(&mut state) % 16) as u32;
            char::from_digit(digit, 16).unwrap_or('0')
        })
        .collect()
}

impl Shared {
    /// A fresh seed: one per call, in a reproducible order.
    pub(crate) fn next_seed(&self) -> u64 {
        let n = self.sequence.fetch_add(1, Ordering::Relaxed);
        let mut state = n ^ 0x5EED_0000_0000_0000;
        splitmix64(&mut state)
    }
}

/// Seconds since the Unix epoch, as in every `created` field.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_and_alphanumeric() {
        assert_eq!(alnum(7, 24), alnum(7, 24));
        assert_ne!(alnum(7, 24), alnum(8, 24));
        assert!(alnum(7, 24).chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(hex(3, 32).chars().all(|c| c.is_ascii_hexdigit()));
    }
}
