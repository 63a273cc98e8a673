"""Chat completions through the official SDK: answers, usage, and the history row's exact cost."""

from __future__ import annotations

from support import assert_row_tokens, expected_cost, mock_chat_answer, same_cost

# Usage the mock is told to report (mock.usage); distinct numbers so a mix-up shows.
PINNED_USAGE = {"prompt_tokens": 1234, "completion_tokens": 567, "cached_tokens": 200, "reasoning_tokens": 50}
PINNED_TOTALS = (
    PINNED_USAGE["prompt_tokens"],
    PINNED_USAGE["completion_tokens"],
    PINNED_USAGE["prompt_tokens"] + PINNED_USAGE["completion_tokens"],
)
PINNED_COST = expected_cost(
    "mock/gpt-4.1",
    input_tokens=PINNED_USAGE["prompt_tokens"],
    output_tokens=PINNED_USAGE["completion_tokens"],
    cached_input=PINNED_USAGE["cached_tokens"],
)


def _messages(marker: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You are a test."},
        {"role": "user", "content": f"Say hello ({marker})"},
    ]


def _assert_pinned_row(row: dict, *, stream: bool) -> None:
    assert row["status"] == 200, f"expected status 200 in history, got {row['status']}"
    assert row["outcome"] == "ok", f"expected outcome 'ok' in history, got {row['outcome']!r}"
    assert row["stream"] is stream, f"expected stream={stream} in history, got {row['stream']!r}"
    assert row["inbound_api"] == "chat_completions", (
        f"expected inbound_api 'chat_completions', got {row['inbound_api']!r}"
    )
    assert row["requested_model"] == "mock/gpt-4.1", (
        f"expected requested_model 'mock/gpt-4.1', got {row['requested_model']!r}"
    )
    assert (row["provider"], row["upstream_model"]) == ("mock", "gpt-4.1"), (
        f"expected provider 'mock' and upstream_model 'gpt-4.1', got {row['provider']!r}, {row['upstream_model']!r}"
    )
    assert_row_tokens(
        row,
        input_tokens=PINNED_USAGE["prompt_tokens"],
        output_tokens=PINNED_USAGE["completion_tokens"],
        cached_input=PINNED_USAGE["cached_tokens"],
        reasoning=PINNED_USAGE["reasoning_tokens"],
    )
    assert row["cost_usd"] == same_cost(PINNED_COST), (
        f"expected cost_usd {PINNED_COST!r} from the price formula, got {row['cost_usd']!r}"
    )


def test_non_streamed_chat_returns_mock_usage_and_history_prices_it_exactly(client, admin, marker):
    raw = client.chat.completions.with_raw_response.create(
        model="mock/gpt-4.1",
        messages=_messages(marker),
        extra_body={"mock": {"usage": PINNED_USAGE}},
    )
    completion = raw.parse()

    assert completion.choices[0].message.content == mock_chat_answer("gpt-4.1"), (
        f"expected the mock's answer, got {completion.choices[0].message.content!r}"
    )
    assert completion.choices[0].finish_reason == "stop", (
        f"expected finish_reason 'stop', got {completion.choices[0].finish_reason!r}"
    )
    usage = completion.usage
    assert usage is not None, "expected a usage object on the non-streamed completion"
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == PINNED_TOTALS, (
        f"expected usage {PINNED_TOTALS} (prompt/completion/total) exactly as the mock reported, got {usage}"
    )
    assert usage.prompt_tokens_details.cached_tokens == PINNED_USAGE["cached_tokens"], (
        f"expected cached_tokens {PINNED_USAGE['cached_tokens']} passed through, got {usage.prompt_tokens_details}"
    )
    assert usage.completion_tokens_details.reasoning_tokens == PINNED_USAGE["reasoning_tokens"], (
        f"expected reasoning_tokens {PINNED_USAGE['reasoning_tokens']} passed through, got {usage.completion_tokens_details}"
    )
    assert raw.headers.get("x-switchyard-provider") == "mock", (
        f"expected x-switchyard-provider: mock, got {raw.headers.get('x-switchyard-provider')!r}"
    )
    assert raw.headers.get("x-switchyard-model") == "gpt-4.1", (
        f"expected x-switchyard-model: gpt-4.1, got {raw.headers.get('x-switchyard-model')!r}"
    )

    request_id = raw.headers.get("x-request-id")
    assert completion._request_id == request_id, (
        f"expected the SDK's _request_id to be the gateway's x-request-id {request_id!r}, got {completion._request_id!r}"
    )
    row = admin.row(request_id)
    _assert_pinned_row(row, stream=False)

    header_cost = raw.headers.get("x-switchyard-cost-usd")
    assert header_cost is not None, "expected an x-switchyard-cost-usd header on a priced non-streamed answer"
    assert float(header_cost) == same_cost(PINNED_COST), (
        f"expected x-switchyard-cost-usd to parse to {PINNED_COST!r}, got {header_cost!r}"
    )
    assert float(header_cost) == same_cost(row["cost_usd"]), (
        f"expected the cost header {header_cost!r} to equal the history row's cost_usd {row['cost_usd']!r}"
    )


