"""openai-python's Responses API against the gateway, through every provider kind.

`oa` (kind openai) is pass-through to the provider's /v1/responses; `oc`, `an` and `ge` are
translated through the canonical model. Streams are read by the SDK's own helpers, which raise on
an event order they do not accept.
"""

from __future__ import annotations

import json
from typing import Iterator

import openai
import pytest

from support import (
    CLIENT_KEY,
    KIND_MODELS,
    KIND_PROVIDERS,
    RequestIds,
    assert_row_priced_by_its_tokens,
    mock_chat_answer,
    upstream_path,
)

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city.",
    "strict": False,
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
}
# What every mock fills in for WEATHER_TOOL's schema (string → "mock", integer → 1, boolean → true).
EXPECTED_ARGUMENTS = {"city": "mock", "days": 1, "metric": True}
TOOL_RESULT = "sunny, 21 C"

by_provider = pytest.mark.parametrize("provider", KIND_PROVIDERS)


@pytest.fixture(scope="module")
def request_ids() -> RequestIds:
    return RequestIds()


@pytest.fixture(scope="module")
def responses_client(gateway, request_ids: RequestIds) -> Iterator[openai.OpenAI]:
    """Like `client`, but remembering each answer's x-request-id (responses.stream hides it)."""
    http = openai.DefaultHttpxClient(event_hooks={"response": [request_ids]})
    with openai.OpenAI(
        base_url=gateway.proxy_url, api_key=CLIENT_KEY, max_retries=0, timeout=20.0, http_client=http
    ) as sdk:
        yield sdk


def _model(provider: str) -> str:
    return f"{provider}/{KIND_MODELS[provider]}"


def _assert_responses_row(row: dict, provider: str, *, stream: bool) -> None:
    assert (row["status"], row["outcome"]) == (200, "ok"), (
        f"expected a 200/ok history row, got {row['status']}/{row['outcome']} ({row.get('error')!r})"
    )
    assert row["inbound_api"] == "responses", f"expected inbound_api 'responses', got {row['inbound_api']!r}"
    assert row["stream"] is stream, f"expected stream={stream} in history, got {row['stream']!r}"
    assert (row["provider"], row["upstream_model"]) == (provider, KIND_MODELS[provider]), (
        f"expected provider {provider!r} and upstream_model {KIND_MODELS[provider]!r}, "
        f"got {row['provider']!r}, {row['upstream_model']!r}"
    )
    assert_row_priced_by_its_tokens(row, _model(provider))


def _assert_row_tokens_match_sdk_usage(row: dict, usage) -> None:
    """Responses usage is in OpenAI semantics already: the row must carry the same numbers."""
    seen = (
        usage.input_tokens,
        usage.input_tokens_details.cached_tokens,
        usage.output_tokens,
        usage.output_tokens_details.reasoning_tokens,
    )
    stored = (row["input_tokens"], row["cached_input_tokens"], row["output_tokens"], row["reasoning_tokens"])
    assert stored == seen, (
        f"expected the row's (input, cached, output, reasoning) tokens to be the usage the client saw "
        f"{seen}, got {stored}"
    )


def _assert_reached_upstream(mock, marker: str, provider: str, *, stream: bool) -> None:
    paths = [r["path"] for r in mock.upstream_requests(marker)]
    expected = upstream_path(provider, stream=stream, inbound="responses")
    assert paths == [expected], f"expected one upstream request to {provider} at {expected}, got {paths}"


def _assert_increasing_sequence(events: list) -> None:
    numbers = [event.sequence_number for event in events]
    assert all(b > a for a, b in zip(numbers, numbers[1:])), (
        f"expected strictly increasing sequence_number, got {numbers}"
    )


@by_provider
def test_non_streamed_response_has_output_text_usage_and_a_responses_history_row(client, admin, mock, marker, provider):
    raw = client.responses.with_raw_response.create(
        model=_model(provider),
        instructions="You are a test.",
        input=f"Say hello ({marker})",
    )
    response = raw.parse()

    assert response.status == "completed", f"expected status 'completed', got {response.status!r}"
    assert mock_chat_answer(KIND_MODELS[provider]) in response.output_text, (
        f"expected output_text to contain the mock's answer, got {response.output_text!r}"
    )
    usage = response.usage
    assert usage is not None and usage.input_tokens > 0 and usage.output_tokens > 0, (
        f"expected non-zero input and output tokens, got {usage}"
    )
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens, (
        f"expected total_tokens = input + output, got {usage}"
    )

    _assert_reached_upstream(mock, marker, provider, stream=False)
    row = admin.row(raw.headers.get("x-request-id"))
    _assert_responses_row(row, provider, stream=False)
    _assert_row_tokens_match_sdk_usage(row, usage)


