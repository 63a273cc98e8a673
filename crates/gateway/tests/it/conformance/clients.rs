//! What each client API sends and how its answers read, so the conformance cases can be
//! written once: a request builder and an answer reader per inbound format.

use mock_provider::anthropic::stream_check::check_stream;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbound {
    Chat,
    Messages,
    Responses,
    /// Google's Gemini API: the model and streaming are in the URL, so the builders below put
    /// them in the body as for the others and [`Inbound::wire`] moves them.
    Gemini,
}

pub const INBOUND: [Inbound; 4] = [
    Inbound::Chat,
    Inbound::Messages,
    Inbound::Responses,
    Inbound::Gemini,
];

/// What a client made of an answer, whatever its format.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Reading {
    pub text: String,
    /// (name, arguments) of each tool call.
    pub calls: Vec<(String, Value)>,
    /// The error message, when the answer (or the end of the stream) was an error.
    pub error: Option<String>,
    /// The stop reason in the client's own words.
    pub stop: Option<String>,
}

pub const WEATHER_SCHEMA: &str = r#"{"type":"object","properties":{"location":{"type":"string"}},"required":["location"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}"#;

impl Inbound {
    /// The path and the body to send for a request the builders made.
    pub fn wire(self, mut body: Value) -> (String, Value) {
        let path = match self {
            Inbound::Chat => "/v1/chat/completions".to_owned(),
            Inbound::Messages => "/v1/messages".to_owned(),
            Inbound::Responses => "/v1/responses".to_owned(),
            Inbound::Gemini => {
                let map = body.as_object_mut().unwrap();
                let model = map.remove("model").unwrap();
                let stream = map.remove("stream") == Some(Value::Bool(true));
                let model = model.as_str().unwrap();
                if stream {
                    format!("/v1beta/models/{model}:streamGenerateContent?alt=sse")
                } else {
                    format!("/v1beta/models/{model}:generateContent")
                }
            }
        };
        (path, body)
    }

    /// A one-turn request saying `text`.
    pub fn ask(self, model: &str, text: &str, stream: bool) -> Value {
        match self {
            Inbound::Chat => json!({"model": model, "stream": stream, "messages": [
                {"role": "system", "content": "Be brief."}, {"role": "user", "content": text}]}),
            Inbound::Messages => {
                json!({"model": model, "stream": stream, "max_tokens": 512, "system": "Be brief.",
                "messages": [{"role": "user", "content": text}]})
            }
            Inbound::Responses => {
                json!({"model": model, "stream": stream, "instructions": "Be brief.", "input": text})
            }
            Inbound::Gemini => json!({"model": model, "stream": stream,
                "systemInstruction": {"parts": [{"text": "Be brief."}]},
                "contents": [{"role": "user", "parts": [{"text": text}]}]}),
        }
    }

    /// A request offering one tool.
    pub fn with_tool(self, model: &str, stream: bool) -> Value {
        let schema: Value = serde_json::from_str(WEATHER_SCHEMA).unwrap();
        let mut body = self.ask(model, "What is the weather in Paris?", stream);
        body["tools"] = match self {
            Inbound::Chat => {
                json!([{"type": "function", "function": {"name": "get_weather", "description": "Weather now", "parameters": schema}}])
            }
            Inbound::Messages => {
                json!([{"name": "get_weather", "description": "Weather now", "input_schema": schema}])
            }
            Inbound::Responses => {
                json!([{"type": "function", "name": "get_weather", "description": "Weather now", "parameters": schema}])
            }
            // Gemini CLI declares its tools with `parametersJsonSchema`.
            Inbound::Gemini => json!([{"functionDeclarations": [
                {"name": "get_weather", "description": "Weather now", "parametersJsonSchema": schema}]}]),
        };
        body
    }

