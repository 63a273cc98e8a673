//! Every provider answer and error decoder, and every client encoder applied to what they
//! decode: whatever a provider sends back, the client gets an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchyard_protocol::canonical::{ChatResponse, ToolNames};
use switchyard_protocol::openai_responses::ResponsesContext;
use switchyard_protocol::{anthropic, gemini, openai_chat, openai_responses};

fn encode_everywhere(response: &ChatResponse) {
    let names = ToolNames::default();
    let _ = openai_chat::encode_response(response, &names);
    let _ = anthropic::encode_response(response, &names);
    let _ = openai_responses::encode_response(response, &names, &ResponsesContext::default());
    let _ = gemini::encode_client_response(response, &names);
}

fuzz_target!(|data: &[u8]| {
    let names = ToolNames::default();
    for decoded in [
        openai_chat::decode_response(data, &names),
        anthropic::decode_response(data, &names),
        gemini::decode_response(data, &names),
    ]
    .into_iter()
    .flatten()
    {
        encode_everywhere(&decoded);
    }
    let status = data.first().map_or(500, |b| 400 + u16::from(*b) % 200);
    for error in [
        openai_chat::decode_error(status, data),
        anthropic::decode_error(status, data),
        gemini::decode_error(status, data),
    ] {
        let _ = openai_chat::encode_error(&error);
        let _ = anthropic::encode_error(&error);
        let _ = openai_responses::encode_error(&error);
    }
});
