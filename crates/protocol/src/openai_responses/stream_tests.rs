use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::canonical::ErrorKind;
use crate::openai_responses::decode_request;

/// A Codex-like request's context: `apply_patch` is a custom tool.
fn context() -> ResponsesContext {
    let (_, mut ctx) = decode_request(
        json!({
            "input": "hi",
            "tools": [{"type": "custom", "name": "apply_patch"}, {"type": "local_shell"}],
            "parallel_tool_calls": false,
            "store": false
        })
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    ctx.created_at = 1_764_000_000;
    ctx.echo.insert("tools".into(), json!([]));
    ctx
}

fn encoder() -> Encoder {
    Encoder::new(
        "msg_01XFDUDYJgAACzvnptvVoYEL",
        "claude-sonnet-4-5",
        context(),
    )
}

/// Feeds the events and finishes the stream; returns each event's parsed data, after
/// checking that its SSE name is its `type`.
fn run(encoder: &mut Encoder, events: &[StreamEvent]) -> Vec<Value> {
    let mut out: Vec<SseEvent> = events.iter().flat_map(|e| encoder.encode(e)).collect();
    out.extend(encoder.finish());
    out.iter()
        .map(|event| {
            let data: Value = serde_json::from_str(&event.data).unwrap();
            assert_eq!(event.event.as_deref(), data["type"].as_str(), "{data}");
            data
        })
        .collect()
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().filter_map(|e| e["type"].as_str()).collect()
}

fn usage(input: u64, cached: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input_tokens: input,
        cached_input_tokens: cached,
        cache_write_tokens: 0,
        output_tokens: output,
        reasoning_tokens: reasoning,
    }
}

fn start() -> StreamEvent {
    StreamEvent::Start {
        id: "msg_01XFDUDYJgAACzvnptvVoYEL".into(),
        model: "claude-sonnet-4-5".into(),
        usage: usage(2095, 1800, 1, 0),
    }
}

fn tool_start(index: usize, id: &str, name: &str) -> StreamEvent {
    StreamEvent::ToolCallStart {
        index,
        id: id.into(),
        name: name.into(),
        thought_signature: None,
    }
}

#[test]
fn thinking_text_a_tool_call_and_usage_stream_as_codex_expects() {
    use StreamEvent::*;
    let events = [
        start(),
        ThinkingStart { index: 0 },
        ThinkingDelta {
            index: 0,
            text: "The user wants".into(),
        },
        ThinkingDelta {
            index: 0,
            text: " the tests run.".into(),
        },
        ThinkingSignature {
            index: 0,
            signature: "EqQBCkgIBxAB".into(),
        },
        BlockStop { index: 0 },
        TextStart { index: 1 },
        TextDelta {
            index: 1,
            text: "Running the ".into(),
        },
        TextDelta {
            index: 1,
            text: "test suite.".into(),
        },
        BlockStop { index: 1 },
        tool_start(2, "toolu_01C", "shell_command"),
        ToolCallDelta {
            index: 2,
            arguments: "{\"command\":".into(),
        },
        ToolCallDelta {
            index: 2,
            arguments: "\"cargo test\"}".into(),
        },
        BlockStop { index: 2 },
        Finish {
            stop_reason: StopReason::ToolUse,
        },
        // translation rule 2: the final usage arrives after the finish reason.
        Usage {
            usage: usage(0, 0, 180, 40),
        },
    ];
    insta::assert_json_snapshot!(run(&mut encoder(), &events));
}

#[test]
fn usage_arriving_after_finish_still_reaches_response_completed() {
    let events = run(
        &mut encoder(),
        &[
            start(),
            StreamEvent::Finish {
                stop_reason: StopReason::EndTurn,
            },
            StreamEvent::Usage {
                usage: usage(0, 0, 55, 12),
            },
        ],
    );
    let last = events.last().unwrap();
    assert_eq!(last["type"], "response.completed");
    assert_eq!(
        last["response"]["usage"],
        json!({
            "input_tokens": 2095,
            "input_tokens_details": {"cached_tokens": 1800},
            "output_tokens": 55,
            "output_tokens_details": {"reasoning_tokens": 12},
            "total_tokens": 2150
        }),
        "input from Start, output from the late Usage, field by field"
    );
}

