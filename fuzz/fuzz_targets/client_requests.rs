//! Every client request decoder (chat, messages, responses, Gemini), and every provider encoder applied
//! to whatever they decode: malformed or hostile requests are refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchyard_protocol::canonical::{ChatRequest, ToolNames};
use switchyard_protocol::{anthropic, gemini, openai_chat, openai_responses};

fn encode_everywhere(request: &ChatRequest) {
    let _ = openai_chat::encode_request(request, &mut ToolNames::default());
    let _ = anthropic::encode_request(request, &mut ToolNames::default());
    let _ = gemini::encode_request(request, &mut ToolNames::default());
    let _ = anthropic::count_tokens_estimate(request);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = openai_chat::decode_request(data) {
        encode_everywhere(&request);
    }
    if let Ok(request) = anthropic::decode_request(data) {
        encode_everywhere(&request);
    }
    if let Ok((request, _)) = openai_responses::decode_request(data) {
        encode_everywhere(&request);
    }
    if let Ok(decoded) = gemini::decode_client_request(data) {
        encode_everywhere(&decoded.request);
    }
});
