"""anthropic-python against the gateway's Messages API, through every provider kind.

`an` (kind anthropic) is pass-through; `oa`, `oc` and `ge` are translated through the canonical
model, so the SDK must not be able to tell them apart from the real service.
"""

from __future__ import annotations

import json

import anthropic
import pytest

from support import KIND_MODELS, KIND_PROVIDERS, assert_row_priced_by_its_tokens, mock_chat_answer, upstream_path

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "days": {"type": "integer", "minimum": 1},
            "metric": {"type": "boolean"},
        },
        "required": ["city"],
        "additionalProperties": False,
    },
}
# What every mock fills in for WEATHER_TOOL's schema (string → "mock", integer → 1, boolean → true).
EXPECTED_INPUT = {"city": "mock", "days": 1, "metric": True}
TOOL_RESULT = "sunny, 21 C"

by_provider = pytest.mark.parametrize("provider", KIND_PROVIDERS)


def _model(provider: str) -> str:
    return f"{provider}/{KIND_MODELS[provider]}"


def _assert_messages_row(row: dict, provider: str, *, stream: bool) -> None:
    assert (row["status"], row["outcome"]) == (200, "ok"), (
        f"expected a 200/ok history row, got {row['status']}/{row['outcome']} ({row.get('error')!r})"
    )
    assert row["inbound_api"] == "messages", f"expected inbound_api 'messages', got {row['inbound_api']!r}"
    assert row["stream"] is stream, f"expected stream={stream} in history, got {row['stream']!r}"
    assert (row["provider"], row["upstream_model"]) == (provider, KIND_MODELS[provider]), (
        f"expected provider {provider!r} and upstream_model {KIND_MODELS[provider]!r}, "
        f"got {row['provider']!r}, {row['upstream_model']!r}"
    )
    assert_row_priced_by_its_tokens(row, _model(provider))


def _assert_row_tokens_match_sdk_usage(row: dict, usage) -> None:
    """Anthropic's input_tokens excludes the cache; the row's (OpenAI semantics) includes it."""
    cache = (usage.cache_read_input_tokens or 0) + (usage.cache_creation_input_tokens or 0)
    assert (row["input_tokens"], row["output_tokens"]) == (usage.input_tokens + cache, usage.output_tokens), (
        f"expected the row's tokens to be the usage the client saw ({usage}), "
        f"got input {row['input_tokens']}, output {row['output_tokens']}"
    )


def _assert_reached_upstream(mock, marker: str, provider: str, *, stream: bool) -> None:
    upstream = mock.only_upstream_request(marker)
    expected = upstream_path(provider, stream=stream, inbound="messages")
    assert upstream["path"] == expected, (
        f"expected the gateway to reach {provider} at {expected}, got {upstream['path']!r}"
    )


@by_provider
def test_plain_message_answers_with_text_usage_and_a_priced_history_row(anthropic_client, admin, mock, marker, provider):
    raw = anthropic_client.messages.with_raw_response.create(
        model=_model(provider),
        max_tokens=256,
        system="You are a test.",
        messages=[{"role": "user", "content": f"Say hello ({marker})"}],
    )
    message = raw.parse()

    assert message.type == "message" and message.role == "assistant", (
        f"expected an assistant message, got type {message.type!r} role {message.role!r}"
    )
    texts = [block.text for block in message.content if block.type == "text"]
    assert texts == [mock_chat_answer(KIND_MODELS[provider])], (
        f"expected one text block with the mock's answer, got {message.content}"
    )
    assert message.stop_reason == "end_turn", f"expected stop_reason 'end_turn', got {message.stop_reason!r}"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0, (
        f"expected non-zero input and output tokens, got {message.usage}"
    )

    _assert_reached_upstream(mock, marker, provider, stream=False)
    row = admin.row(raw.headers.get("x-request-id"))
    _assert_messages_row(row, provider, stream=False)
    _assert_row_tokens_match_sdk_usage(row, message.usage)


