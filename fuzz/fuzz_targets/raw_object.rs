//! The pass-through body splitter: any bytes either parse into members that write back as
//! valid JSON, or are refused; never a panic. Valid by JSON's grammar, which allows numbers no
//! f64 holds (`5E444`): those pass through as the client wrote them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchyard_protocol::RawObject;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut object) = RawObject::parse(data) {
        object.set("model", "fuzzed-model");
        let written = object.to_vec();
        assert!(
            serde_json::from_slice::<Box<serde_json::value::RawValue>>(&written).is_ok(),
            "a parsed object must write back as valid JSON"
        );
    }
});
