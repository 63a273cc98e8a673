//! Round trips through a client: what the gateway sends Codex must decode, when Codex replays
//! it on the next turn, into what the provider sent.

use serde_json::{Value, json};

use super::*;
use crate::canonical::{ChatResponse, Content, StopReason, ToolCall, ToolNames};
use crate::usage::Usage;

#[test]
fn sealed_reasoning_opens_to_what_was_sealed() {
    for sealed in [
        Sealed::Signature("EqQBCkgIBxAB".into()),
        Sealed::Redacted("a:b:c".into()),
        Sealed::ThoughtSignature(String::new()),
    ] {
        let text = sealed.seal();
        assert!(is_gateway_reasoning(&text));
        assert_eq!(Sealed::open(&text), Some(sealed));
    }
    assert_eq!(
        Sealed::open("gAAAAABpK3x9"),
        None,
        "OpenAI's own encrypted content"
    );
    assert_eq!(Sealed::open("switchyard:future_kind:x"), None);
    assert!(!is_gateway_reasoning("gAAAAABpK3x9"));
}

#[test]
fn ids_look_like_openais_and_stay_unique_per_response() {
    assert_eq!(response_id("resp_abc"), "resp_abc");
    assert_eq!(response_id("msg_01X"), "resp_msg_01X");
    assert_eq!(item_id("fc", "resp_msg_01X", 2), "fc_msg_01X_2");
}

/// Decodes `items` as the `input` Codex would send back, after a user message.
fn replay(items: &Value) -> Vec<Content> {
    let mut input = vec![json!({"role": "user", "content": "go"})];
    input.extend(items.as_array().cloned().unwrap_or_default());
    let (req, _) = decode_request(json!({"input": input}).to_string().as_bytes()).unwrap();
    req.messages
        .into_iter()
        .skip(1)
        .flat_map(|m| m.content)
        .collect()
}

#[test]
fn thinking_signatures_and_thought_signatures_survive_a_codex_round_trip() {
    // translation rules 8 and 16: what the provider needs back comes back unchanged.
    let content = vec![
        Content::Thinking {
            text: "Plan: read the file first.".into(),
            signature: Some("EqQBCkgIBxABGAIiQHc2".into()),
        },
        Content::RedactedThinking {
            data: "EmwKAhgBEgy3va3pzix/LafPsn4a".into(),
        },
        Content::Text {
            text: "Reading it.".into(),
            cache_control: None,
        },
        Content::ToolCall(ToolCall {
            id: "call_0".into(),
            name: "read_file".into(),
            arguments: json!({"path": "src/cart.rs"}),
            thought_signature: Some("CiQB0e2Kb5tq".into()),
        }),
    ];
    let resp = ChatResponse {
        id: "gen-1".into(),
        model: "m".into(),
        content: content.clone(),
        stop_reason: StopReason::ToolUse,
        usage: Usage::default(),
    };
    let encoded = encode_response(&resp, &ToolNames::default(), &ResponsesContext::default());
    assert_eq!(replay(&encoded["output"]), content);
}

#[test]
fn a_streamed_custom_tool_call_round_trips_to_the_same_canonical_call() {
    use crate::canonical::{StreamEncoder, StreamEvent};
    let (_, ctx) = decode_request(
        json!({"tools": [{"type": "custom", "name": "apply_patch"}]})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let mut encoder = Encoder::new("r1", "m", ctx);
    let mut out = Vec::new();
    for event in [
        StreamEvent::ToolCallStart {
            index: 0,
            id: "toolu_1".into(),
            name: "apply_patch".into(),
            thought_signature: None,
        },
        StreamEvent::ToolCallDelta {
            index: 0,
            arguments: "{\"input\":\"*** Begin Patch\\n*** End Patch\\n\"}".into(),
        },
        StreamEvent::BlockStop { index: 0 },
    ] {
        out.extend(encoder.encode(&event));
    }
    out.extend(encoder.finish());
    let completed: Value = serde_json::from_str(&out[out.len() - 1].data).unwrap();
    assert_eq!(
        replay(&completed["response"]["output"]),
        vec![Content::ToolCall(ToolCall {
            id: "toolu_1".into(),
            name: "apply_patch".into(),
            arguments: json!({"input": "*** Begin Patch\n*** End Patch\n"}),
            thought_signature: None,
        })]
    );
}