@by_provider
def test_streamed_tool_call_is_one_tool_use_block_the_sdk_assembles(anthropic_client, admin, mock, marker, provider):
    # The SDK's stream accumulator raises on an event order it does not accept.
    with anthropic_client.messages.stream(
        model=_model(provider),
        max_tokens=256,
        messages=[{"role": "user", "content": f"Weather in Paris? ({marker})"}],
        tools=[WEATHER_TOOL],
    ) as stream:
        event_types = [event.type for event in stream]
        message = stream.get_final_message()
        request_id = stream.response.headers.get("x-request-id")

    assert event_types[0] == "message_start" and event_types[-1] == "message_stop", (
        f"expected the stream to open with message_start and close with message_stop, got {event_types}"
    )
    tool_uses = [block for block in message.content if block.type == "tool_use"]
    assert len(tool_uses) == 1, f"expected exactly one tool_use block, got {message.content}"
    call = tool_uses[0]
    assert call.name == "get_weather", f"expected a call to get_weather, got {call.name!r}"
    assert isinstance(call.input, dict) and call.input == EXPECTED_INPUT, (
        f"expected the tool input assembled into the dict {EXPECTED_INPUT}, got {call.input!r}"
    )
    assert call.id, "expected the tool_use block to carry an id"
    assert message.stop_reason == "tool_use", f"expected stop_reason 'tool_use', got {message.stop_reason!r}"
    assert message.usage.output_tokens > 0, f"expected output tokens on the final message, got {message.usage}"

    _assert_reached_upstream(mock, marker, provider, stream=True)
    row = admin.row(request_id)
    _assert_messages_row(row, provider, stream=True)
    _assert_row_tokens_match_sdk_usage(row, message.usage)


