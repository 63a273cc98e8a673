//! The rules that span several messages: the conversation opens with the
//! user, roles alternate, every `tool_use` is answered by exactly one
//! `tool_result` in the very next user message (results first, each
//! answering a call of the previous message, ids unique), and with thinking
//! on, the assistant turn of a running tool loop starts with its thinking.
//!
//! The real API now merges consecutive same-role turns; the mock rejects them
//! on purpose, because a translator that produces them has lost track of the
//! conversation (translation rule 11).

use std::collections::HashSet;

use serde_json::Value;

use super::ApiVersion;
use super::content::{Block, Message, Role, message};
use crate::anthropic::ApiError;

/// Checks `messages` and every rule that spans several of them.
pub(super) fn messages(value: &Value, version: ApiVersion) -> Result<Vec<Message<'_>>, ApiError> {
    let list = value
        .as_array()
        .ok_or_else(|| ApiError::invalid_request("messages: Input should be a valid list"))?;
    if list.is_empty() {
        return Err(ApiError::invalid_request(
            "messages: at least one message is required",
        ));
    }
    let last = list.len() - 1;
    let messages = list
        .iter()
        .enumerate()
        .map(|(i, m)| message(m, i, i == last, version))
        .collect::<Result<Vec<_>, _>>()?;
    if messages[0].role != Role::User {
        return Err(ApiError::invalid_request(
            "messages: first message must use the \"user\" role",
        ));
    }
    if let Some(pair) = messages.windows(2).find(|w| w[0].role == w[1].role) {
        return Err(ApiError::invalid_request(format!(
            "messages: roles must alternate between \"user\" and \"assistant\", but found \
             multiple \"{}\" roles in a row",
            pair[0].role.name()
        )));
    }
    tool_pairing(&messages)?;
    Ok(messages)
}

/// With thinking on, the assistant turn answered by the final user message's
/// tool results must start with its (unmodified) thinking block.
pub(super) fn require_thinking_before_tool_loop(messages: &[Message<'_>]) -> Result<(), ApiError> {
    let [.., assistant, user] = messages else {
        return Ok(());
    };
    let answers_tools = user
        .blocks
        .iter()
        .any(|b| matches!(b, Block::ToolResult { .. }));
    if assistant.role != Role::Assistant || !answers_tools {
        return Ok(());
    }
    let first = assistant.blocks.first().map_or("nothing", Block::kind);
    if first == "thinking" || first == "redacted_thinking" {
        return Ok(());
    }
    Err(ApiError::invalid_request(format!(
        "messages.{}.content.0.type: Expected `thinking` or `redacted_thinking`, but found \
         `{first}`. When `thinking` is enabled, a final `assistant` message must start with a \
         thinking block (preceding the lastmost set of `tool_use` and `tool_result` blocks). We \
         recommend you include thinking blocks from previous turns. To avoid this requirement, \
         disable `thinking`. Please consult our documentation at \
         https://docs.claude.com/en/docs/build-with-claude/extended-thinking",
        messages.len() - 2
    )))
}

/// Every `tool_use` is answered by exactly one `tool_result` in the next
/// message, results answer a `tool_use` of the previous message and come
/// first, and `tool_use` ids are unique.
fn tool_pairing(messages: &[Message<'_>]) -> Result<(), ApiError> {
    let mut all_ids = HashSet::new();
    for (i, message) in messages.iter().enumerate() {
        match message.role {
            Role::Assistant => {
                let mut ids = Vec::new();
                for (k, block) in message.blocks.iter().enumerate() {
                    if let Block::ToolUse { id, .. } = block {
                        if !all_ids.insert(*id) {
                            return Err(ApiError::invalid_request(format!(
                                "messages.{i}.content.{k}: `tool_use` ids must be unique"
                            )));
                        }
                        ids.push(*id);
                    }
                }
                let answered: HashSet<&str> = messages
                    .get(i + 1)
                    .map(|next| {
                        next.blocks
                            .iter()
                            .filter_map(|b| match b {
                                Block::ToolResult { tool_use_id, .. } => Some(*tool_use_id),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let missing: Vec<&str> = ids
                    .into_iter()
                    .filter(|id| !answered.contains(id))
                    .collect();
                if !missing.is_empty() {
                    return Err(ApiError::invalid_request(format!(
                        "messages.{i}: `tool_use` ids were found without `tool_result` blocks \
                         immediately after: {}. Each `tool_use` block must have a corresponding \
                         `tool_result` block in the next message.",
                        missing.join(", ")
                    )));
                }
            }
            Role::User => {
                let called: HashSet<&str> = i
                    .checked_sub(1)
                    .map(|p| &messages[p])
                    .map(|previous| {
                        previous
                            .blocks
                            .iter()
                            .filter_map(|b| match b {
                                Block::ToolUse { id, .. } => Some(*id),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let mut results = HashSet::new();
                let mut other_content = false;
                for (k, block) in message.blocks.iter().enumerate() {
                    let Block::ToolResult { tool_use_id, .. } = block else {
                        other_content = true;
                        continue;
                    };
                    if other_content {
                        return Err(ApiError::invalid_request(format!(
                            "messages.{i}.content.{k}: `tool_result` blocks must come first in \
                             the `user` message, before any other content"
                        )));
                    }
                    if !called.contains(tool_use_id) {
                        return Err(ApiError::invalid_request(format!(
                            "messages.{i}.content.{k}: unexpected `tool_use_id` found in \
                             `tool_result` blocks: {tool_use_id}. Each `tool_result` block must \
                             have a corresponding `tool_use` block in the previous message."
                        )));
                    }
                    if !results.insert(*tool_use_id) {
                        return Err(ApiError::invalid_request(format!(
                            "messages.{i}.content.{k}: each `tool_use` must have a single result. \
                             Found multiple `tool_result` blocks with id: {tool_use_id}"
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_tool_loop_parses_into_blocks() {
        let list = json!([
            {"role": "user", "content": "weather?"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "w", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sun"}]}
        ]);
        let messages = super::messages(&list, ApiVersion::V2023_06_01).unwrap();
        assert_eq!(messages.len(), 3);
    }

    #[test]
    fn thinking_must_open_the_assistant_turn_of_a_running_tool_loop() {
        let list = json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "w", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]}
        ]);
        let messages = super::messages(&list, ApiVersion::V2023_06_01).unwrap();
        let error = require_thinking_before_tool_loop(&messages).err().unwrap();
        assert!(
            error
                .message
                .starts_with("messages.1.content.0.type: Expected `thinking`")
        );
    }
}