def test_streamed_chat_without_include_usage_hides_usage_chunk_yet_history_has_exact_usage(
    client, admin, mock, marker
):
    raw = client.chat.completions.with_raw_response.create(
        model="mock/gpt-4.1",
        messages=_messages(marker),
        stream=True,
        extra_body={"mock": {"usage": PINNED_USAGE}},
    )
    request_id = raw.headers.get("x-request-id")
    chunks = list(raw.parse())

    assert chunks, "expected at least one streamed chunk"
    empty = [c for c in chunks if not c.choices]
    assert not empty, (
        f"expected no chunk with empty choices to reach a client that did not ask for usage, got {empty}"
    )
    with_usage = [c for c in chunks if c.usage is not None]
    assert not with_usage, f"expected no usage on any chunk without include_usage, got {with_usage}"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == mock_chat_answer("gpt-4.1"), f"expected the streamed deltas to spell the mock's answer, got {text!r}"
    assert chunks[-1].choices[0].finish_reason == "stop", (
        f"expected the last chunk the client sees to carry finish_reason 'stop', got {chunks[-1]}"
    )

    upstream = mock.only_upstream_request(marker)
    assert upstream["body"].get("stream") is True, f"expected stream: true upstream, got {upstream['body']}"
    assert (upstream["body"].get("stream_options") or {}).get("include_usage") is True, (
        "expected the gateway to ask the upstream for usage on its own "
        f"(stream_options.include_usage: true), got stream_options={upstream['body'].get('stream_options')!r}"
    )

    _assert_pinned_row(admin.row(request_id), stream=True)


def test_streamed_chat_with_include_usage_delivers_final_usage_chunk_equal_to_history(client, admin, mock, marker):
    raw = client.chat.completions.with_raw_response.create(
        model="mock/gpt-4.1",
        messages=_messages(marker),
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"mock": {"usage": PINNED_USAGE}},
    )
    request_id = raw.headers.get("x-request-id")
    chunks = list(raw.parse())

    usage_chunks = [c for c in chunks if c.usage is not None]
    assert len(usage_chunks) == 1, f"expected exactly one chunk carrying usage, got {len(usage_chunks)}"
    final = chunks[-1]
    assert final is usage_chunks[0], "expected the usage chunk to be the last chunk of the stream"
    assert final.choices == [], f"expected the usage chunk to have empty choices, got {final.choices}"
    usage = final.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == PINNED_TOTALS, (
        f"expected the final usage chunk to carry the mock's usage {PINNED_TOTALS}, got {usage}"
    )
    assert usage.prompt_tokens_details.cached_tokens == PINNED_USAGE["cached_tokens"], (
        f"expected cached_tokens {PINNED_USAGE['cached_tokens']} in the usage chunk, got {usage.prompt_tokens_details}"
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == mock_chat_answer("gpt-4.1"), f"expected the streamed deltas to spell the mock's answer, got {text!r}"

    upstream = mock.only_upstream_request(marker)
    assert upstream["body"].get("stream_options") == {"include_usage": True}, (
        f"expected the client's stream_options forwarded unchanged, got {upstream['body'].get('stream_options')!r}"
    )

    row = admin.row(request_id)
    _assert_pinned_row(row, stream=True)
    assert (row["input_tokens"], row["output_tokens"], row["cached_input_tokens"]) == (
        usage.prompt_tokens,
        usage.completion_tokens,
        usage.prompt_tokens_details.cached_tokens,
    ), f"expected the history row's tokens to equal the usage chunk the client saw ({usage}), got {row}"
