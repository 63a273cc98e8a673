//! Canonical request → Gemini `GenerateContentRequest` body.
//!
//! Decisions, each forced by something Gemini does:
//!
//! - **Roles.** Gemini knows `user` and `model`; tool results travel in `user` turns as
//!   `functionResponse` parts. Consecutive same-role messages are merged into one turn, and
//!   messages left without any part are dropped (Gemini rejects empty `parts`), as are empty
//!   text parts ("empty text parameter").
//! - **Function names, not ids.** `functionResponse` must carry the function's *name*
//!   (translation rule 7). The inbound decoder fills [`ToolResult::name`]; when it could not,
//!   the name is looked up in the nearest earlier `ToolCall` with the same id, and a result
//!   whose call is nowhere in the conversation is refused with a [`TranslateError`]. Call ids
//!   are *not* sent (`functionCall.id` / `functionResponse.id`): several Gemini endpoints
//!   reject them with "Unknown name \"id\"", and Gemini pairs calls and responses by order.
//! - **Thought signatures** (translation rules 8, 16). A `ToolCall`'s signature goes back on
//!   its `functionCall` part, where Gemini put it. Gemini 3 rejects a model turn whose function
//!   calls carry no signature at all, which is what a history produced by another provider (or
//!   a client that dropped the field) looks like: such a turn gets Google's documented
//!   placeholder [`SKIP_SIGNATURE`] on its first call, as Gemini itself signs only the first of
//!   parallel calls.
//! - **Thinking** is replayed as `thought: true` parts with their signatures. Google's docs ask
//!   for the full model turn (thoughts, calls, answer) or none of it, and the SDKs replay the
//!   thought parts, so this does the same rather than dropping them. A `Thinking` with empty
//!   text and a signature is how the decoders keep a signature that arrived on a *text* (or
//!   image) part; it is put back on the part before it. [`Content::RedactedThinking`] is
//!   Anthropic's and means nothing to Gemini: dropped.
//! - **Tool results** become `response: {"content": text}`, or `{"error": text}` when the tool
//!   failed (Gemini's docs name the `error` key). Images in a result follow the
//!   `functionResponse` as ordinary parts of the same turn: that works on every model, while
//!   `functionResponse.parts` exists only on Gemini 3.
//! - **Media.** Base64 → `inlineData`. URLs → `fileData`, with a MIME type guessed from the
//!   extension ([`mime_from_url`]); without a known extension, images are declared `image/jpeg`
//!   and documents `application/pdf`, except Files API and `gs://` URIs, whose type the service
//!   knows and which are sent without one. Document names are dropped (no field for them).
//! - **Schemas** for `parameters` and `responseSchema` are cleaned ([`super::schema`]).
//! - **Tool choice**: `Auto` → `AUTO`, `None` → `NONE`, `Required` → `ANY`, `Tool(n)` → `ANY`
//!   with `allowedFunctionNames: [n]`. Gemini has no switch for parallel calls:
//!   `parallel_tool_calls` is dropped. No tools, no `toolConfig`.
//! - **Reasoning** → `thinkingConfig.thinkingBudget` from [`Reasoning::budget_for`] (Gemini 3
//!   still honours budgets; its `thinkingLevel` cannot be sent together with one) and
//!   `includeThoughts` when the client wants reasoning text. Effort `none` sends no budget:
//!   budget 0 is an error on models that cannot stop thinking.
//! - Dropped: `cache_control` (Gemini caches implicitly), `user` (no field), `stream` (the
//!   gateway picks `:streamGenerateContent?alt=sse` instead).

use serde_json::{Map, Value, json};

use super::schema::{clean_parameters, clean_schema};
use super::wire;
use super::wire::{
    Blob, FileData, FunctionCall, FunctionCallingConfig, FunctionDeclaration, FunctionResponse,
    GenerateContentRequest, GenerationConfig, Part, ThinkingConfig, Tool, ToolConfig,
};
#[cfg(doc)]
use crate::canonical::Reasoning;
use crate::canonical::{
    ChatRequest, Content, MediaSource, Message, ResponseFormat, Role, ToolChoice, ToolNames,
    ToolResult, TranslateError,
};

/// Google's documented placeholder for a function call whose real signature is unknown
/// ("skip the thought signature validator").
pub const SKIP_SIGNATURE: &str = "skip_thought_signature_validator";

/// The request body for `models/{model}:generateContent` / `:streamGenerateContent`.
pub fn encode_request(req: &ChatRequest, names: &mut ToolNames) -> Result<Value, TranslateError> {
    let wire = build_request(req, names)?;
    serde_json::to_value(&wire).map_err(|e| TranslateError::new(format!("encoding failed: {e}")))
}

/// [`encode_request`] serialised straight from the wire types: what the gateway sends (the
/// model and the stream flag are in Gemini's URL, not its body).
pub fn encode_body(req: &ChatRequest, names: &mut ToolNames) -> Result<Vec<u8>, TranslateError> {
    let wire = build_request(req, names)?;
    let mut out = Vec::with_capacity(req.encoded_size_hint());
    serde_json::to_writer(&mut out, &wire)
        .map_err(|e| TranslateError::new(format!("encoding failed: {e}")))?;
    Ok(out)
}