@by_provider
def test_tool_result_round_trip_reaches_the_model(anthropic_client, admin, marker, provider):
    question = {"role": "user", "content": f"Weather in Oslo? ({marker})"}
    first = anthropic_client.messages.create(
        model=_model(provider), max_tokens=256, messages=[question], tools=[WEATHER_TOOL]
    )
    assert first.stop_reason == "tool_use", f"expected the first turn to stop for tool_use, got {first.stop_reason!r}"
    tool_uses = [block for block in first.content if block.type == "tool_use"]
    assert len(tool_uses) == 1, f"expected exactly one tool_use block in the first turn, got {first.content}"
    call = tool_uses[0]

    raw = anthropic_client.messages.with_raw_response.create(
        model=_model(provider),
        max_tokens=256,
        tools=[WEATHER_TOOL],
        messages=[
            question,
            {"role": "assistant", "content": [block.to_dict() for block in first.content]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": TOOL_RESULT}]},
        ],
    )
    second = raw.parse()

    text = "".join(block.text for block in second.content if block.type == "text")
    # Gemini's functionResponse is an object, so the gemini mock echoes the result as JSON.
    assert text.startswith("Tool result received: ") and TOOL_RESULT in text, (
        f"expected the model to see the tool result {TOOL_RESULT!r}, got {second.content}"
    )
    assert second.stop_reason == "end_turn", f"expected stop_reason 'end_turn', got {second.stop_reason!r}"
    _assert_messages_row(admin.row(raw.headers.get("x-request-id")), provider, stream=False)


@by_provider
def test_count_tokens_answers_for_every_provider_kind(anthropic_client, admin, mock, marker, provider):
    raw = anthropic_client.messages.with_raw_response.count_tokens(
        model=_model(provider),
        system="You are a test.",
        messages=[{"role": "user", "content": f"How many tokens is this? ({marker})"}],
        tools=[WEATHER_TOOL],
    )
    counted = raw.parse()

    assert counted.input_tokens > 0, f"expected a positive input_tokens count, got {counted}"
    upstream = mock.upstream_requests(marker)
    if provider == "an":
        assert [r["path"] for r in upstream] == ["/v1/messages/count_tokens"], (
            f"expected count_tokens passed through to the anthropic provider, got {[r['path'] for r in upstream]}"
        )
    else:
        assert upstream == [], (
            f"expected count_tokens answered locally for {provider}, but the mock received "
            f"{[r['path'] for r in upstream]}"
        )
    row = admin.row(raw.headers.get("x-request-id"))
    assert row["inbound_api"] == "count_tokens", f"expected inbound_api 'count_tokens', got {row['inbound_api']!r}"
    assert (row["status"], row["outcome"], row["provider"]) == (200, "ok", provider), (
        f"expected a 200/ok count_tokens row for {provider}, got {row['status']}/{row['outcome']}/{row['provider']}"
    )
    assert row["output_tokens"] == 0 and not row["cost_usd"], (
        f"expected counting tokens to generate and cost nothing, got {row['output_tokens']} output tokens, "
        f"cost {row['cost_usd']!r}"
    )


@by_provider
@pytest.mark.parametrize(
    ("scripted_model", "error_class", "status"),
    [("error-429", anthropic.RateLimitError, 429), ("error-500", anthropic.InternalServerError, 500)],
)
def test_upstream_error_raises_the_sdks_own_error_class(
    anthropic_client, admin, marker, provider, scripted_model, error_class, status
):
    with pytest.raises(anthropic.APIStatusError) as raised:
        anthropic_client.messages.create(
            model=f"{provider}/{scripted_model}",
            max_tokens=64,
            messages=[{"role": "user", "content": f"fail please ({marker})"}],
        )
    error = raised.value
    assert isinstance(error, error_class), (
        f"expected {error_class.__name__} for an upstream {status}, got {type(error).__name__}: {error}"
    )
    assert error.status_code == status, f"expected HTTP {status}, got {error.status_code}"
    body = error.body
    assert isinstance(body, dict) and body.get("type") == "error", (
        f"expected an Anthropic error body ({{'type': 'error', ...}}), got {body!r}"
    )
    assert isinstance(body.get("error"), dict) and body["error"].get("message"), (
        f"expected the error body to carry a message, got {body!r}"
    )

    row = admin.row(error.response.headers.get("x-request-id"))
    assert (row["status"], row["outcome"]) == (status, "upstream_error"), (
        f"expected a {status}/upstream_error history row, got {row['status']}/{row['outcome']}"
    )
    assert row["inbound_api"] == "messages", f"expected inbound_api 'messages', got {row['inbound_api']!r}"


# Anthropic usage the mock is told to report (mock.usage, read only by a pass-through request):
# input_tokens excludes the cache reads and writes, which OpenAI semantics fold in.
PINNED_USAGE = {"input_tokens": 100, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 200, "output_tokens": 50}


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_pass_through_usage_reaches_the_sdk_unchanged_and_history_folds_the_cache_into_input(
    anthropic_client, admin, marker, stream
):
    request = dict(
        model=_model("an"),
        max_tokens=64,
        messages=[{"role": "user", "content": f"Say hello ({marker})"}],
        extra_body={"mock": {"usage": PINNED_USAGE}},
    )
    if stream:
        with anthropic_client.messages.stream(**request) as streamed:
            message = streamed.get_final_message()
            request_id = streamed.response.headers.get("x-request-id")
    else:
        raw = anthropic_client.messages.with_raw_response.create(**request)
        message = raw.parse()
        request_id = raw.headers.get("x-request-id")

    usage = message.usage
    seen = {key: getattr(usage, key) for key in PINNED_USAGE}
    assert seen == PINNED_USAGE, f"expected the SDK to see the provider's usage {PINNED_USAGE} unchanged, got {seen}"

    row = admin.row(request_id)
    _assert_messages_row(row, "an", stream=stream)
    stored = (row["input_tokens"], row["cached_input_tokens"], row["cache_write_tokens"], row["output_tokens"])
    assert stored == (1300, 1000, 200, 50), (
        f"expected history (input, cached, written, output) = (1300, 1000, 200, 50): input in OpenAI terms "
        f"includes the cache reads and writes; got {stored}"
    )
