//! Thought signatures: opaque base64 strings Gemini 3 attaches to parts and
//! wants back, byte for byte, on the next request (translation rule 8).
//!
//! Real signatures are encrypted and only Google can read them. The mock's
//! are base64 of `switchyard-mock-thought:<function name>:<12 hex>`, so the
//! mock can tell a signature it issued, unchanged and still in the model turn
//! it was issued for, from one a gateway truncated, mangled, made up or
//! moved to another step's call. Copying a turn's signature onto its sibling
//! parallel calls is tolerated (some SDKs do it). The two dummy values Google
//! documents for histories that never had signatures are accepted, as by the
//! real API.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::proto::decode_bytes;
use crate::ids;

const PREFIX: &str = "switchyard-mock-thought:";

/// Values Google documents as bypassing signature validation.
const DUMMIES: [&str; 2] = [
    "skip_thought_signature_validator",
    "context_engineering_is_the_way_to_go",
];

/// A signature for a part answering with function `name` (`""` for text).
pub(crate) fn issue(name: &str, seed: u64) -> String {
    STANDARD.encode(format!("{PREFIX}{name}:{}", ids::hex(seed, 12)))
}

/// Whether `signature` is one the mock issued or a documented dummy. On a
/// function call part, the function it was issued for must be one of
/// `calls`, the functions that model turn calls.
pub(crate) fn verify(signature: &str, calls: Option<&[&str]>) -> bool {
    if DUMMIES.contains(&signature) {
        return true;
    }
    let Some(text) = decode_bytes(signature).and_then(|bytes| String::from_utf8(bytes).ok()) else {
        return false;
    };
    let Some((name, tail)) = text
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.rsplit_once(':'))
    else {
        return false;
    };
    let well_formed = tail.len() == 12 && tail.chars().all(|c| c.is_ascii_hexdigit());
    well_formed && calls.is_none_or(|calls| calls.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_signatures_verify_only_unchanged_and_in_their_turn() {
        let signature = issue("get_weather", 7);
        assert!(verify(&signature, Some(&["get_weather"])));
        assert!(verify(&signature, Some(&["get_time", "get_weather"])));
        assert!(verify(&signature, None));
        assert!(!verify(&signature, Some(&["other"])));
        assert!(!verify(
            &signature[..signature.len() - 4],
            Some(&["get_weather"])
        ));
        assert!(!verify("c29tZXRoaW5nIGVsc2U=", None));
        assert!(verify("skip_thought_signature_validator", Some(&["x"])));
    }
}