/// The same request as typed wire values.
pub fn build_request(
    req: &ChatRequest,
    names: &mut ToolNames,
) -> Result<GenerateContentRequest, TranslateError> {
    let system_parts: Vec<Part> = req
        .system
        .iter()
        .filter(|block| !block.text.is_empty())
        .map(|block| text_part(&block.text))
        .collect();
    let system_instruction = (!system_parts.is_empty()).then(|| wire::Content {
        role: None,
        parts: system_parts,
    });

    let mut contents: Vec<wire::Content> = Vec::new();
    for (position, message) in req.messages.iter().enumerate() {
        let role = match message.role {
            Role::User => "user",
            Role::Assistant => "model",
        };
        let mut parts = Vec::new();
        for content in &message.content {
            encode_content(content, &req.messages[..position], names, &mut parts)?;
        }
        if parts.is_empty() {
            continue;
        }
        match contents.last_mut() {
            Some(last) if last.role.as_deref() == Some(role) => last.parts.extend(parts),
            _ => contents.push(wire::Content {
                role: Some(role.to_owned()),
                parts,
            }),
        }
    }
    for turn in &mut contents {
        if turn.role.as_deref() == Some("model") {
            sign_first_call(&mut turn.parts);
        }
    }

    let declarations: Vec<FunctionDeclaration> = req
        .tools
        .iter()
        .map(|tool| FunctionDeclaration {
            name: names.shorten(&tool.name, ToolNames::MAX),
            description: tool.description.clone().filter(|d| !d.is_empty()),
            parameters: clean_parameters(&tool.parameters),
        })
        .collect();
    let tool_config = match (&req.tool_choice, declarations.is_empty()) {
        (Some(choice), false) => Some(tool_config(choice, names)),
        _ => None,
    };
    let tools = if declarations.is_empty() {
        Vec::new()
    } else {
        vec![Tool {
            function_declarations: declarations,
        }]
    };

    let generation_config = generation_config(req);
    Ok(GenerateContentRequest {
        contents,
        system_instruction,
        tools,
        tool_config,
        generation_config: (!generation_config.is_empty()).then_some(generation_config),
    })
}

fn encode_content(
    content: &Content,
    earlier: &[Message],
    names: &mut ToolNames,
    parts: &mut Vec<Part>,
) -> Result<(), TranslateError> {
    match content {
        Content::Text { text, .. } => {
            if !text.is_empty() {
                parts.push(text_part(text));
            }
        }
        Content::Image { source, .. } => parts.push(media_part(source, MediaKind::Image)),
        Content::Document { source, .. } => parts.push(media_part(source, MediaKind::Document)),
        Content::ToolCall(call) => parts.push(Part {
            function_call: Some(FunctionCall {
                id: None,
                name: names.shorten(&call.name, ToolNames::MAX),
                args: Some(arguments_object(&call.arguments)),
            }),
            thought_signature: call.thought_signature.clone(),
            ..Part::default()
        }),
        Content::ToolResult(result) => encode_tool_result(result, earlier, names, parts)?,
        Content::Thinking { text, signature } => {
            if !text.is_empty() {
                parts.push(Part {
                    text: Some(text.clone()),
                    thought: true,
                    thought_signature: signature.clone(),
                    ..Part::default()
                });
            } else if let Some(signature) = signature {
                // A signature that came on the part before this marker: put it back there.
                if let Some(previous) = parts.last_mut().filter(|p| {
                    p.thought_signature.is_none()
                        && p.function_call.is_none()
                        && p.function_response.is_none()
                }) {
                    previous.thought_signature = Some(signature.clone());
                }
            }
        }
        Content::RedactedThinking { .. } => {}
    }
    Ok(())
}

