"""google-genai (Google's official Gemini SDK) against the gateway's Gemini API, through every
provider kind.

`ge` (kind gemini) is pass-through; `oa`, `oc` and `an` are translated through the canonical
model. The SDK is pointed at the gateway with `http_options.base_url`, sends its key as
`x-goog-api-key` (a client key: never forwarded), and names the model in the URL.
"""

from __future__ import annotations

import pytest
from google import genai
from google.genai import errors, types

from support import CLIENT_KEY, KIND_MODELS, KIND_PROVIDERS, assert_row_priced_by_its_tokens, mock_chat_answer

WEATHER = types.FunctionDeclaration(
    name="get_weather",
    description="Current weather for a city.",
    parameters_json_schema={
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city"],
    },
)
NO_AUTOMATIC_CALLS = types.AutomaticFunctionCallingConfig(disable=True)
TOOL_RESULT = "sunny, 21 C"

by_provider = pytest.mark.parametrize("provider", KIND_PROVIDERS)


def _model(provider: str) -> str:
    return f"{provider}/{KIND_MODELS[provider]}"


@pytest.fixture(scope="module")
def gemini_client(gateway):
    """google-genai pointed at the gateway's root; it adds /v1beta/models/… itself."""
    client = genai.Client(
        api_key=CLIENT_KEY,
        http_options=types.HttpOptions(base_url=gateway.root_url, timeout=20_000),
    )
    yield client
    client.close()


def _latest_row(admin, provider: str) -> dict:
    rows = admin.requests(limit=1, provider=provider)["items"]
    assert rows, f"expected a history row for provider {provider}"
    return rows[0]


def _assert_gemini_row(row: dict, provider: str, *, stream: bool) -> None:
    assert (row["status"], row["outcome"]) == (200, "ok"), (
        f"expected a 200/ok history row, got {row['status']}/{row['outcome']} ({row.get('error')!r})"
    )
    assert row["inbound_api"] == "generate_content", f"expected inbound_api generate_content, got {row['inbound_api']!r}"
    assert row["stream"] is stream, f"expected stream={stream} in history, got {row['stream']!r}"
    assert (row["provider"], row["upstream_model"]) == (provider, KIND_MODELS[provider]), (
        f"expected {provider}/{KIND_MODELS[provider]}, got {row['provider']}/{row['upstream_model']}"
    )
    assert_row_priced_by_its_tokens(row, _model(provider))


@by_provider
def test_generate_content_answers_with_text_usage_and_a_priced_row(gemini_client, admin, mock, marker, provider):
    response = gemini_client.models.generate_content(
        model=_model(provider),
        contents=f"Say hello ({marker})",
        config=types.GenerateContentConfig(system_instruction="You are a test."),
    )

    assert response.text == mock_chat_answer(KIND_MODELS[provider]), (
        f"expected the mock's answer as the SDK's response.text, got {response.text!r}"
    )
    assert response.candidates[0].finish_reason == types.FinishReason.STOP
    usage = response.usage_metadata
    assert usage.prompt_token_count > 0 and usage.candidates_token_count > 0, f"expected usage, got {usage}"
    upstream = mock.only_upstream_request(marker)
    expected = (
        f"/v1beta/models/{KIND_MODELS['ge']}:generateContent" if provider == "ge"
        else "/v1/messages" if provider == "an" else "/v1/chat/completions"
    )
    assert upstream["path"] == expected, f"expected the gateway to reach {provider} at {expected}, got {upstream['path']}"
    assert CLIENT_KEY not in str(upstream.get("headers")), "the client's key must never reach a provider"
    row = _latest_row(admin, provider)
    _assert_gemini_row(row, provider, stream=False)
    assert row["input_tokens"] == usage.prompt_token_count, (
        f"expected the row's input tokens to be what the SDK saw ({usage.prompt_token_count}), got {row['input_tokens']}"
    )


