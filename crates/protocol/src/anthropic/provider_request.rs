//! Provider side: a canonical request written as a Messages body Anthropic accepts.
//!
//! Other formats allow conversations the Messages API rejects with a 400. Each repair below
//! names the rule it satisfies (FIELD-NOTES 11–13, 16):
//!
//! - Empty text (and whitespace-only text) is dropped; a message left with no content is
//!   dropped, except a final user message, which becomes [`PLACEHOLDER`]. Consecutive messages of
//!   one role are merged into one.
//! - The conversation must start with a user message: one reading [`PLACEHOLDER`] is put first
//!   when it starts with the assistant (or has no messages at all, only a system prompt).
//! - Every `tool_use` needs exactly one `tool_result` at the start of the next user message: the
//!   results of one turn are gathered there in call order; a call with no result gets an error
//!   result reading [`MISSING_RESULT`]; a result whose call is not in the previous assistant
//!   turn (or a second result for one call) becomes text, so its content still reaches the model.
//! - Thinking blocks are replayed unchanged with their signatures. Thinking without a signature
//!   (it came from another provider) is dropped: Anthropic rejects it. When the last assistant
//!   turn calls tools but does not start with a signed thinking block, thinking is switched off
//!   for the request, since Anthropic requires that block to continue a tool loop with thinking.
//! - `max_tokens` is required: the request's, else 8,192 (4,096 for Claude 3 Haiku/Opus), capped
//!   at the model's output limit (64,000 for current models; 32,000 for Opus 4 and 4.1; 8,192
//!   for Claude 3.5; 64,000 for names this module does not know).
//! - Thinking: the budget is the request's or one derived from its effort (8,192 when neither
//!   is given), raised to Anthropic's minimum of 1,024; `max_tokens` is raised above it (budget
//!   plus 8,192, within the cap). Thinking is off with a forced tool choice (Anthropic rejects
//!   the pair; the forced tool matters more) and for models without it (Claude 3.5 and older).
//!   With thinking on, temperature, top_p and top_k are dropped, as Anthropic requires.
//! - Without thinking, temperature is clamped to Anthropic's 0–1, and top_p is dropped when
//!   temperature is also set (current models reject both together).
//! - `tool_choice: none` sends no tools, unless the conversation holds tool calls or results:
//!   then the tools go with `{"type": "none"}`, because Anthropic wants tools defined whenever
//!   tool blocks appear. `parallel_tool_calls: false` is `disable_parallel_tool_use: true`.
//! - JSON mode: Anthropic has none (structured outputs need a beta header), so `json_object`
//!   and `json_schema` become a last system block asking for one JSON value matching the schema.
//! - Images: base64 or URL sources. Documents: PDFs as base64 or URL; `text/*` documents are
//!   sent as plain-text documents; other types are refused.
//! - `cache_control` is kept (`{"type": "ephemeral"}` plus `ttl`); beyond Anthropic's limit of 4
//!   breakpoints, the earliest are dropped, since later ones cover longer prefixes.
//! - Tool names are shortened to Anthropic's `^[a-zA-Z0-9_-]{1,128}$` through [`ToolNames`];
//!   tool call ids are made to match `^[a-zA-Z0-9_-]+$` (other characters become `_`).

use serde_json::{Value, json};

use super::response::input_object;
use super::wire::{
    Blocks, CacheControlParam, ContentBlock, DocumentSource, ImageSource, MessageParam,
    MessagesRequest, Metadata, SystemBlockParam, ThinkingParam, ToolChoiceParam, ToolParam,
    WireRole,
};
use super::{MAX_TOOL_NAME, cache_control_to_wire};
use crate::canonical::{
    ChatRequest, Content, Effort, MediaSource, ResponseFormat, Role, ToolChoice, ToolNames,
    TranslateError,
};

/// The text of a user message the API requires where the conversation has none.
pub const PLACEHOLDER: &str = "(continued)";
/// The content of the error result given to a tool call that has none.
pub const MISSING_RESULT: &str = "no result was provided for this tool call";

const MIN_BUDGET: u64 = 1024;
const DEFAULT_BUDGET: u64 = 8192;
const ANSWER_ROOM: u64 = 8192;
const MAX_CACHE_BREAKPOINTS: usize = 4;

