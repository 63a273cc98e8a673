"""openai-python chat completions answered by non-OpenAI providers (translated by the gateway)."""

from __future__ import annotations

import copy
import json

import pytest

from support import KIND_MODELS, assert_row_priced_by_its_tokens, expected_cost, same_cost, upstream_path

from test_tools import EXPECTED_ARGUMENTS, TOOLS

# Long enough to be worth caching; the marker makes the prefix unique to one test run.
CACHED_SYSTEM = "You are a careful assistant who answers briefly. " * 30


def _stream_tool_call(client, provider: str, marker: str, *, include_usage: bool = False):
    """A streamed chat offering TOOLS; returns (request id, assembled calls, finish reasons, chunks)."""
    raw = client.chat.completions.with_raw_response.create(
        model=f"{provider}/{KIND_MODELS[provider]}",
        messages=[{"role": "user", "content": f"Weather in Lima? ({marker})"}],
        tools=copy.deepcopy(TOOLS),
        stream=True,
        **({"stream_options": {"include_usage": True}} if include_usage else {}),
    )
    chunks = list(raw.parse())
    calls: dict[int, dict] = {}
    finish_reasons = []
    for chunk in chunks:
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
    return raw.headers.get("x-request-id"), calls, finish_reasons, chunks


@pytest.mark.parametrize("provider", ["an", "ge"])
def test_streamed_chat_tool_call_from_a_translated_provider_reassembles_into_valid_json(
    client, admin, mock, marker, provider
):
    request_id, calls, finish_reasons, _ = _stream_tool_call(client, provider, marker)

    assert finish_reasons == ["tool_calls"], f"expected one finish_reason 'tool_calls', got {finish_reasons}"
    assert list(calls) == [0], f"expected exactly one streamed tool call at index 0, got {calls}"
    call = calls[0]
    assert call["name"] == "get_weather", f"expected a streamed call to the first tool, get_weather, got {call['name']!r}"
    assert call["id"], f"expected the streamed call to carry an id, got {call}"
    try:
        arguments = json.loads(call["arguments"])
    except json.JSONDecodeError as error:
        pytest.fail(f"expected the streamed arguments to assemble into valid JSON, got {call['arguments']!r}: {error}")
    assert arguments == EXPECTED_ARGUMENTS, f"expected arguments {EXPECTED_ARGUMENTS}, got {arguments!r}"

    paths = [r["path"] for r in mock.upstream_requests(marker)]
    expected_path = upstream_path(provider, stream=True, inbound="chat")
    assert paths == [expected_path], f"expected one translated upstream request to {expected_path}, got {paths}"

    row = admin.row(request_id)
    assert (row["status"], row["outcome"], row["stream"]) == (200, "ok", True), (
        f"expected a streamed 200/ok history row, got {row['status']}/{row['outcome']}/stream={row['stream']}"
    )
    assert row["inbound_api"] == "chat_completions", f"expected inbound_api 'chat_completions', got {row['inbound_api']!r}"
    assert_row_priced_by_its_tokens(row, f"{provider}/{KIND_MODELS[provider]}")


@pytest.mark.parametrize("answer", ["text", "tool_call"])
@pytest.mark.parametrize("provider", ["an", "ge"])
def test_translated_stream_with_include_usage_ends_with_the_usage_chunk_history_has(
    client, admin, marker, provider, answer
):
    # A Gemini tool call arrives as ONE upstream chunk (call, finishReason and usageMetadata together).
    if answer == "tool_call":
        request_id, _, _, chunks = _stream_tool_call(client, provider, marker, include_usage=True)
    else:
        raw = client.chat.completions.with_raw_response.create(
            model=f"{provider}/{KIND_MODELS[provider]}",
            messages=[{"role": "user", "content": f"Say hello ({marker})"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = list(raw.parse())
        request_id = raw.headers.get("x-request-id")

    row = admin.row(request_id)
    usage_chunks = [c for c in chunks if c.usage is not None]
    assert len(usage_chunks) == 1 and chunks[-1] is usage_chunks[0], (
        f"expected exactly one usage chunk, last, when include_usage is asked for; got {len(usage_chunks)} "
        f"(the history row has input {row['input_tokens']}, output {row['output_tokens']})"
    )
    usage = usage_chunks[0].usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (row["input_tokens"], row["output_tokens"]), (
        f"expected the usage chunk to equal the history row's tokens "
        f"({row['input_tokens']}/{row['output_tokens']}), got {usage}"
    )
    assert usage.completion_tokens_details.reasoning_tokens == row["reasoning_tokens"], (
        f"expected reasoning_tokens {row['reasoning_tokens']} in the usage chunk, got {usage.completion_tokens_details}"
    )


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_anthropic_prompt_cache_through_chat_is_counted_in_openai_terms_and_priced_per_kind(
    client, admin, marker, stream
):
    """cache_control on a chat content part reaches Anthropic; its cache write then read come
    back as prompt_tokens that include them, and each is billed at its own price."""
    price_key = "an/claude-sonnet-4-5"
    rows = []
    usages = []
    for turn in ("first", "second"):
        raw = client.chat.completions.with_raw_response.create(
            model=price_key,
            messages=[
                {
                    "role": "system",
                    "content": [{"type": "text", "text": f"{CACHED_SYSTEM}({marker})", "cache_control": {"type": "ephemeral"}}],
                },
                {"role": "user", "content": f"Say hello, {turn} time"},
            ],
            **({"stream": True, "stream_options": {"include_usage": True}} if stream else {}),
        )
        if stream:
            chunks = list(raw.parse())
            usage = chunks[-1].usage
        else:
            usage = raw.parse().usage
        assert usage is not None, f"expected usage on the {turn} answer"
        usages.append(usage)
        rows.append(admin.row(raw.headers.get("x-request-id")))

    written = rows[0]["cache_write_tokens"]
    assert written > 0 and rows[0]["cached_input_tokens"] == 0, (
        f"expected the first call to write the prompt cache, got cached {rows[0]['cached_input_tokens']}, written {written}"
    )
    assert rows[1]["cached_input_tokens"] == written and rows[1]["cache_write_tokens"] == 0, (
        f"expected the second call to read the {written} tokens the first wrote, got cached "
        f"{rows[1]['cached_input_tokens']}, written {rows[1]['cache_write_tokens']}"
    )
    for turn, row, usage in zip(("first", "second"), rows, usages):
        assert row["usage_estimated"] is False, f"expected provider-reported usage on the {turn} row, got {row}"
        assert row["input_tokens"] == usage.prompt_tokens > row["cached_input_tokens"] + row["cache_write_tokens"], (
            f"expected the {turn} row's input_tokens to be the client's prompt_tokens ({usage.prompt_tokens}) and "
            f"to include the cache reads and writes, got row {row['input_tokens']}"
        )
        assert usage.prompt_tokens_details.cached_tokens == row["cached_input_tokens"], (
            f"expected the client's cached_tokens to be the {turn} row's cache reads, got {usage.prompt_tokens_details}"
        )
        expected = expected_cost(
            price_key,
            input_tokens=row["input_tokens"],
            output_tokens=row["output_tokens"],
            cached_input=row["cached_input_tokens"],
            cache_write=row["cache_write_tokens"],
        )
        assert row["cost_usd"] == same_cost(expected), (
            f"expected the {turn} row's cost_usd {expected!r} (cache reads and writes at their own prices), "
            f"got {row['cost_usd']!r}"
        )