@by_provider
def test_a_stream_arrives_in_chunks_and_ends_with_finish_reason_and_usage(gemini_client, admin, marker, provider):
    chunks = list(
        gemini_client.models.generate_content_stream(model=_model(provider), contents=f"Say hello ({marker})")
    )

    text = "".join(chunk.text or "" for chunk in chunks)
    assert text == mock_chat_answer(KIND_MODELS[provider]), f"expected the mock's answer streamed, got {text!r}"
    assert len(chunks) > 1, f"expected the answer in several chunks, got {len(chunks)}"
    last = chunks[-1]
    assert last.candidates[0].finish_reason == types.FinishReason.STOP, f"last chunk: {last}"
    assert last.usage_metadata and last.usage_metadata.total_token_count > 0, f"last chunk has no usage: {last}"
    _assert_gemini_row(_latest_row(admin, provider), provider, stream=True)


@by_provider
def test_a_function_call_and_its_response_complete_a_tool_loop(gemini_client, admin, marker, provider):
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER])], automatic_function_calling=NO_AUTOMATIC_CALLS
    )
    question = types.Content(role="user", parts=[types.Part(text=f"Weather in Oslo? ({marker})")])
    first = gemini_client.models.generate_content(model=_model(provider), contents=[question], config=config)

    calls = first.function_calls or []
    assert [call.name for call in calls] == ["get_weather"], f"expected one call to get_weather, got {first}"
    assert isinstance(calls[0].args, dict) and "city" in calls[0].args, f"expected the city argument, got {calls[0].args}"

    second = gemini_client.models.generate_content(
        model=_model(provider),
        contents=[
            question,
            first.candidates[0].content,
            types.Content(
                role="user",
                parts=[types.Part.from_function_response(name="get_weather", response={"output": TOOL_RESULT})],
            ),
        ],
        config=config,
    )
    assert second.text and second.text.startswith("Tool result received: ") and TOOL_RESULT in second.text, (
        f"expected the model to see the function's result {TOOL_RESULT!r}, got {second.text!r}"
    )
    _assert_gemini_row(_latest_row(admin, provider), provider, stream=False)


@by_provider
def test_count_tokens_answers_for_every_provider_kind(gemini_client, admin, mock, marker, provider):
    counted = gemini_client.models.count_tokens(model=_model(provider), contents=f"How many tokens? ({marker})")

    assert counted.total_tokens > 0, f"expected a positive token count, got {counted}"
    upstream = [r["path"] for r in mock.upstream_requests(marker)]
    if provider == "ge":
        assert upstream == [f"/v1beta/models/{KIND_MODELS['ge']}:countTokens"], f"expected a pass-through, got {upstream}"
    else:
        assert upstream == [], f"expected a local estimate for {provider}, but the mock received {upstream}"
    row = _latest_row(admin, provider)
    assert (row["inbound_api"], row["status"]) == ("gemini_count_tokens", 200), f"got {row}"


@by_provider
def test_a_provider_error_reaches_the_sdk_as_googles_error(gemini_client, provider):
    with pytest.raises(errors.ClientError) as caught:
        gemini_client.models.generate_content(model=f"{provider}/error-429", contents="hi")

    assert caught.value.code == 429, f"expected HTTP 429, got {caught.value.code}"
    assert caught.value.status == "RESOURCE_EXHAUSTED", f"expected Google's status name, got {caught.value.status!r}"


def test_an_unknown_model_is_googles_404(gemini_client):
    with pytest.raises(errors.ClientError) as caught:
        gemini_client.models.generate_content(model="no-such-model", contents="hi")

    assert caught.value.code == 404, f"expected 404, got {caught.value.code}"
    assert "no-such-model" in (caught.value.message or ""), f"expected the model named, got {caught.value.message!r}"


def test_the_model_list_is_in_googles_shape(gemini_client):
    names = [model.name for model in gemini_client.models.list()]

    assert "models/mock/gpt-4.1" in names or "models/gpt-4.1" in names, (
        f"expected the listed models as models/<id>, got {names}"
    )