    /// A conversation where the model called the tool and the client answers with its result.
    pub fn with_tool_result(self, model: &str) -> Value {
        let mut body = self.with_tool(model, false);
        let ask = "What is the weather in Paris?";
        let call_id = "call_abc123";
        match self {
            Inbound::Chat => {
                body["messages"] = json!([
                    {"role": "user", "content": ask},
                    {"role": "assistant", "content": null, "tool_calls": [{"id": call_id, "type": "function",
                        "function": {"name": "get_weather", "arguments": "{\"location\":\"Paris\"}"}}]},
                    {"role": "tool", "tool_call_id": call_id, "content": "sunny, 21 C"}
                ]);
            }
            Inbound::Messages => {
                body["messages"] = json!([
                    {"role": "user", "content": ask},
                    {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_abc123", "name": "get_weather", "input": {"location": "Paris"}}]},
                    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_abc123", "content": "sunny, 21 C"}]}
                ]);
            }
            Inbound::Responses => {
                body["input"] = json!([
                    {"type": "message", "role": "user", "content": ask},
                    {"type": "function_call", "call_id": call_id, "name": "get_weather", "arguments": "{\"location\":\"Paris\"}"},
                    {"type": "function_call_output", "call_id": call_id, "output": "sunny, 21 C"}
                ]);
            }
            Inbound::Gemini => {
                body["contents"] = json!([
                    {"role": "user", "parts": [{"text": ask}]},
                    {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"location": "Paris"}}}]},
                    {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"output": "sunny, 21 C"}}}]}
                ]);
            }
        }
        body
    }

    /// A request with a small PNG.
    pub fn with_image(self, model: &str) -> Value {
        const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
        let mut body = self.ask(model, "", false);
        let content = match self {
            Inbound::Chat => json!([{"type": "text", "text": "What is in this picture?"},
                {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{PNG}")}}]),
            Inbound::Messages => json!([{"type": "text", "text": "What is in this picture?"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}]),
            Inbound::Responses => {
                json!([{"type": "input_text", "text": "What is in this picture?"},
                {"type": "input_image", "image_url": format!("data:image/png;base64,{PNG}")}])
            }
            Inbound::Gemini => json!([{"text": "What is in this picture?"},
                {"inlineData": {"mimeType": "image/png", "data": PNG}}]),
        };
        match self {
            Inbound::Chat => body["messages"][1]["content"] = content,
            Inbound::Messages => body["messages"][0]["content"] = content,
            Inbound::Responses => {
                body["input"] = json!([{"type": "message", "role": "user", "content": content}])
            }
            Inbound::Gemini => body["contents"][0]["parts"] = content,
        }
        body
    }

    /// A request for a JSON answer.
    pub fn with_json_mode(self, model: &str) -> Value {
        let mut body = self.ask(model, "Answer in JSON.", false);
        match self {
            Inbound::Chat => body["response_format"] = json!({"type": "json_object"}),
            // Anthropic has no JSON mode; a system instruction asks for it.
            Inbound::Messages => body["system"] = json!("Answer with a JSON object only."),
            Inbound::Responses => body["text"] = json!({"format": {"type": "json_object"}}),
            Inbound::Gemini => {
                body["generationConfig"] = json!({"responseMimeType": "application/json"})
            }
        }
        body
    }

    /// Reads a whole answer.
    pub fn read(self, status: u16, body: &Value) -> Reading {
        let mut reading = Reading::default();
        if status >= 400 {
            reading.error = Some(match self {
                Inbound::Messages => {
                    assert_eq!(body["type"], "error", "Anthropic error shape: {body}");
                    body["error"]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                }
                _ => body["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            });
            return reading;
        }
        match self {
            Inbound::Chat => {
                let message = &body["choices"][0]["message"];
                reading.text = message["content"].as_str().unwrap_or_default().to_owned();
                for call in message["tool_calls"].as_array().into_iter().flatten() {
                    let args = call["function"]["arguments"].as_str().unwrap_or("{}");
                    reading.calls.push((
                        call["function"]["name"].as_str().unwrap().to_owned(),
                        serde_json::from_str(args).unwrap(),
                    ));
                }
                reading.stop = body["choices"][0]["finish_reason"]
                    .as_str()
                    .map(str::to_owned);
            }
            Inbound::Messages => {
                for block in body["content"].as_array().into_iter().flatten() {
                    match block["type"].as_str() {
                        Some("text") => reading
                            .text
                            .push_str(block["text"].as_str().unwrap_or_default()),
                        Some("tool_use") => reading.calls.push((
                            block["name"].as_str().unwrap().to_owned(),
                            block["input"].clone(),
                        )),
                        _ => {}
                    }
                }
                reading.stop = body["stop_reason"].as_str().map(str::to_owned);
            }
            Inbound::Responses => {
                for item in body["output"].as_array().into_iter().flatten() {
                    match item["type"].as_str() {
                        Some("message") => {
                            for part in item["content"].as_array().into_iter().flatten() {
                                reading
                                    .text
                                    .push_str(part["text"].as_str().unwrap_or_default());
                            }
                        }
                        Some("function_call") => reading.calls.push((
                            item["name"].as_str().unwrap().to_owned(),
                            serde_json::from_str(item["arguments"].as_str().unwrap_or("{}"))
                                .unwrap(),
                        )),
                        _ => {}
                    }
                }
                reading.stop = body["status"].as_str().map(str::to_owned);
            }
            Inbound::Gemini => read_gemini_chunk(body, &mut reading),
        }
        reading
    }

    /// Reads a stream, checking it is well formed for its format.
    pub fn read_stream(self, body: &str) -> Result<Reading, String> {
        let events = sse(body);
        let mut reading = Reading::default();
        match self {
            Inbound::Chat => {
                let mut calls: Vec<(String, String)> = Vec::new();
                let last = events.last().map(|(_, d)| d.as_str());
                for (_, data) in &events {
                    if data == "[DONE]" {
                        continue;
                    }
                    let chunk: Value =
                        serde_json::from_str(data).map_err(|e| format!("bad chunk {data}: {e}"))?;
                    if let Some(message) = chunk["error"]["message"].as_str() {
                        reading.error = Some(message.to_owned());
                        continue;
                    }
                    let choice = &chunk["choices"][0];
                    reading
                        .text
                        .push_str(choice["delta"]["content"].as_str().unwrap_or_default());
                    for call in choice["delta"]["tool_calls"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        let index = call["index"]
                            .as_u64()
                            .ok_or("tool call delta without index")?
                            as usize;
                        if index == calls.len() {
                            calls.push((
                                call["function"]["name"]
                                    .as_str()
                                    .ok_or("first delta of a call has no name")?
                                    .to_owned(),
                                String::new(),
                            ));
                        }
                        calls
                            .get_mut(index)
                            .ok_or("tool call index out of order")?
                            .1
                            .push_str(call["function"]["arguments"].as_str().unwrap_or_default());
                    }
                    if let Some(stop) = choice["finish_reason"].as_str() {
                        reading.stop = Some(stop.to_owned());
                    }
                }
                if reading.error.is_none() && last != Some("[DONE]") {
                    return Err("chat stream did not end with [DONE]".into());
                }
                for (name, args) in calls {
                    let args = if args.is_empty() {
                        "{}".to_owned()
                    } else {
                        args
                    };
                    reading.calls.push((
                        name,
                        serde_json::from_str(&args)
                            .map_err(|e| format!("arguments {args}: {e}"))?,
                    ));
                }
            }
            Inbound::Messages => {
                if let Some((_, data)) = events
                    .iter()
                    .find(|(name, _)| name.as_deref() == Some("error"))
                {
                    let error: Value = serde_json::from_str(data).map_err(|e| e.to_string())?;
                    reading.error = Some(
                        error["error"]["message"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    );
                    return Ok(reading);
                }
                let checked = check_stream(body)?;
                return Ok(Inbound::Messages.read(200, &checked.message));
            }
            Inbound::Responses => {
                let mut sequence = None;
                for (name, data) in &events {
                    let event: Value =
                        serde_json::from_str(data).map_err(|e| format!("bad event {data}: {e}"))?;
                    let number = event["sequence_number"].as_u64();
                    if name.as_deref() != Some("error") {
                        if number.is_none() || number <= sequence {
                            return Err(format!("sequence_number not increasing at {name:?}"));
                        }
                        sequence = number;
                    }
                    match name.as_deref() {
                        Some("response.output_text.delta") => reading
                            .text
                            .push_str(event["delta"].as_str().unwrap_or_default()),
                        Some("response.output_item.done")
                            if event["item"]["type"] == "function_call" =>
                        {
                            reading.calls.push((
                                event["item"]["name"]
                                    .as_str()
                                    .unwrap_or_default()
                                    .to_owned(),
                                serde_json::from_str(
                                    event["item"]["arguments"].as_str().unwrap_or("{}"),
                                )
                                .map_err(|e| e.to_string())?,
                            ))
                        }
                        Some("response.failed") => {
                            reading.error = Some(
                                event["response"]["error"]["message"]
                                    .as_str()
                                    .unwrap_or_default()
                                    .to_owned(),
                            )
                        }
                        Some("error") => {
                            reading.error =
                                Some(event["message"].as_str().unwrap_or_default().to_owned())
                        }
                        Some("response.completed" | "response.incomplete") => {
                            reading.stop = event["response"]["status"].as_str().map(str::to_owned)
                        }
                        _ => {}
                    }
                }
                let last = events
                    .last()
                    .and_then(|(n, _)| n.clone())
                    .unwrap_or_default();
                if !matches!(
                    last.as_str(),
                    "response.completed" | "response.incomplete" | "response.failed" | "error"
                ) {
                    return Err(format!("responses stream ended with {last}"));
                }
            }
            Inbound::Gemini => {
                for (name, data) in &events {
                    if name.is_some() {
                        return Err(format!("Gemini streams name no events, got {name:?}"));
                    }
                    let chunk: Value =
                        serde_json::from_str(data).map_err(|e| format!("bad chunk {data}: {e}"))?;
                    read_gemini_chunk(&chunk, &mut reading);
                }
                let last: Value = events
                    .last()
                    .and_then(|(_, d)| serde_json::from_str(d).ok())
                    .unwrap_or_default();
                if reading.error.is_none() && last["candidates"][0]["finishReason"].is_null() {
                    return Err(format!(
                        "Gemini stream's last chunk has no finishReason: {last}"
                    ));
                }
                if reading.error.is_none() && last["usageMetadata"].is_null() {
                    return Err(format!("Gemini stream's last chunk has no usage: {last}"));
                }
            }
        }
        Ok(reading)
    }
}

/// A `GenerateContentResponse` (a whole answer or one streamed chunk) added to a reading.
fn read_gemini_chunk(chunk: &Value, reading: &mut Reading) {
    if let Some(message) = chunk["error"]["message"].as_str() {
        reading.error = Some(message.to_owned());
        return;
    }
    let candidate = &chunk["candidates"][0];
    for part in candidate["content"]["parts"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if part["thought"] == true {
            continue;
        }
        if let Some(text) = part["text"].as_str() {
            reading.text.push_str(text);
        }
        if let Some(call) = part.get("functionCall") {
            reading.calls.push((
                call["name"].as_str().unwrap_or_default().to_owned(),
                call["args"].clone(),
            ));
        }
    }
    if let Some(stop) = candidate["finishReason"].as_str() {
        reading.stop = Some(stop.to_owned());
    }
}

/// (event name, data) of every SSE event. Lines may end with `\r\n`, `\n` or `\r` (Google's
/// front end writes `\r\n`, and a pass-through stream reaches the client as it was written).
pub fn sse(body: &str) -> Vec<(Option<String>, String)> {
    body.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split("\n\n")
        .filter_map(|block| {
            let mut name = None;
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = Some(n.to_owned());
                } else if let Some(d) = line
                    .strip_prefix("data: ")
                    .or_else(|| line.strip_prefix("data:"))
                {
                    data.push(d);
                }
            }
            (!data.is_empty()).then(|| (name, data.join("\n")))
        })
        .collect()
}
