//! A checker for Responses API SSE bodies, for tests of anything that emits
//! them (this mock, or the gateway translating another provider's stream
//! for Codex CLI).
//!
//! Codex and the SDKs rebuild the answer from the events, so
//! [`check_stream`] enforces what the streaming docs promise: every frame
//! named after its `type`; `sequence_number`s strictly increasing from 0;
//! `response.created` first; output items added with consecutive
//! `output_index`es from 0, one at a time; every part, delta and `done`
//! inside its item's added/done and naming the open item; every `done`
//! text equal to its deltas joined; `response.completed` (or
//! `response.incomplete`) last, with usage and an `output` equal to the
//! finished items. A `response.failed` or `error` event fails the check.

use serde_json::Value;

pub use crate::anthropic::stream_check::parse_events;

/// A stream that passed [`check_stream`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedStream {
    /// Every event as `(event name, data)`, in order.
    pub events: Vec<(String, Value)>,
    /// The response of the terminal event.
    pub response: Value,
    /// The output items rebuilt from the deltas, as the events finished them.
    pub output: Vec<Value>,
}

impl CheckedStream {
    /// The event names in order, e.g. for asserting the exact sequence.
    pub fn names(&self) -> Vec<&str> {
        self.events.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// The data of every event named `name`.
    pub fn named(&self, name: &str) -> Vec<&Value> {
        self.events
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, data)| data)
            .collect()
    }
}

/// The item being streamed and what its deltas built so far.
#[derive(Debug)]
struct OpenItem {
    index: usize,
    id: String,
    kind: String,
    /// Open content part (`content_index`) or summary part (`summary_index`).
    part: Option<usize>,
    /// Text, summary text, arguments or input built from deltas.
    text: String,
    /// A `….done` event closed the text.
    text_done: bool,
    /// Texts of finished parts.
    parts: Vec<String>,
}

