"""Tool calling passes through the gateway untouched, streamed and not."""

from __future__ import annotations

import copy
import json

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City name"},
                    "days": {"type": "integer", "minimum": 1},
                    "metric": {"type": "boolean"},
                },
                "required": ["city"],
                "additionalProperties": False,
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "lookup_time",
            "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}},
        },
    },
]
# What the mock fills in for get_weather's schema (string → "mock", integer → 1, boolean → true).
EXPECTED_ARGUMENTS = {"city": "mock", "days": 1, "metric": True}
# A field no provider defines: the gateway must forward it byte-for-byte in meaning.
UNKNOWN_FIELD = {"nested": [1, "two", None, {"x": 1.5}], "flag": True, "unicode": "héllo ✓"}


def _assert_upstream_body(upstream: dict, marker: str, *, stream: bool) -> None:
    body = upstream["body"]
    assert upstream["path"] == "/v1/chat/completions", f"expected the upstream path /v1/chat/completions, got {upstream['path']!r}"
    assert body.get("model") == "gpt-4.1", (
        f"expected the model rewritten from 'mock/gpt-4.1' to 'gpt-4.1' upstream, got {body.get('model')!r}"
    )
    assert body.get("tools") == TOOLS, f"expected the tools forwarded unchanged, got {body.get('tools')!r}"
    assert body.get("x_sdk_passthrough") == UNKNOWN_FIELD, (
        f"expected the unknown extra_body field forwarded unchanged, got {body.get('x_sdk_passthrough')!r}"
    )
    assert body.get("tool_choice") == "auto", f"expected tool_choice 'auto' forwarded, got {body.get('tool_choice')!r}"
    assert marker in json.dumps(body.get("messages")), "expected the messages forwarded with the test's marker"
    assert body.get("stream", False) is stream, f"expected stream={stream} upstream, got {body.get('stream')!r}"


def test_non_streamed_tool_call_comes_back_and_upstream_sees_tools_unchanged(client, admin, mock, marker):
    tools = copy.deepcopy(TOOLS)
    raw = client.chat.completions.with_raw_response.create(
        model="mock/gpt-4.1",
        messages=[{"role": "user", "content": f"Weather in Paris? ({marker})"}],
        tools=tools,
        tool_choice="auto",
        extra_body={"x_sdk_passthrough": UNKNOWN_FIELD},
    )
    completion = raw.parse()

    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls", f"expected finish_reason 'tool_calls', got {choice.finish_reason!r}"
    calls = choice.message.tool_calls or []
    assert len(calls) == 1, f"expected one tool call, got {calls}"
    assert calls[0].function.name == "get_weather", f"expected a call to get_weather, got {calls[0].function.name!r}"
    assert calls[0].id.startswith("call_"), f"expected an OpenAI-style call id, got {calls[0].id!r}"
    assert json.loads(calls[0].function.arguments) == EXPECTED_ARGUMENTS, (
        f"expected arguments {EXPECTED_ARGUMENTS}, got {calls[0].function.arguments!r}"
    )

    _assert_upstream_body(mock.only_upstream_request(marker), marker, stream=False)

    row = admin.row(raw.headers.get("x-request-id"))
    assert (row["status"], row["outcome"]) == (200, "ok"), f"expected a 200/ok history row, got {row['status']}/{row['outcome']}"
    assert row["upstream_model"] == "gpt-4.1", f"expected upstream_model 'gpt-4.1', got {row['upstream_model']!r}"


def test_streamed_tool_call_arguments_reassemble_into_valid_json(client, admin, mock, marker):
    raw = client.chat.completions.with_raw_response.create(
        model="mock/gpt-4.1",
        messages=[{"role": "user", "content": f"Weather in Oslo? ({marker})"}],
        tools=copy.deepcopy(TOOLS),
        tool_choice="auto",
        stream=True,
        extra_body={"x_sdk_passthrough": UNKNOWN_FIELD},
    )
    request_id = raw.headers.get("x-request-id")

    calls: dict[int, dict] = {}
    finish_reasons = []
    fragments = 0
    for chunk in raw.parse():
        for choice in chunk.choices:
            if choice.finish_reason:
                finish_reasons.append(choice.finish_reason)
            for delta in choice.delta.tool_calls or []:
                call = calls.setdefault(delta.index, {"id": None, "name": "", "arguments": ""})
                if delta.id:
                    call["id"] = delta.id
                if delta.function and delta.function.name:
                    call["name"] += delta.function.name
                if delta.function and delta.function.arguments:
                    call["arguments"] += delta.function.arguments
                    fragments += 1

    assert finish_reasons == ["tool_calls"], f"expected one finish_reason 'tool_calls', got {finish_reasons}"
    assert list(calls) == [0], f"expected exactly one streamed tool call at index 0, got {calls}"
    call = calls[0]
    assert call["name"] == "get_weather", f"expected a streamed call to get_weather, got {call['name']!r}"
    assert call["id"] and call["id"].startswith("call_"), f"expected an OpenAI-style call id, got {call['id']!r}"
    assert fragments > 1, f"expected the arguments to arrive in several fragments, got {fragments}"
    assert json.loads(call["arguments"]) == EXPECTED_ARGUMENTS, (
        f"expected reassembled arguments {EXPECTED_ARGUMENTS}, got {call['arguments']!r}"
    )

    _assert_upstream_body(mock.only_upstream_request(marker), marker, stream=True)

    row = admin.row(request_id)
    assert (row["status"], row["outcome"], row["stream"]) == (200, "ok", True), (
        f"expected a streamed 200/ok history row, got {row['status']}/{row['outcome']}/stream={row['stream']}"
    )