#[test]
fn a_finish_with_no_content_is_still_a_complete_stream() {
    let events = run(
        &mut encoder(),
        &[StreamEvent::Finish {
            stop_reason: StopReason::EndTurn,
        }],
    );
    assert_eq!(
        types(&events),
        [
            "response.created",
            "response.in_progress",
            "response.completed"
        ]
    );
    assert_eq!(events[0]["response"]["status"], "in_progress");
    assert_eq!(events[0]["response"]["usage"], Value::Null);
    assert_eq!(events[2]["response"]["output"], json!([]));
    let nothing = run(&mut encoder(), &[]);
    assert_eq!(types(&nothing).last(), Some(&"response.completed"));
}

#[test]
fn an_error_mid_stream_fails_the_response_and_ends_the_stream() {
    let mut encoder = encoder();
    let error = ApiError {
        status: 400,
        kind: ErrorKind::InvalidRequest,
        message: "prompt is too long: 210000 tokens > 200000 maximum".into(),
        code: Some("invalid_request_error".into()),
    };
    let events = run(
        &mut encoder,
        &[
            start(),
            StreamEvent::TextStart { index: 0 },
            StreamEvent::TextDelta {
                index: 0,
                text: "Hel".into(),
            },
            StreamEvent::Error { error },
            StreamEvent::TextDelta {
                index: 0,
                text: "lo".into(),
            },
        ],
    );
    let last = events.last().unwrap();
    assert_eq!(last["type"], "response.failed");
    assert_eq!(last["response"]["status"], "failed");
    assert_eq!(
        last["response"]["error"],
        json!({"code": "context_length_exceeded", "message": "prompt is too long: 210000 tokens > 200000 maximum"}),
        "Codex compacts on this code"
    );
    assert!(encoder.encode(&start()).is_empty(), "nothing after the end");
    assert!(encoder.finish().is_empty());
}

#[test]
fn running_out_of_tokens_ends_with_response_incomplete() {
    let events = run(
        &mut encoder(),
        &[
            StreamEvent::TextStart { index: 0 },
            StreamEvent::TextDelta {
                index: 0,
                text: "cut".into(),
            },
            StreamEvent::Finish {
                stop_reason: StopReason::MaxTokens,
            },
        ],
    );
    let last = events.last().unwrap();
    assert_eq!(last["type"], "response.incomplete");
    assert_eq!(
        last["response"]["incomplete_details"],
        json!({"reason": "max_output_tokens"})
    );
    assert_eq!(last["response"]["output"][0]["content"][0]["text"], "cut");
}

