//! Every provider stream decoder fed arbitrary events, each decoded stream encoded for every
//! client format: stream state machines survive any sequence, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchyard_protocol::canonical::{StreamDecoder, StreamEncoder, ToolNames};
use switchyard_protocol::openai_responses::ResponsesContext;
use switchyard_protocol::{anthropic, gemini, openai_chat, openai_responses};

fn decoders() -> Vec<Box<dyn StreamDecoder>> {
    vec![
        Box::new(openai_chat::Decoder::new(ToolNames::default())),
        Box::new(anthropic::Decoder::new(ToolNames::default())),
        Box::new(gemini::Decoder::new(ToolNames::default())),
    ]
}

fn encoders() -> Vec<Box<dyn StreamEncoder>> {
    vec![
        Box::new(openai_chat::Encoder::new("id".into(), "m".into(), true)),
        Box::new(anthropic::Encoder::new("id", "m", 10)),
        Box::new(openai_responses::Encoder::new("id", "m", ResponsesContext::default())),
        Box::new(gemini::ClientEncoder::new("id", "m")),
    ]
}

const NAMES: [&str; 8] = [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "error",
    "ping",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Each line is one event: an optional "<name index>|" prefix picks an event name.
    let events: Vec<(Option<&str>, &str)> = text
        .split('\n')
        .map(|line| match line.split_once('|') {
            Some((n, rest)) => (n.bytes().next().map(|b| NAMES[usize::from(b) % NAMES.len()]), rest),
            None => (None, line),
        })
        .collect();
    for mut decoder in decoders() {
        let mut decoded = Vec::new();
        for (name, data) in &events {
            decoded.extend(decoder.decode(*name, data));
        }
        decoded.extend(decoder.finish());
        for mut encoder in encoders() {
            for event in &decoded {
                let _ = encoder.encode(event);
            }
            let _ = encoder.finish();
        }
    }
});