@by_provider
def test_streamed_response_spells_the_answer_and_completes_with_detailed_usage(client, admin, mock, marker, provider):
    raw = client.responses.with_raw_response.create(
        model=_model(provider),
        instructions="You are a test.",
        input=f"Say hello ({marker})",
        stream=True,
    )
    request_id = raw.headers.get("x-request-id")
    events = list(raw.parse())

    types = [event.type for event in events]
    assert types[0] == "response.created", f"expected the stream to open with response.created, got {types}"
    assert types[-1] == "response.completed", f"expected the stream to end with response.completed, got {types}"
    _assert_increasing_sequence(events)
    text = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert text == mock_chat_answer(KIND_MODELS[provider]), f"expected the text deltas to spell the mock's answer, got {text!r}"

    completed = events[-1].response
    assert completed.status == "completed", f"expected the completed response's status 'completed', got {completed.status!r}"
    usage = completed.usage
    assert usage is not None and usage.input_tokens > 0 and usage.output_tokens > 0, (
        f"expected response.completed to carry non-zero usage, got {usage}"
    )
    assert usage.input_tokens_details is not None and usage.input_tokens_details.cached_tokens is not None, (
        f"expected usage.input_tokens_details.cached_tokens on response.completed, got {usage}"
    )
    assert usage.output_tokens_details is not None and usage.output_tokens_details.reasoning_tokens is not None, (
        f"expected usage.output_tokens_details.reasoning_tokens on response.completed, got {usage}"
    )

    _assert_reached_upstream(mock, marker, provider, stream=True)
    row = admin.row(request_id)
    _assert_responses_row(row, provider, stream=True)
    _assert_row_tokens_match_sdk_usage(row, usage)


@by_provider
def test_streamed_function_call_then_its_output_reaches_the_model(
    responses_client, request_ids, admin, marker, provider
):
    question = {"role": "user", "content": f"Weather in Paris? ({marker})"}
    with responses_client.responses.stream(model=_model(provider), input=[question], tools=[WEATHER_TOOL]) as stream:
        events = list(stream)
        final = stream.get_final_response()
    first_id = request_ids.last()

    _assert_increasing_sequence(events)
    calls = [item for item in final.output if item.type == "function_call"]
    assert len(calls) == 1, f"expected exactly one function_call output item, got {final.output}"
    call = calls[0]
    assert call.name == "get_weather", f"expected a call to get_weather, got {call.name!r}"
    assert call.call_id, f"expected the function_call to carry a call_id, got {call}"
    assert json.loads(call.arguments) == EXPECTED_ARGUMENTS, (
        f"expected JSON arguments {EXPECTED_ARGUMENTS}, got {call.arguments!r}"
    )
    streamed_arguments = "".join(
        event.delta for event in events if event.type == "response.function_call_arguments.delta"
    )
    assert json.loads(streamed_arguments) == EXPECTED_ARGUMENTS, (
        f"expected the argument deltas to assemble to {EXPECTED_ARGUMENTS}, got {streamed_arguments!r}"
    )
    first_row = admin.row(first_id)
    _assert_responses_row(first_row, provider, stream=True)
    assert final.usage is not None, "expected usage on the completed response"
    _assert_row_tokens_match_sdk_usage(first_row, final.usage)

    # The usual client loop: the whole output goes back, followed by the call's result.
    # `parsed_arguments` exists only in the SDK's parsed objects; the API itself refuses it
    # ("Unknown parameter: 'input[1].parsed_arguments'"), so it is left out as clients must.
    second = responses_client.responses.create(
        model=_model(provider),
        tools=[WEATHER_TOOL],
        input=[
            question,
            *[{k: v for k, v in item.to_dict().items() if k != "parsed_arguments"} for item in final.output],
            {"type": "function_call_output", "call_id": call.call_id, "output": TOOL_RESULT},
        ],
    )
    # Gemini's functionResponse is an object, so the gemini mock echoes the result as JSON.
    assert second.output_text.startswith("Tool result received: ") and TOOL_RESULT in second.output_text, (
        f"expected the model to see the function output {TOOL_RESULT!r}, got {second.output_text!r}"
    )
    assert second._request_id == request_ids.last(), "expected the SDK's _request_id to be the gateway's x-request-id"
    _assert_responses_row(admin.row(request_ids.last()), provider, stream=False)


@by_provider
@pytest.mark.parametrize(
    ("scripted_model", "error_class", "status"),
    [("error-429", openai.RateLimitError, 429), ("error-500", openai.InternalServerError, 500)],
)
def test_upstream_error_raises_the_openai_sdks_own_error_class(
    client, admin, marker, provider, scripted_model, error_class, status
):
    with pytest.raises(openai.APIStatusError) as raised:
        client.responses.create(model=f"{provider}/{scripted_model}", input=f"fail please ({marker})")
    error = raised.value
    assert isinstance(error, error_class), (
        f"expected {error_class.__name__} for an upstream {status}, got {type(error).__name__}: {error}"
    )
    assert error.status_code == status, f"expected HTTP {status}, got {error.status_code}"
    assert isinstance(error.body, dict) and error.body.get("message"), (
        f"expected an OpenAI error object with a message, got {error.body!r}"
    )

    row = admin.row(error.response.headers.get("x-request-id"))
    assert (row["status"], row["outcome"]) == (status, "upstream_error"), (
        f"expected a {status}/upstream_error history row, got {row['status']}/{row['outcome']}"
    )
    assert row["inbound_api"] == "responses", f"expected inbound_api 'responses', got {row['inbound_api']!r}"