/// Writes `req` as a Messages request body. Tool names are shortened through `names` where
/// Anthropic would reject them, for the decoders to restore.
pub fn encode_request(req: &ChatRequest, names: &mut ToolNames) -> Result<Value, TranslateError> {
    let mut turns: Vec<(WireRole, Vec<ContentBlock>)> = Vec::with_capacity(req.messages.len());
    let last = req.messages.len().saturating_sub(1);
    for (i, message) in req.messages.iter().enumerate() {
        let role = match message.role {
            Role::User => WireRole::User,
            Role::Assistant => WireRole::Assistant,
        };
        let mut blocks = Vec::with_capacity(message.content.len());
        for (j, content) in message.content.iter().enumerate() {
            let path = format!("messages[{i}].content[{j}]");
            blocks.extend(block_to_wire(content, role, &path, names)?);
        }
        if blocks.is_empty() {
            if i == last && role == WireRole::User {
                blocks.push(text_block(PLACEHOLDER));
            } else {
                continue;
            }
        }
        match turns.last_mut() {
            Some((last_role, last_blocks)) if *last_role == role => last_blocks.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    pair_tool_results(&mut turns);
    if turns
        .first()
        .is_none_or(|(role, _)| *role == WireRole::Assistant)
    {
        turns.insert(0, (WireRole::User, vec![text_block(PLACEHOLDER)]));
    }
    trim_final_assistant_text(&mut turns);

    let has_tool_blocks = turns.iter().flat_map(|(_, blocks)| blocks).any(|b| {
        matches!(
            b,
            ContentBlock::ToolUse { .. } | ContentBlock::ToolResult { .. }
        )
    });
    let send_tools = !matches!(req.tool_choice, Some(ToolChoice::None)) || has_tool_blocks;
    let tools: Vec<ToolParam> = if send_tools {
        req.tools
            .iter()
            .map(|tool| ToolParam {
                kind: None,
                name: names.shorten(&tool.name, MAX_TOOL_NAME),
                description: tool.description.clone(),
                input_schema: Some(object_schema(&tool.parameters)),
                cache_control: cache_control_to_wire(tool.cache_control.as_ref()),
            })
            .collect()
    } else {
        Vec::new()
    };
    let disable_parallel = (req.parallel_tool_calls == Some(false)).then_some(true);
    let tool_choice = if tools.is_empty() {
        None
    } else {
        match &req.tool_choice {
            Some(ToolChoice::None) => Some(ToolChoiceParam::None),
            Some(ToolChoice::Required) => Some(ToolChoiceParam::Any {
                disable_parallel_tool_use: disable_parallel,
            }),
            Some(ToolChoice::Tool(name)) => Some(ToolChoiceParam::Tool {
                name: names.shorten(name, MAX_TOOL_NAME),
                disable_parallel_tool_use: disable_parallel,
            }),
            Some(ToolChoice::Auto) | None => disable_parallel.map(|d| ToolChoiceParam::Auto {
                disable_parallel_tool_use: Some(d),
            }),
        }
    };

    let limits = ModelLimits::of(&req.model);
    let mut max_tokens = req
        .max_tokens
        .unwrap_or(limits.default_max_tokens())
        .clamp(1, limits.max_output);
    let forced_tool = matches!(
        tool_choice,
        Some(ToolChoiceParam::Any { .. } | ToolChoiceParam::Tool { .. })
    );
    let mut budget = thinking_budget(req)
        .filter(|_| limits.thinking && !forced_tool && tool_loop_allows_thinking(&turns));
    if let Some(b) = budget.as_mut() {
        *b = (*b).max(MIN_BUDGET);
        if max_tokens <= *b {
            max_tokens = (*b + ANSWER_ROOM).min(limits.max_output);
        }
        if max_tokens <= *b {
            *b = max_tokens.saturating_sub(MIN_BUDGET);
        }
    }
    let budget = budget.filter(|b| *b >= MIN_BUDGET);

    let mut system: Vec<SystemBlockParam> = req
        .system
        .iter()
        .filter(|b| !b.text.trim().is_empty())
        .map(|b| SystemBlockParam {
            kind: "text".to_owned(),
            text: b.text.clone(),
            cache_control: cache_control_to_wire(b.cache_control.as_ref()),
        })
        .collect();
    if let Some(instruction) = json_instruction(req.response_format.as_ref()) {
        system.push(SystemBlockParam {
            kind: "text".to_owned(),
            text: instruction,
            cache_control: None,
        });
    }

    let (temperature, top_p, top_k) = if budget.is_some() {
        (None, None, None)
    } else {
        let temperature = req.temperature.map(|t| t.clamp(0.0, 1.0));
        let top_p = req.top_p.filter(|_| temperature.is_none());
        (temperature, top_p, req.top_k)
    };

    let mut wire = MessagesRequest {
        model: req.model.clone(),
        messages: turns
            .into_iter()
            .map(|(role, blocks)| MessageParam {
                role,
                content: Blocks::Blocks(blocks),
            })
            .collect(),
        system: (!system.is_empty()).then_some(Blocks::Blocks(system)),
        max_tokens: Some(max_tokens),
        stop_sequences: req
            .stop
            .iter()
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .collect(),
        temperature,
        top_p,
        top_k,
        metadata: req.user.as_ref().map(|user| Metadata {
            user_id: Some(user.clone()),
        }),
        stream: req.stream.then_some(true),
        tools,
        tool_choice,
        thinking: budget.map(|budget_tokens| ThinkingParam::Enabled { budget_tokens }),
        ..Default::default()
    };
    limit_cache_breakpoints(&mut wire);
    serde_json::to_value(&wire).map_err(|e| TranslateError::new(e.to_string()))
}

/// One canonical block as zero or more Messages blocks (see the module docs for what is
/// dropped).
fn block_to_wire(
    content: &Content,
    role: WireRole,
    path: &str,
    names: &mut ToolNames,
) -> Result<Vec<ContentBlock>, TranslateError> {
    Ok(match content {
        Content::Text {
            text,
            cache_control,
        } => {
            if text.trim().is_empty() {
                return Ok(Vec::new());
            }
            vec![ContentBlock::Text {
                text: text.clone(),
                cache_control: cache_control_to_wire(cache_control.as_ref()),
            }]
        }
        Content::Image {
            source,
            cache_control,
        } => vec![ContentBlock::Image {
            source: match source {
                MediaSource::Base64 { media_type, data } => ImageSource::Base64 {
                    media_type: media_type.clone(),
                    data: data.clone(),
                },
                MediaSource::Url { url } => ImageSource::Url { url: url.clone() },
            },
            cache_control: cache_control_to_wire(cache_control.as_ref()),
        }],
        Content::Document {
            source,
            name,
            cache_control,
        } => vec![ContentBlock::Document {
            source: document_source(source, path)?,
            title: name.clone(),
            context: None,
            cache_control: cache_control_to_wire(cache_control.as_ref()),
        }],
        Content::ToolCall(call) => vec![ContentBlock::ToolUse {
            id: tool_id(&call.id),
            name: names.shorten(&call.name, MAX_TOOL_NAME),
            input: input_object(&call.arguments),
            cache_control: None,
        }],
        Content::ToolResult(result) => {
            let mut inner = Vec::new();
            for block in &result.content {
                inner.extend(block_to_wire(block, WireRole::User, path, names)?);
            }
            vec![ContentBlock::ToolResult {
                tool_use_id: tool_id(&result.call_id),
                content: (!inner.is_empty()).then_some(Blocks::Blocks(inner)),
                is_error: result.is_error,
                cache_control: cache_control_to_wire(result.cache_control.as_ref()),
            }]
        }
        Content::Thinking { text, signature } => match signature {
            Some(signature) if !signature.is_empty() && role == WireRole::Assistant => {
                vec![ContentBlock::Thinking {
                    thinking: text.clone(),
                    signature: signature.clone(),
                }]
            }
            _ => Vec::new(),
        },
        Content::RedactedThinking { data } if role == WireRole::Assistant => {
            vec![ContentBlock::RedactedThinking { data: data.clone() }]
        }
        Content::RedactedThinking { .. } => Vec::new(),
    })
}

fn document_source(source: &MediaSource, path: &str) -> Result<DocumentSource, TranslateError> {
    match source {
        MediaSource::Url { url } => Ok(DocumentSource::Url { url: url.clone() }),
        MediaSource::Base64 { media_type, data } if media_type == "application/pdf" => {
            Ok(DocumentSource::Base64 {
                media_type: media_type.clone(),
                data: data.clone(),
            })
        }
        MediaSource::Base64 { media_type, data } if media_type.starts_with("text/") => {
            let bytes = decode_base64(data).ok_or_else(|| {
                TranslateError::at(path, format!("{path}: the document is not valid base64"))
            })?;
            Ok(DocumentSource::Text {
                media_type: "text/plain".to_owned(),
                data: String::from_utf8_lossy(&bytes).into_owned(),
            })
        }
        MediaSource::Base64 { media_type, .. } => Err(TranslateError::at(
            path,
            format!("{path}: Anthropic reads PDF and plain-text documents only, not {media_type}"),
        )),
    }
}

/// Puts each turn's tool results first in the next user message, one per call, in call order
/// (see the module docs).
fn pair_tool_results(turns: &mut [(WireRole, Vec<ContentBlock>)]) {
    let mut calls: Vec<String> = Vec::new();
    for (role, blocks) in turns.iter_mut() {
        let taken = std::mem::take(blocks);
        if *role == WireRole::Assistant {
            calls.clear();
            for block in taken {
                match block {
                    ContentBlock::ToolUse { ref id, .. } => {
                        calls.push(id.clone());
                        blocks.push(block);
                    }
                    ContentBlock::ToolResult { .. } => blocks.extend(result_as_text(block)),
                    other => blocks.push(other),
                }
            }
            continue;
        }
        let mut results: Vec<ContentBlock> = Vec::new();
        let mut rest: Vec<ContentBlock> = Vec::new();
        for block in taken {
            match block {
                ContentBlock::ToolResult { .. } => results.push(block),
                ContentBlock::ToolUse {
                    ref name,
                    ref input,
                    ..
                } => rest.push(text_block(&format!("[called tool {name} with {input}]"))),
                other => rest.push(other),
            }
        }
        for id in calls.drain(..) {
            let found = results.iter().position(
                |r| matches!(r, ContentBlock::ToolResult { tool_use_id, .. } if *tool_use_id == id),
            );
            blocks.push(match found {
                Some(pos) => results.remove(pos),
                None => ContentBlock::ToolResult {
                    tool_use_id: id,
                    content: Some(Blocks::Blocks(vec![text_block(MISSING_RESULT)])),
                    is_error: true,
                    cache_control: None,
                },
            });
        }
        for orphan in results {
            blocks.extend(result_as_text(orphan));
        }
        blocks.extend(rest);
    }
}

/// A tool result with no matching call, as text (and any images or documents it held).
fn result_as_text(block: ContentBlock) -> Vec<ContentBlock> {
    let ContentBlock::ToolResult {
        tool_use_id,
        content,
        is_error,
        cache_control,
    } = block
    else {
        return vec![block];
    };
    let label = if is_error {
        "tool error"
    } else {
        "tool result"
    };
    let mut text = format!("[{label} for call {tool_use_id}]");
    let mut media = Vec::new();
    for inner in content
        .map(|c| match c {
            Blocks::Text(t) => vec![text_block(&t)],
            Blocks::Blocks(b) => b,
        })
        .unwrap_or_default()
    {
        match inner {
            ContentBlock::Text { text: t, .. } => {
                text.push('\n');
                text.push_str(&t);
            }
            other => media.push(other),
        }
    }
    let mut out = vec![ContentBlock::Text {
        text,
        cache_control,
    }];
    out.extend(media);
    out
}

fn trim_final_assistant_text(turns: &mut Vec<(WireRole, Vec<ContentBlock>)>) {
    let Some((WireRole::Assistant, blocks)) = turns.last_mut() else {
        return;
    };
    if let Some(ContentBlock::Text { text, .. }) = blocks.last_mut() {
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);
        if text.is_empty() {
            blocks.pop();
        }
    }
    if blocks.is_empty() {
        turns.pop();
    }
}

/// With thinking on, an assistant turn that called tools and is being continued must start
/// with a thinking block; history from other providers has none.
fn tool_loop_allows_thinking(turns: &[(WireRole, Vec<ContentBlock>)]) -> bool {
    let Some((_, blocks)) = turns
        .iter()
        .rev()
        .find(|(role, _)| *role == WireRole::Assistant)
    else {
        return true;
    };
    let calls_tools = blocks
        .iter()
        .any(|b| matches!(b, ContentBlock::ToolUse { .. }));
    !calls_tools
        || matches!(
            blocks.first(),
            Some(ContentBlock::Thinking { .. } | ContentBlock::RedactedThinking { .. })
        )
}

fn thinking_budget(req: &ChatRequest) -> Option<u64> {
    let reasoning = req.reasoning.as_ref()?;
    if reasoning.effort == Some(Effort::None) || reasoning.budget_tokens == Some(0) {
        return None;
    }
    Some(reasoning.budget_for().unwrap_or(DEFAULT_BUDGET))
}

fn json_instruction(format: Option<&ResponseFormat>) -> Option<String> {
    match format? {
        ResponseFormat::Text => None,
        ResponseFormat::JsonObject => Some(
            "Respond with a single valid JSON object and nothing else: no prose before or after \
             it, no Markdown code fences."
                .to_owned(),
        ),
        ResponseFormat::JsonSchema { schema, .. } => Some(format!(
            "Respond with a single valid JSON value that conforms to this JSON Schema, and \
             nothing else: no prose before or after it, no Markdown code fences.\n\n{schema}"
        )),
    }
}

/// Anthropic wants `input_schema` to be an object schema.
fn object_schema(parameters: &Value) -> Value {
    match parameters {
        Value::Object(map) => {
            let mut map = map.clone();
            map.entry("type").or_insert_with(|| json!("object"));
            Value::Object(map)
        }
        _ => json!({"type": "object", "properties": {}}),
    }
}

fn tool_id(id: &str) -> String {
    if id.is_empty() {
        return "toolu_unknown".to_owned();
    }
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn text_block(text: &str) -> ContentBlock {
    ContentBlock::Text {
        text: text.to_owned(),
        cache_control: None,
    }
}

/// Keeps the last [`MAX_CACHE_BREAKPOINTS`] `cache_control` marks, in prompt order (tools,
/// system, messages).
fn limit_cache_breakpoints(req: &mut MessagesRequest) {
    let mut slots: Vec<&mut Option<CacheControlParam>> = Vec::new();
    for tool in &mut req.tools {
        slots.push(&mut tool.cache_control);
    }
    if let Some(Blocks::Blocks(system)) = &mut req.system {
        for block in system {
            slots.push(&mut block.cache_control);
        }
    }
    for message in &mut req.messages {
        if let Blocks::Blocks(blocks) = &mut message.content {
            for block in blocks {
                collect_block_slots(block, &mut slots);
            }
        }
    }
    slots.retain(|slot| slot.is_some());
    let excess = slots.len().saturating_sub(MAX_CACHE_BREAKPOINTS);
    for slot in slots.into_iter().take(excess) {
        *slot = None;
    }
}

fn collect_block_slots<'a>(
    block: &'a mut ContentBlock,
    slots: &mut Vec<&'a mut Option<CacheControlParam>>,
) {
    match block {
        ContentBlock::ToolResult {
            content,
            cache_control,
            ..
        } => {
            if let Some(Blocks::Blocks(inner)) = content {
                for block in inner {
                    collect_block_slots(block, slots);
                }
            }
            slots.push(cache_control);
        }
        ContentBlock::Text { cache_control, .. }
        | ContentBlock::Image { cache_control, .. }
        | ContentBlock::Document { cache_control, .. }
        | ContentBlock::ToolUse { cache_control, .. } => slots.push(cache_control),
        ContentBlock::Thinking { .. } | ContentBlock::RedactedThinking { .. } => {}
    }
}

/// Output limits by model name. Names are matched loosely so that dated and provider-prefixed
/// spellings (`claude-opus-4-1-20250805`, `anthropic/claude-3-5-haiku`) are recognised.
struct ModelLimits {
    max_output: u64,
    thinking: bool,
}

impl ModelLimits {
    fn of(model: &str) -> ModelLimits {
        let m = model.to_ascii_lowercase().replace('.', "-");
        let (max_output, thinking) = if m.contains("claude-3-haiku")
            || m.contains("claude-3-opus")
            || m.contains("claude-3-sonnet")
        {
            (4096, false)
        } else if m.contains("claude-3-5") {
            (8192, false)
        } else if m.contains("claude-opus-4-0")
            || m.contains("claude-opus-4-1")
            || m.contains("claude-opus-4-2025")
            || m.ends_with("claude-opus-4")
        {
            (32000, true)
        } else {
            (64000, true)
        };
        ModelLimits {
            max_output,
            thinking,
        }
    }

    fn default_max_tokens(&self) -> u64 {
        self.max_output.min(8192)
    }
}

/// Standard base64 (padding optional, whitespace ignored); `None` on any other character.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
#[path = "provider_request_tests.rs"]
mod tests;
