"""Legacy /v1/completions (what fill-in-the-middle autocomplete uses), streamed and not."""

from __future__ import annotations

from support import MOCK_COMPLETION_TEXT, assert_row_tokens

PINNED_USAGE = {"prompt_tokens": 321, "completion_tokens": 17}
SUFFIX = "\n    return total\n"


def _prompt(marker: str) -> str:
    return f"# {marker}\ndef add(a, b):\n    total = "


def _assert_row(row: dict, *, stream: bool) -> None:
    assert row["inbound_api"] == "completions", f"expected inbound_api 'completions', got {row['inbound_api']!r}"
    assert (row["status"], row["outcome"]) == (200, "ok"), f"expected a 200/ok history row, got {row['status']}/{row['outcome']}"
    assert row["stream"] is stream, f"expected stream={stream} in history, got {row['stream']!r}"
    assert (row["provider"], row["upstream_model"]) == ("mock", "gpt-3.5-turbo-instruct"), (
        f"expected mock/gpt-3.5-turbo-instruct in history, got {row['provider']!r}/{row['upstream_model']!r}"
    )
    assert_row_tokens(row, input_tokens=PINNED_USAGE["prompt_tokens"], output_tokens=PINNED_USAGE["completion_tokens"])


def test_non_streamed_fim_completion_returns_text_and_is_in_history(client, admin, mock, marker):
    raw = client.completions.with_raw_response.create(
        model="gpt-3.5-turbo-instruct",
        prompt=_prompt(marker),
        suffix=SUFFIX,
        max_tokens=32,
        temperature=0,
        extra_body={"mock": {"usage": PINNED_USAGE}},
    )
    completion = raw.parse()

    assert completion.choices[0].text == MOCK_COMPLETION_TEXT, (
        f"expected the mock's completion text {MOCK_COMPLETION_TEXT!r}, got {completion.choices[0].text!r}"
    )
    assert completion.choices[0].finish_reason == "stop", (
        f"expected finish_reason 'stop', got {completion.choices[0].finish_reason!r}"
    )
    pinned = (PINNED_USAGE["prompt_tokens"], PINNED_USAGE["completion_tokens"])
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == pinned, (
        f"expected the mock's usage {pinned} passed through, got {completion.usage}"
    )

    upstream = mock.only_upstream_request(marker)
    assert upstream["path"] == "/v1/completions", f"expected the upstream path /v1/completions, got {upstream['path']!r}"
    assert upstream["body"].get("suffix") == SUFFIX, f"expected suffix forwarded unchanged, got {upstream['body'].get('suffix')!r}"
    assert upstream["body"].get("prompt") == _prompt(marker), "expected the prompt forwarded unchanged"

    _assert_row(admin.row(raw.headers.get("x-request-id")), stream=False)


def test_streamed_fim_completion_returns_text_and_is_in_history_with_exact_usage(client, admin, mock, marker):
    raw = client.completions.with_raw_response.create(
        model="gpt-3.5-turbo-instruct",
        prompt=_prompt(marker),
        suffix=SUFFIX,
        max_tokens=32,
        stream=True,
        extra_body={"mock": {"usage": PINNED_USAGE}},
    )
    request_id = raw.headers.get("x-request-id")
    chunks = list(raw.parse())

    assert all(chunk.choices for chunk in chunks), (
        "expected no usage-only chunk (empty choices) to reach a client that did not ask for usage"
    )
    text = "".join(choice.text for chunk in chunks for choice in chunk.choices)
    assert text == MOCK_COMPLETION_TEXT, f"expected the streamed pieces to spell {MOCK_COMPLETION_TEXT!r}, got {text!r}"
    assert chunks[-1].choices[0].finish_reason == "stop", (
        f"expected the last chunk to carry finish_reason 'stop', got {chunks[-1]}"
    )

    upstream = mock.only_upstream_request(marker)
    assert upstream["body"].get("suffix") == SUFFIX, f"expected suffix forwarded unchanged, got {upstream['body'].get('suffix')!r}"
    assert upstream["body"].get("stream") is True, f"expected stream: true upstream, got {upstream['body'].get('stream')!r}"

    _assert_row(admin.row(request_id), stream=True)
