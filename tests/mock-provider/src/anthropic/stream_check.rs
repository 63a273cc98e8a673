//! A checker for Anthropic SSE bodies, for tests of anything that emits
//! them (this mock, or the gateway translating another provider's stream).
//!
//! Claude Code and the SDKs are strict about event order ("Content block not
//! found" when a delta comes without its block start), so [`check_stream`]
//! enforces what the streaming docs promise: `message_start` first; blocks
//! opened with consecutive indexes from 0, one at a time; every delta inside
//! its block's start and stop and of the block's kind; `message_delta` after
//! the last block; `message_stop` last; `ping` anywhere after the start. It
//! then rebuilds the message the stream carries, so a test can assert on
//! content and usage as if the answer had not been streamed.

use serde_json::{Map, Value, json};

/// A stream that passed [`check_stream`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedStream {
    /// Every event as `(event name, data)`, in order.
    pub events: Vec<(String, Value)>,
    /// The message rebuilt from the events: `message_start`'s message with
    /// the blocks filled in (text joined, tool input parsed, thinking and
    /// signature joined), the `stop_reason`/`stop_sequence` of `message_delta`
    /// and its usage merged over the start usage.
    pub message: Value,
}

impl CheckedStream {
    /// The event names in order, e.g. for asserting the exact sequence.
    pub fn names(&self) -> Vec<&str> {
        self.events.iter().map(|(name, _)| name.as_str()).collect()
    }
}

/// Splits an SSE body into `(event name, data)` pairs; every frame must have
/// an `event:` line and a JSON `data:` line whose `type` is the event name.
pub fn parse_events(body: &str) -> Result<Vec<(String, Value)>, String> {
    let body = body.replace("\r\n", "\n");
    body.split("\n\n")
        .filter(|frame| !frame.trim().is_empty())
        .map(|frame| {
            let mut name = None;
            let mut data = String::new();
            for line in frame.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    name = Some(value.trim().to_owned());
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.strip_prefix(' ').unwrap_or(value));
                } else if !line.starts_with(':') {
                    return Err(format!("unexpected line {line:?} in frame {frame:?}"));
                }
            }
            let name = name.ok_or_else(|| format!("frame without an event line: {frame:?}"))?;
            let data: Value = serde_json::from_str(&data)
                .map_err(|e| format!("{name} data is not JSON ({e}): {data:?}"))?;
            if data.get("type").and_then(Value::as_str) != Some(name.as_str()) {
                return Err(format!("{name} event carries type {}", data["type"]));
            }
            Ok((name, data))
        })
        .collect()
}

/// A block being streamed.
#[derive(Debug)]
struct OpenBlock {
    index: usize,
    block: Map<String, Value>,
    input_json: String,
}

/// Checks the event order of an Anthropic SSE body and rebuilds its message.
pub fn check_stream(body: &str) -> Result<CheckedStream, String> {
    let events = parse_events(body)?;
    let mut message: Option<Map<String, Value>> = None;
    let mut blocks: Vec<Value> = Vec::new();
    let mut open: Option<OpenBlock> = None;
    let mut delta_seen = false;
    let mut stopped = false;
    for (position, (name, data)) in events.iter().enumerate() {
        let at = format!("event {position} ({name})");
        if stopped {
            return Err(format!("{at} comes after message_stop"));
        }
        if message.is_none() && name != "message_start" {
            return Err(format!("{at}: the stream must open with message_start"));
        }
        match name.as_str() {
            "message_start" => {
                if message.is_some() {
                    return Err(format!("{at}: a second message_start"));
                }
                let start = data["message"]
                    .as_object()
                    .ok_or_else(|| format!("{at}: no message object"))?;
                if start.get("content") != Some(&json!([])) {
                    return Err(format!("{at}: message_start content must be empty"));
                }
                message = Some(start.clone());
            }
            "ping" => {}
            "content_block_start" => {
                if delta_seen {
                    return Err(format!("{at}: a block starts after message_delta"));
                }
                if let Some(previous) = &open {
                    return Err(format!("{at}: block {} was not stopped", previous.index));
                }
                let index = index_of(data, &at)?;
                if index != blocks.len() {
                    return Err(format!("{at}: index {index}, expected {}", blocks.len()));
                }
                let block = data["content_block"]
                    .as_object()
                    .ok_or_else(|| format!("{at}: no content_block"))?
                    .clone();
                open = Some(OpenBlock {
                    index,
                    block,
                    input_json: String::new(),
                });
            }
            "content_block_delta" => {
                let index = index_of(data, &at)?;
                let current = open
                    .as_mut()
                    .filter(|o| o.index == index)
                    .ok_or_else(|| format!("{at}: delta for block {index}, which is not open"))?;
                apply_delta(current, &data["delta"], &at)?;
            }
            "content_block_stop" => {
                let index = index_of(data, &at)?;
                let finished = open
                    .take()
                    .filter(|o| o.index == index)
                    .ok_or_else(|| format!("{at}: stop for block {index}, which is not open"))?;
                blocks.push(finish_block(finished, &at)?);
            }
            "message_delta" => {
                if let Some(block) = &open {
                    return Err(format!("{at}: block {} is still open", block.index));
                }
                delta_seen = true;
                let message = message
                    .as_mut()
                    .ok_or_else(|| format!("{at}: no message"))?;
                for key in ["stop_reason", "stop_sequence"] {
                    if let Some(value) = data["delta"].get(key) {
                        message.insert(key.to_owned(), value.clone());
                    }
                }
                if let (Some(Value::Object(usage)), Some(update)) =
                    (message.get_mut("usage"), data["usage"].as_object())
                {
                    usage.extend(update.clone());
                }
            }
            "message_stop" => {
                if !delta_seen {
                    return Err(format!("{at}: message_stop before any message_delta"));
                }
                stopped = true;
            }
            "error" => return Err(format!("{at}: the stream reports an error: {data}")),
            other => return Err(format!("{at}: unknown event type {other}")),
        }
    }
    if !stopped {
        return Err("the stream ended without message_stop".to_owned());
    }
    let mut message = message.unwrap_or_default();
    message.insert("content".to_owned(), Value::Array(blocks));
    Ok(CheckedStream {
        events,
        message: Value::Object(message),
    })
}