/// Checks the event order of a Responses SSE body and rebuilds its output.
pub fn check_stream(body: &str) -> Result<CheckedStream, String> {
    let events = parse_events(body)?;
    let mut open: Option<OpenItem> = None;
    let mut output: Vec<Value> = Vec::new();
    let mut terminal: Option<Value> = None;
    let mut previous_sequence: Option<u64> = None;
    for (position, (name, data)) in events.iter().enumerate() {
        let at = format!("event {position} ({name})");
        if terminal.is_some() {
            return Err(format!("{at} comes after the terminal event"));
        }
        let sequence = data["sequence_number"]
            .as_u64()
            .ok_or_else(|| format!("{at}: no sequence_number"))?;
        match previous_sequence {
            None if sequence != 0 => {
                return Err(format!(
                    "{at}: the first sequence_number is {sequence}, not 0"
                ));
            }
            Some(previous) if sequence <= previous => {
                return Err(format!("{at}: sequence_number {sequence} after {previous}"));
            }
            _ => previous_sequence = Some(sequence),
        }
        if position == 0 && name != "response.created" {
            return Err(format!("{at}: the stream must open with response.created"));
        }
        match name.as_str() {
            "response.created" | "response.in_progress" => {
                if name == "response.created" && position != 0 {
                    return Err(format!("{at}: a second response.created"));
                }
                let response = &data["response"];
                if response["output"] != Value::Array(Vec::new()) {
                    return Err(format!("{at}: the response must have no output yet"));
                }
                if !matches!(response["status"].as_str(), Some("in_progress" | "queued")) {
                    return Err(format!("{at}: status {}", response["status"]));
                }
            }
            "response.output_item.added" => {
                if let Some(item) = &open {
                    return Err(format!("{at}: item {} is still open", item.index));
                }
                let index = index_of(data, "output_index", &at)?;
                if index != output.len() {
                    return Err(format!(
                        "{at}: output_index {index}, expected {}",
                        output.len()
                    ));
                }
                let item = &data["item"];
                if item["type"] != "reasoning" && item["status"] != "in_progress" {
                    return Err(format!("{at}: an added item must be in_progress: {item}"));
                }
                open = Some(OpenItem {
                    index,
                    id: string_of(item, "id", &at)?,
                    kind: string_of(item, "type", &at)?,
                    part: None,
                    text: String::new(),
                    text_done: false,
                    parts: Vec::new(),
                });
            }
            "response.output_item.done" => {
                let item = current(&mut open, data, &at)?;
                if item.part.is_some() {
                    return Err(format!("{at}: a part of the item is still open"));
                }
                let done = &data["item"];
                if done["id"] != item.id.as_str() || done["type"] != item.kind.as_str() {
                    return Err(format!("{at}: done item {done} is not the open one"));
                }
                if done["status"] == "in_progress" {
                    return Err(format!("{at}: a done item cannot be in_progress"));
                }
                rebuilt_matches(item, done, &at)?;
                output.push(done.clone());
                open = None;
            }
            "response.content_part.added" | "response.reasoning_summary_part.added" => {
                let (expected_kind, key) = part_of(name);
                let item = current(&mut open, data, &at)?;
                if item.kind != expected_kind {
                    return Err(format!("{at}: a {} item has no such parts", item.kind));
                }
                if item.part.is_some() {
                    return Err(format!("{at}: the previous part is still open"));
                }
                let index = index_of(data, key, &at)?;
                if index != item.parts.len() {
                    return Err(format!(
                        "{at}: {key} {index}, expected {}",
                        item.parts.len()
                    ));
                }
                item.part = Some(index);
                item.text.clear();
                item.text_done = false;
            }
            "response.content_part.done" | "response.reasoning_summary_part.done" => {
                let (_, key) = part_of(name);
                let item = current(&mut open, data, &at)?;
                let index = index_of(data, key, &at)?;
                if item.part != Some(index) || !item.text_done {
                    return Err(format!("{at}: part {index} is not open with its text done"));
                }
                if data["part"]["text"] != item.text.as_str() {
                    return Err(format!(
                        "{at}: part text differs from the deltas: {:?}",
                        item.text
                    ));
                }
                item.parts.push(std::mem::take(&mut item.text));
                item.part = None;
            }
            "response.output_text.delta"
            | "response.reasoning_summary_text.delta"
            | "response.function_call_arguments.delta"
            | "response.custom_tool_call_input.delta" => {
                let item = current(&mut open, data, &at)?;
                expect_delta_kind(item, name, data, &at)?;
                if item.text_done {
                    return Err(format!("{at}: a delta after its done event"));
                }
                item.text.push_str(
                    data["delta"]
                        .as_str()
                        .ok_or_else(|| format!("{at}: no string delta"))?,
                );
            }
            "response.output_text.done"
            | "response.reasoning_summary_text.done"
            | "response.function_call_arguments.done"
            | "response.custom_tool_call_input.done" => {
                let item = current(&mut open, data, &at)?;
                expect_delta_kind(item, name, data, &at)?;
                let key = match name.as_str() {
                    "response.function_call_arguments.done" => "arguments",
                    "response.custom_tool_call_input.done" => "input",
                    _ => "text",
                };
                if data[key] != item.text.as_str() {
                    return Err(format!(
                        "{at}: {key} {} differs from the deltas joined: {:?}",
                        data[key], item.text
                    ));
                }
                item.text_done = true;
            }
            "response.completed" | "response.incomplete" => {
                if let Some(item) = &open {
                    return Err(format!("{at}: item {} is still open", item.index));
                }
                let response = &data["response"];
                let status = name.trim_start_matches("response.");
                if response["status"] != status {
                    return Err(format!("{at}: status {}", response["status"]));
                }
                let usage = &response["usage"];
                for key in ["input_tokens", "output_tokens", "total_tokens"] {
                    if !usage[key].is_u64() {
                        return Err(format!("{at}: usage has no {key}: {usage}"));
                    }
                }
                if response["output"] != Value::Array(output.clone()) {
                    return Err(format!(
                        "{at}: the output {} is not the streamed items",
                        response["output"]
                    ));
                }
                terminal = Some(response.clone());
            }
            "response.failed" | "error" => {
                return Err(format!("{at}: the stream reports a failure: {data}"));
            }
            other => return Err(format!("{at}: unknown event type {other}")),
        }
    }
    let response = terminal.ok_or("the stream ended without response.completed")?;
    Ok(CheckedStream {
        events,
        response,
        output,
    })
}

/// The open item, if the event names it by `output_index` and `item_id`.
fn current<'o>(
    open: &'o mut Option<OpenItem>,
    data: &Value,
    at: &str,
) -> Result<&'o mut OpenItem, String> {
    let index = index_of(data, "output_index", at)?;
    let item = open
        .as_mut()
        .filter(|item| item.index == index)
        .ok_or_else(|| format!("{at}: output_index {index} is not the open item"))?;
    let named = data
        .get("item_id")
        .or_else(|| data.get("item").and_then(|i| i.get("id")));
    if named.and_then(Value::as_str) != Some(item.id.as_str()) {
        return Err(format!(
            "{at}: the event names item {named:?}, not {}",
            item.id
        ));
    }
    Ok(item)
}

