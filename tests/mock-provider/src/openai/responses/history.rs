//! Rules that need more than the request body: the previous response named
//! by `previous_response_id`, and items of stored responses referred to by id.
//!
//! These are where stateful clients and translating gateways break against
//! the real API, so each is enforced with OpenAI's message:
//! - an unknown (or unstored, or deleted) `previous_response_id` is a 400
//!   `previous_response_not_found`;
//! - every tool output answers a call made earlier (in the input or by the
//!   previous response), and every call, including those the previous
//!   response ended with, gets its output;
//! - a reasoning item referred to by id, without `encrypted_content`, must
//!   belong to a stored response (404, as for `store: false` at OpenAI), and
//!   must be followed by the item it led to.

use std::collections::HashSet;

use axum::http::StatusCode;

use super::request::{CallKind, Item, Request, Role};
use super::store::{Store, Stored};
use crate::openai::ApiError;

/// Checks `request` against the stored responses; returns the previous one.
pub(crate) fn check(request: &Request<'_>, store: &Store) -> Result<Option<Stored>, ApiError> {
    let previous = match request.previous_response_id {
        Some(id) => Some(store.get(id).ok_or_else(|| {
            ApiError::invalid_request(format!("Previous response with id '{id}' not found."))
                .param("previous_response_id")
                .code("previous_response_not_found")
        })?),
        None => None,
    };
    references(&request.items, store)?;
    reasoning_is_followed(&request.items)?;
    calls_are_answered(&request.items, previous.as_ref())?;
    Ok(previous)
}

/// Item references and id-only reasoning items must name stored items.
fn references(items: &[Item<'_>], store: &Store) -> Result<(), ApiError> {
    for item in items {
        let missing = match item {
            Item::Reference { id } if !store.has_item(id) => {
                format!("Item with id '{id}' not found.")
            }
            Item::Reasoning {
                id: Some(id),
                encrypted_content: None,
                ..
            } if !store.has_item(id) => format!(
                "Item with id '{id}' not found. Items are not persisted when `store` is set to \
                 false. Try again with `store` set to true, or remove this item from your input."
            ),
            _ => continue,
        };
        return Err(
            ApiError::new(StatusCode::NOT_FOUND, "invalid_request_error", missing).param("input"),
        );
    }
    Ok(())
}

/// A reasoning item given by id must be followed by the output it led to.
fn reasoning_is_followed(items: &[Item<'_>]) -> Result<(), ApiError> {
    for (i, item) in items.iter().enumerate() {
        let Item::Reasoning { id: Some(id), .. } = item else {
            continue;
        };
        let followed = matches!(
            items.get(i + 1),
            Some(
                Item::Message {
                    role: Role::Assistant,
                    ..
                } | Item::Call { .. }
                    | Item::Reference { .. }
                    | Item::Other
            )
        );
        if !followed {
            return Err(ApiError::invalid_request(format!(
                "Item '{id}' of type 'reasoning' was provided without its required following item."
            ))
            .param("input"));
        }
    }
    Ok(())
}

/// Every output answers an earlier call; every call gets an output.
fn calls_are_answered(items: &[Item<'_>], previous: Option<&Stored>) -> Result<(), ApiError> {
    let mut calls: Vec<(CallKind, &str)> = previous
        .into_iter()
        .flat_map(|p| p.calls.iter().map(|(kind, id)| (*kind, id.as_str())))
        .collect();
    let mut answered = HashSet::new();
    for item in items {
        match item {
            Item::Call { kind, call_id, .. } => calls.push((*kind, call_id)),
            Item::Output { kind, call_id, .. } => {
                if !calls
                    .iter()
                    .any(|(call, id)| id == call_id && answers(*kind, *call))
                {
                    return Err(ApiError::invalid_request(format!(
                        "No tool call found for {} output with call_id {call_id}.",
                        name(*kind)
                    ))
                    .param("input"));
                }
                answered.insert(*call_id);
            }
            _ => {}
        }
    }
    match calls.iter().find(|(_, id)| !answered.contains(id)) {
        Some((kind, id)) => Err(ApiError::invalid_request(format!(
            "No tool output found for {} {id}.",
            name(*kind)
        ))
        .param("input")),
        None => Ok(()),
    }
}

/// Whether an output of kind `output` can answer a call of kind `call`
/// (Codex answers local shell calls with `function_call_output`).
fn answers(output: CallKind, call: CallKind) -> bool {
    output == call || (output == CallKind::Function && call == CallKind::LocalShell)
}

fn name(kind: CallKind) -> &'static str {
    match kind {
        CallKind::Function => "function call",
        CallKind::Custom => "custom tool call",
        CallKind::LocalShell => "local shell call",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn call(id: &str) -> Item<'_> {
        Item::Call {
            kind: CallKind::Function,
            call_id: id,
            text: String::new(),
        }
    }

    fn output(kind: CallKind, id: &str) -> Item<'_> {
        Item::Output {
            kind,
            call_id: id,
            text: String::new(),
        }
    }

    #[test]
    fn an_output_without_its_call_is_rejected() {
        let items = [
            call("a"),
            output(CallKind::Function, "a"),
            output(CallKind::Function, "b"),
        ];
        let error = calls_are_answered(&items, None).err().unwrap();
        assert_eq!(
            error.message,
            "No tool call found for function call output with call_id b."
        );
        assert_eq!(error.param.as_deref(), Some("input"));
    }

    #[test]
    fn a_call_without_its_output_is_rejected() {
        let items = [call("a")];
        let error = calls_are_answered(&items, None).err().unwrap();
        assert_eq!(error.message, "No tool output found for function call a.");
    }

    #[test]
    fn calls_of_the_previous_response_need_outputs_too() {
        let previous = Stored {
            object: serde_json::Value::Null,
            context_tokens: 0,
            calls: vec![(CallKind::Custom, "c".to_owned())],
            item_ids: Vec::new(),
        };
        let error = calls_are_answered(&[], Some(&previous)).err().unwrap();
        assert_eq!(
            error.message,
            "No tool output found for custom tool call c."
        );
        let answered = [output(CallKind::Custom, "c")];
        assert!(calls_are_answered(&answered, Some(&previous)).is_ok());
        let wrong_kind = [output(CallKind::Function, "c")];
        assert!(calls_are_answered(&wrong_kind, Some(&previous)).is_err());
    }

    #[test]
    fn function_outputs_answer_local_shell_calls() {
        let items = [
            Item::Call {
                kind: CallKind::LocalShell,
                call_id: "s",
                text: String::new(),
            },
            output(CallKind::Function, "s"),
        ];
        assert!(calls_are_answered(&items, None).is_ok());
    }
}