fn index_of(data: &Value, at: &str) -> Result<usize, String> {
    data["index"]
        .as_u64()
        .and_then(|i| usize::try_from(i).ok())
        .ok_or_else(|| format!("{at}: no index"))
}

/// Adds a delta to the open block, if its kind fits the block's.
fn apply_delta(open: &mut OpenBlock, delta: &Value, at: &str) -> Result<(), String> {
    let block_kind = open
        .block
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let delta_kind = delta["type"].as_str().unwrap_or_default();
    let append = |block: &mut Map<String, Value>, key: &str, piece: &str| {
        let mut text = block
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        text.push_str(piece);
        block.insert(key.to_owned(), Value::String(text));
    };
    let piece = |key: &str| {
        delta[key]
            .as_str()
            .ok_or_else(|| format!("{at}: {delta_kind} without a string {key}"))
    };
    match (delta_kind, block_kind.as_str()) {
        ("text_delta", "text") => append(&mut open.block, "text", piece("text")?),
        ("input_json_delta", "tool_use" | "server_tool_use" | "mcp_tool_use") => {
            open.input_json.push_str(piece("partial_json")?);
        }
        ("thinking_delta", "thinking") => append(&mut open.block, "thinking", piece("thinking")?),
        ("signature_delta", "thinking") => {
            append(&mut open.block, "signature", piece("signature")?)
        }
        ("citations_delta", "text") => {
            let citations = open
                .block
                .entry("citations")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = citations {
                list.push(delta["citation"].clone());
            }
        }
        _ => {
            return Err(format!(
                "{at}: a {delta_kind} cannot update a {block_kind} block"
            ));
        }
    }
    Ok(())
}

/// The finished block; a tool input must be JSON (empty means `{}`).
fn finish_block(open: OpenBlock, at: &str) -> Result<Value, String> {
    let mut block = open.block;
    if matches!(
        block.get("type").and_then(Value::as_str),
        Some("tool_use" | "server_tool_use" | "mcp_tool_use")
    ) && !open.input_json.is_empty()
    {
        let input: Value = serde_json::from_str(&open.input_json).map_err(|e| {
            format!(
                "{at}: the input_json_delta fragments are not JSON ({e}): {}",
                open.input_json
            )
        })?;
        block.insert("input".to_owned(), input);
    }
    Ok(Value::Object(block))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(name: &str, data: &Value) -> String {
        format!("event: {name}\ndata: {data}\n\n")
    }

    fn start() -> String {
        frame(
            "message_start",
            &json!({"type": "message_start", "message": {"id": "m", "content": [], "usage": {"input_tokens": 3, "output_tokens": 1}}}),
        )
    }

    fn end() -> String {
        frame(
            "message_delta",
            &json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 2}}),
        ) + &frame("message_stop", &json!({"type": "message_stop"}))
    }

    #[test]
    fn a_well_ordered_stream_rebuilds_its_message() {
        let body = start()
            + &frame(
                "content_block_start",
                &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "t", "name": "w", "input": {}}}),
            )
            + &frame("ping", &json!({"type": "ping"}))
            + &frame(
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"a\":"}}),
            )
            + &frame(
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "1}"}}),
            )
            + &frame(
                "content_block_stop",
                &json!({"type": "content_block_stop", "index": 0}),
            )
            + &end();
        let checked = check_stream(&body);
        let message = checked.map(|c| c.message).unwrap_or_default();
        assert_eq!(message["content"][0]["input"], json!({"a": 1}));
        assert_eq!(message["stop_reason"], "end_turn");
        assert_eq!(
            message["usage"],
            json!({"input_tokens": 3, "output_tokens": 2})
        );
    }

    #[test]
    fn a_delta_without_its_block_start_is_rejected() {
        let body = start()
            + &frame(
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "x"}}),
            )
            + &end();
        let error = check_stream(&body).err().unwrap_or_default();
        assert!(error.contains("which is not open"), "{error}");
    }

    #[test]
    fn a_stream_without_message_stop_is_rejected() {
        let error = check_stream(&start()).err().unwrap_or_default();
        assert_eq!(error, "the stream ended without message_stop");
    }
}