#[test]
fn several_tool_calls_keep_their_own_items_and_indexes() {
    // translation rule 4: block indexes count text too; output indexes count every item.
    use StreamEvent::*;
    let events = run(
        &mut encoder(),
        &[
            TextStart { index: 0 },
            TextDelta {
                index: 0,
                text: "Both:".into(),
            },
            BlockStop { index: 0 },
            tool_start(1, "c1", "get_weather"),
            ToolCallDelta {
                index: 1,
                arguments: "{\"city\":\"Paris\"}".into(),
            },
            BlockStop { index: 1 },
            tool_start(2, "c2", "get_weather"),
            ToolCallDelta {
                index: 2,
                arguments: "{\"city\":\"Rome\"}".into(),
            },
            BlockStop { index: 2 },
            Finish {
                stop_reason: StopReason::ToolUse,
            },
        ],
    );
    let deltas: Vec<(u64, &str, &str)> = events
        .iter()
        .filter(|e| e["type"] == "response.function_call_arguments.delta")
        .map(|e| {
            (
                e["output_index"].as_u64().unwrap(),
                e["item_id"].as_str().unwrap(),
                e["delta"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        deltas,
        [
            (
                1,
                "fc_msg_01XFDUDYJgAACzvnptvVoYEL_1",
                "{\"city\":\"Paris\"}"
            ),
            (
                2,
                "fc_msg_01XFDUDYJgAACzvnptvVoYEL_2",
                "{\"city\":\"Rome\"}"
            )
        ]
    );
    let output = &events.last().unwrap()["response"]["output"];
    let call_ids: Vec<&str> = (1..3)
        .filter_map(|i| output[i]["call_id"].as_str())
        .collect();
    assert_eq!(call_ids, ["c1", "c2"]);
}

#[test]
fn a_freeform_tool_call_streams_its_raw_input() {
    let events = run(
        &mut encoder(),
        &[
            tool_start(0, "toolu_01D", "apply_patch"),
            StreamEvent::ToolCallDelta {
                index: 0,
                arguments: "{\"input\":\"*** Begin Patch\\n".into(),
            },
            StreamEvent::ToolCallDelta {
                index: 0,
                arguments: "*** End Patch\\n\"}".into(),
            },
            StreamEvent::BlockStop { index: 0 },
        ],
    );
    assert_eq!(
        types(&events)[2..6],
        [
            "response.output_item.added",
            "response.custom_tool_call_input.delta",
            "response.custom_tool_call_input.done",
            "response.output_item.done"
        ]
    );
    assert_eq!(events[2]["item"]["type"], "custom_tool_call");
    assert_eq!(events[3]["delta"], "*** Begin Patch\n*** End Patch\n");
    assert_eq!(
        events[5]["item"],
        json!({
            "type": "custom_tool_call",
            "id": "ctc_msg_01XFDUDYJgAACzvnptvVoYEL_0",
            "status": "completed",
            "call_id": "toolu_01D",
            "name": "apply_patch",
            "input": "*** Begin Patch\n*** End Patch\n"
        })
    );
}

#[test]
fn a_local_shell_call_is_announced_whole() {
    let events = run(
        &mut encoder(),
        &[
            tool_start(0, "c1", "local_shell"),
            StreamEvent::ToolCallDelta {
                index: 0,
                arguments: "{\"command\":[\"ls\"]}".into(),
            },
            StreamEvent::BlockStop { index: 0 },
        ],
    );
    assert_eq!(
        types(&events)[2..4],
        ["response.output_item.added", "response.output_item.done"]
    );
    assert_eq!(
        events[2]["item"]["action"],
        json!({"type": "exec", "command": ["ls"]})
    );
    assert_eq!(events[3]["item"]["status"], "completed");
}

#[test]
fn a_call_without_arguments_streams_an_empty_object() {
    // translation rule 6.
    let events = run(
        &mut encoder(),
        &[
            tool_start(0, "c1", "now"),
            StreamEvent::BlockStop { index: 0 },
        ],
    );
    let delta = events
        .iter()
        .find(|e| e["type"] == "response.function_call_arguments.delta");
    assert_eq!(delta.map(|e| &e["delta"]), Some(&json!("{}")));
    let done = events
        .iter()
        .find(|e| e["type"] == "response.function_call_arguments.done");
    assert_eq!(done.map(|e| &e["arguments"]), Some(&json!("{}")));
}

#[test]
fn a_thought_signature_travels_in_a_reasoning_item_before_its_call() {
    // translation rule 8: Gemini needs it back on the next turn, and Codex replays reasoning items.
    let events = run(
        &mut encoder(),
        &[
            StreamEvent::ToolCallStart {
                index: 0,
                id: "call_0".into(),
                name: "get_weather".into(),
                thought_signature: Some("CiQB0e2Kb".into()),
            },
            StreamEvent::ToolCallDelta {
                index: 0,
                arguments: "{}".into(),
            },
            StreamEvent::BlockStop { index: 0 },
        ],
    );
    let output = &events.last().unwrap()["response"]["output"];
    assert_eq!(output[0]["type"], "reasoning");
    assert_eq!(
        output[0]["encrypted_content"],
        Sealed::ThoughtSignature("CiQB0e2Kb".into()).seal()
    );
    assert_eq!(output[1]["type"], "function_call");
}

#[test]
fn redacted_thinking_becomes_a_sealed_reasoning_item() {
    let events = run(
        &mut encoder(),
        &[
            StreamEvent::RedactedThinking {
                index: 0,
                data: "EmwKAhgBEgy3va3p".into(),
            },
            StreamEvent::BlockStop { index: 0 },
            StreamEvent::Finish {
                stop_reason: StopReason::EndTurn,
            },
        ],
    );
    let item = &events.last().unwrap()["response"]["output"][0];
    assert_eq!(item["summary"], json!([]));
    assert_eq!(
        item["encrypted_content"],
        "switchyard:redacted:EmwKAhgBEgy3va3p"
    );
}

#[test]
fn a_text_delta_without_its_start_still_reaches_the_client() {
    let events = run(
        &mut encoder(),
        &[StreamEvent::TextDelta {
            index: 3,
            text: "orphan".into(),
        }],
    );
    let output = &events.last().unwrap()["response"]["output"];
    assert_eq!(output[0]["content"][0]["text"], "orphan");
}

#[test]
fn a_block_starting_at_an_index_still_open_closes_the_old_one_first() {
    let events = run(
        &mut encoder(),
        &[
            StreamEvent::TextStart { index: 0 },
            StreamEvent::TextDelta {
                index: 0,
                text: "kept".into(),
            },
            tool_start(0, "c1", "f"),
            StreamEvent::ToolCallDelta {
                index: 0,
                arguments: "{}".into(),
            },
            StreamEvent::TextDelta {
                index: 0,
                text: "stray".into(),
            },
        ],
    );
    let output = &events.last().unwrap()["response"]["output"];
    assert_eq!(output[0]["content"][0]["text"], "kept");
    assert_eq!(output[1]["call_id"], "c1");
    assert_eq!(
        output[1]["arguments"], "{}",
        "a text delta cannot join a call"
    );
}

#[test]
fn each_encoder_keeps_its_own_state() {
    // translation rule 3.
    let (mut a, mut b) = (encoder(), Encoder::new("resp_other", "m", context()));
    let first_a = a.encode(&StreamEvent::TextStart { index: 0 });
    let first_b = b.encode(&StreamEvent::TextStart { index: 0 });
    assert_eq!(first_a.len(), first_b.len());
    assert!(first_b[0].data.contains("\"id\":\"resp_other\""));
    assert!(
        first_a[0]
            .data
            .contains("\"id\":\"resp_msg_01XFDUDYJgAACzvnptvVoYEL\"")
    );
    assert!(first_b[0].data.contains("\"sequence_number\":0"));
}

// ---------------------------------------------------------------------------------------------
// Any canonical sequence, legal or not, gives a stream a strict client accepts.
// ---------------------------------------------------------------------------------------------

fn any_event() -> impl Strategy<Value = StreamEvent> {
    let index = 0usize..4;
    let text = "[a-z {}\":]{0,6}";
    let stop = prop::sample::select(vec![
        StopReason::EndTurn,
        StopReason::StopSequence,
        StopReason::MaxTokens,
        StopReason::ToolUse,
        StopReason::ContentFilter,
    ]);
    let counts = (0u64..50, 0u64..50);
    prop_oneof![
        1 => counts.clone().prop_map(|(i, o)| StreamEvent::Start { id: "x".into(), model: "m".into(), usage: usage(i, 0, o, 0) }),
        3 => index.clone().prop_map(|index| StreamEvent::TextStart { index }),
        5 => (index.clone(), text).prop_map(|(index, text)| StreamEvent::TextDelta { index, text }),
        2 => index.clone().prop_map(|index| StreamEvent::ThinkingStart { index }),
        3 => (index.clone(), text).prop_map(|(index, text)| StreamEvent::ThinkingDelta { index, text }),
        1 => index.clone().prop_map(|index| StreamEvent::ThinkingSignature { index, signature: "sig".into() }),
        1 => index.clone().prop_map(|index| StreamEvent::RedactedThinking { index, data: "data".into() }),
        3 => (index.clone(), prop::sample::select(vec!["f", "apply_patch", "local_shell"]), any::<bool>())
            .prop_map(|(index, name, signed)| StreamEvent::ToolCallStart {
                index,
                id: format!("call_{index}"),
                name: name.into(),
                thought_signature: signed.then(|| "ts".to_owned()),
            }),
        4 => (index.clone(), text).prop_map(|(index, arguments)| StreamEvent::ToolCallDelta { index, arguments }),
        4 => index.prop_map(|index| StreamEvent::BlockStop { index }),
        2 => counts.prop_map(|(i, o)| StreamEvent::Usage { usage: usage(i, 0, o, 0) }),
        1 => stop.prop_map(|stop_reason| StreamEvent::Finish { stop_reason }),
        1 => Just(StreamEvent::Error { error: ApiError {
            status: 529, kind: ErrorKind::Overloaded, message: "Overloaded".into(), code: None,
        }}),
    ]
}

/// The delta events of one item and the `.done` event that must repeat their concatenation.
fn delta_and_done(kind: &str) -> Option<(&'static str, &'static str)> {
    match kind {
        "response.output_text.delta" => Some(("delta", "response.output_text.done")),
        "response.reasoning_summary_text.delta" => {
            Some(("delta", "response.reasoning_summary_text.done"))
        }
        "response.function_call_arguments.delta" => {
            Some(("delta", "response.function_call_arguments.done"))
        }
        "response.custom_tool_call_input.delta" => {
            Some(("delta", "response.custom_tool_call_input.done"))
        }
        _ => None,
    }
}

proptest! {
    #[test]
    fn any_canonical_sequence_ends_in_one_terminal_event_with_increasing_sequence_numbers(
        events in prop::collection::vec(any_event(), 0..40)
    ) {
        let out = run(&mut encoder(), &events);
        let kinds = types(&out);
        const TERMINAL: [&str; 3] = ["response.completed", "response.incomplete", "response.failed"];

        prop_assert_eq!(&kinds[..2], &["response.created", "response.in_progress"]);
        prop_assert!(TERMINAL.contains(kinds.last().unwrap()), "ends with {:?}", kinds.last());
        prop_assert_eq!(kinds.iter().filter(|k| TERMINAL.contains(k)).count(), 1);
        for (expected, event) in out.iter().enumerate() {
            prop_assert_eq!(event["sequence_number"].as_u64(), Some(expected as u64));
        }

        // Items: announced once, before any of their events, done at most once, and every
        // `.done` repeats the concatenated deltas.
        let mut announced: BTreeMap<String, u64> = BTreeMap::new();
        let mut finished: BTreeSet<String> = BTreeSet::new();
        let mut streamed: BTreeMap<(String, &str), String> = BTreeMap::new();
        for event in &out {
            let kind = event["type"].as_str().unwrap_or_default();
            if kind == "response.output_item.added" {
                let id = event["item"]["id"].as_str().unwrap().to_owned();
                let index = event["output_index"].as_u64().unwrap();
                prop_assert!(announced.insert(id, index).is_none(), "announced twice");
                continue;
            }
            if kind == "response.output_item.done" {
                let id = event["item"]["id"].as_str().unwrap().to_owned();
                prop_assert_eq!(announced.get(&id).copied(), event["output_index"].as_u64());
                prop_assert!(finished.insert(id), "done twice");
                continue;
            }
            let Some(item_id) = event["item_id"].as_str() else { continue };
            prop_assert!(announced.contains_key(item_id), "{kind} for an unannounced item");
            prop_assert!(!finished.contains(item_id), "{kind} after its item was done");
            prop_assert_eq!(announced.get(item_id).copied(), event["output_index"].as_u64());
            if let Some((field, done)) = delta_and_done(kind) {
                streamed.entry((item_id.to_owned(), done)).or_default()
                    .push_str(event[field].as_str().unwrap_or_default());
            }
            let full = match kind {
                "response.output_text.done" | "response.reasoning_summary_text.done" => &event["text"],
                "response.function_call_arguments.done" => &event["arguments"],
                "response.custom_tool_call_input.done" => &event["input"],
                _ => continue,
            };
            let deltas = streamed.remove(&(item_id.to_owned(), kind)).unwrap_or_default();
            prop_assert_eq!(full.as_str(), Some(deltas.as_str()), "{} of {}", kind, item_id);
        }

        let last = out.last().unwrap();
        if last["type"] != "response.failed" {
            prop_assert_eq!(&announced.keys().collect::<BTreeSet<_>>(), &finished.iter().collect());
            prop_assert!(last["response"]["usage"]["total_tokens"].is_u64(), "Codex needs usage");
            let output_ids: Vec<&str> = last["response"]["output"].as_array().unwrap()
                .iter().filter_map(|item| item["id"].as_str()).collect();
            prop_assert_eq!(output_ids.len(), finished.len());
        }
    }
}