fn encode_tool_result(
    result: &ToolResult,
    earlier: &[Message],
    names: &mut ToolNames,
    parts: &mut Vec<Part>,
) -> Result<(), TranslateError> {
    let name = match &result.name {
        Some(name) => name.clone(),
        None => call_name(earlier, &result.call_id).ok_or_else(|| {
            TranslateError::at(
                "messages",
                format!(
                    "tool result for tool_call_id `{}` has no matching tool call earlier in the \
                     conversation; Gemini needs the function name",
                    result.call_id
                ),
            )
        })?,
    };
    let text: Vec<&str> = result
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let key = if result.is_error { "error" } else { "content" };
    parts.push(Part {
        function_response: Some(FunctionResponse {
            id: None,
            name: names.shorten(&name, ToolNames::MAX),
            response: json!({ key: text.join("\n") }),
        }),
        ..Part::default()
    });
    for content in &result.content {
        match content {
            Content::Image { source, .. } => parts.push(media_part(source, MediaKind::Image)),
            Content::Document { source, .. } => {
                parts.push(media_part(source, MediaKind::Document));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The name of the nearest earlier tool call with this id.
fn call_name(earlier: &[Message], call_id: &str) -> Option<String> {
    earlier.iter().rev().find_map(|message| {
        message
            .content
            .iter()
            .rev()
            .find_map(|content| match content {
                Content::ToolCall(call) if call.id == call_id => Some(call.name.clone()),
                _ => None,
            })
    })
}

/// Gives the first function call of a model turn the placeholder signature when none of the
/// turn's calls has a real one.
fn sign_first_call(parts: &mut [Part]) {
    let calls = || parts.iter().filter(|p| p.function_call.is_some());
    if calls().next().is_none() || calls().any(|p| p.thought_signature.is_some()) {
        return;
    }
    if let Some(first) = parts.iter_mut().find(|p| p.function_call.is_some()) {
        first.thought_signature = Some(SKIP_SIGNATURE.to_owned());
    }
}

/// Function arguments as the JSON object Gemini requires. Canonical arguments are an object
/// already, except unparsable text kept as a string: parsed if it is an object after all,
/// otherwise wrapped as `{"value": …}` so nothing is lost.
fn arguments_object(arguments: &Value) -> Value {
    match arguments {
        Value::Object(_) => arguments.clone(),
        Value::Null => Value::Object(Map::new()),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ Value::Object(_)) => parsed,
            _ if text.trim().is_empty() => Value::Object(Map::new()),
            _ => json!({ "value": text }),
        },
        other => json!({ "value": other }),
    }
}

fn tool_config(choice: &ToolChoice, names: &mut ToolNames) -> ToolConfig {
    let (mode, allowed) = match choice {
        ToolChoice::Auto => ("AUTO", Vec::new()),
        ToolChoice::None => ("NONE", Vec::new()),
        ToolChoice::Required => ("ANY", Vec::new()),
        ToolChoice::Tool(name) => ("ANY", vec![names.shorten(name, ToolNames::MAX)]),
    };
    ToolConfig {
        function_calling_config: FunctionCallingConfig {
            mode: mode.to_owned(),
            allowed_function_names: allowed,
        },
    }
}

fn generation_config(req: &ChatRequest) -> GenerationConfig {
    let mut config = GenerationConfig {
        temperature: req.temperature,
        top_p: req.top_p,
        top_k: req.top_k,
        max_output_tokens: req.max_tokens,
        stop_sequences: req.stop.clone(),
        ..GenerationConfig::default()
    };
    match &req.response_format {
        Some(ResponseFormat::JsonObject) => {
            config.response_mime_type = Some("application/json".into());
        }
        Some(ResponseFormat::JsonSchema { schema, .. }) => {
            config.response_mime_type = Some("application/json".into());
            let cleaned = clean_schema(schema);
            // An object schema without properties is rejected; JSON mode alone says as much.
            let empty_object = cleaned.get("type").and_then(Value::as_str) == Some("object")
                && cleaned.get("properties").is_none();
            if !empty_object && cleaned.as_object().is_some_and(|o| !o.is_empty()) {
                config.response_schema = Some(cleaned);
            }
        }
        Some(ResponseFormat::Text) | None => {}
    }
    if let Some(reasoning) = &req.reasoning {
        let budget = reasoning.budget_for();
        let include = reasoning.include_thoughts.then_some(true);
        if budget.is_some() || include.is_some() {
            config.thinking_config = Some(ThinkingConfig {
                thinking_budget: budget,
                include_thoughts: include,
                thinking_level: None,
            });
        }
    }
    config
}

fn text_part(text: &str) -> Part {
    Part {
        text: Some(text.to_owned()),
        ..Part::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaKind {
    Image,
    Document,
}

/// An image or document as a part: inline data, or a file reference whose MIME type comes
/// from the URL (Gemini requires one for URLs it does not host).
pub(super) fn media_part(source: &MediaSource, kind: MediaKind) -> Part {
    match source {
        MediaSource::Base64 { media_type, data } => Part {
            inline_data: Some(Blob {
                mime_type: media_type.clone(),
                data: data.clone(),
            }),
            ..Part::default()
        },
        MediaSource::Url { url } => {
            let service_knows = url.starts_with("gs://")
                || url.starts_with("https://generativelanguage.googleapis.com/");
            let mime_type = mime_from_url(url).or_else(|| {
                (!service_knows).then_some(match kind {
                    MediaKind::Image => "image/jpeg",
                    MediaKind::Document => "application/pdf",
                })
            });
            Part {
                file_data: Some(FileData {
                    mime_type: mime_type.map(str::to_owned),
                    file_uri: url.clone(),
                }),
                ..Part::default()
            }
        }
    }
}

/// The MIME type a URL's file extension implies, for the types Gemini reads.
pub fn mime_from_url(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let file = path.rsplit('/').next().unwrap_or(path);
    let (_, extension) = file.rsplit_once('.')?;
    Some(match extension.to_ascii_lowercase().as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "md" => "text/markdown",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        "xml" => "text/xml",
        "json" => "application/json",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" => "audio/ogg",
        "flac" => "audio/flac",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        _ => return None,
    })
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