/// Which item kind a part event belongs to, and its index key.
fn part_of(name: &str) -> (&'static str, &'static str) {
    if name.starts_with("response.content_part") {
        ("message", "content_index")
    } else {
        ("reasoning", "summary_index")
    }
}

/// A text, summary, arguments or input event must fit the open item (and
/// part).
fn expect_delta_kind(item: &OpenItem, name: &str, data: &Value, at: &str) -> Result<(), String> {
    let (kind, part_key) = if name.starts_with("response.output_text") {
        ("message", Some("content_index"))
    } else if name.starts_with("response.reasoning_summary_text") {
        ("reasoning", Some("summary_index"))
    } else if name.starts_with("response.function_call_arguments") {
        ("function_call", None)
    } else {
        ("custom_tool_call", None)
    };
    if item.kind != kind {
        return Err(format!("{at}: cannot update a {} item", item.kind));
    }
    if let Some(key) = part_key {
        let index = index_of(data, key, at)?;
        if item.part != Some(index) {
            return Err(format!("{at}: {key} {index} is not an open part"));
        }
    }
    Ok(())
}

/// The done item must carry what its deltas built.
fn rebuilt_matches(item: &OpenItem, done: &Value, at: &str) -> Result<(), String> {
    let texts = |key: &str, list: &Value| -> Vec<String> {
        list.as_array()
            .into_iter()
            .flatten()
            .map(|part| part[key].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let matches = match item.kind.as_str() {
        "message" => texts("text", &done["content"]) == item.parts,
        "reasoning" => texts("text", &done["summary"]) == item.parts,
        "function_call" => done["arguments"] == item.text.as_str() && item.text_done,
        "custom_tool_call" => done["input"] == item.text.as_str() && item.text_done,
        _ => true,
    };
    if matches {
        Ok(())
    } else {
        Err(format!(
            "{at}: the done item {done} differs from its deltas"
        ))
    }
}

fn index_of(data: &Value, key: &str, at: &str) -> Result<usize, String> {
    data[key]
        .as_u64()
        .and_then(|i| usize::try_from(i).ok())
        .ok_or_else(|| format!("{at}: no {key}"))
}

fn string_of(item: &Value, key: &str, at: &str) -> Result<String, String> {
    item.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{at}: the item has no {key}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn frame(sequence: u64, data: Value) -> String {
        let mut data = data;
        data["sequence_number"] = json!(sequence);
        format!(
            "event: {}\ndata: {data}\n\n",
            data["type"].as_str().unwrap_or_default()
        )
    }

    fn response(status: &str, output: Value, usage: Value) -> Value {
        json!({"id": "resp_1", "object": "response", "status": status, "output": output, "usage": usage})
    }

    fn function_call_stream(second_delta: &str) -> String {
        let added = json!({"type": "function_call", "id": "fc_1", "status": "in_progress",
                           "arguments": "", "call_id": "call_1", "name": "f"});
        let done = json!({"type": "function_call", "id": "fc_1", "status": "completed",
                          "arguments": "{\"a\":1}", "call_id": "call_1", "name": "f"});
        [
            frame(0, json!({"type": "response.created", "response": response("in_progress", json!([]), Value::Null)})),
            frame(1, json!({"type": "response.output_item.added", "output_index": 0, "item": added})),
            frame(2, json!({"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": "{\"a\":"})),
            frame(3, json!({"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": second_delta})),
            frame(4, json!({"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 0, "arguments": "{\"a\":1}"})),
            frame(5, json!({"type": "response.output_item.done", "output_index": 0, "item": done})),
            frame(6, json!({"type": "response.completed", "response": response("completed", json!([done]),
                json!({"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}))})),
        ]
        .concat()
    }

    #[test]
    fn a_well_ordered_stream_rebuilds_its_output() {
        let checked = check_stream(&function_call_stream("1}")).unwrap();
        assert_eq!(checked.output[0]["arguments"], "{\"a\":1}");
        assert_eq!(checked.names().last(), Some(&"response.completed"));
    }

    #[test]
    fn a_done_that_differs_from_its_deltas_is_rejected() {
        let error = check_stream(&function_call_stream("2}"))
            .err()
            .unwrap_or_default();
        assert!(error.contains("differs from the deltas"), "{error}");
    }

    #[test]
    fn a_stream_without_its_terminal_event_is_rejected() {
        let body = frame(
            0,
            json!({"type": "response.created", "response": response("in_progress", json!([]), Value::Null)}),
        );
        assert_eq!(
            check_stream(&body).err().unwrap_or_default(),
            "the stream ended without response.completed"
        );
    }
}
