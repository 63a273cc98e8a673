"""Errors reach the SDK as its typed exceptions with OpenAI's error shape, and all land in history."""

from __future__ import annotations

import openai
import pytest


def _messages(marker: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"this should fail ({marker})"}]


def _assert_history(admin, error: openai.APIStatusError, *, status: int, outcome: str) -> dict:
    request_id = error.response.headers.get("x-request-id")
    assert request_id, f"expected the {status} error answer to carry x-request-id, got headers {dict(error.response.headers)}"
    row = admin.row(request_id)
    assert row["status"] == status, f"expected status {status} in history, got {row['status']!r}"
    assert row["outcome"] == outcome, f"expected outcome {outcome!r} in history, got {row['outcome']!r}"
    assert row["error"], f"expected an error message in the history row, got {row['error']!r}"
    return row


def _assert_openai_error_body(body: object, *, context: str) -> dict:
    """OpenAI's shape: {"error": {"message": str, "type": str, "param": ..., "code": ...}}; the SDK unwraps `error`."""
    assert isinstance(body, dict), f"expected a JSON object error body for {context}, got {body!r}"
    for key in ("message", "type", "param", "code"):
        assert key in body, f"expected error.{key} in the OpenAI error body for {context}, got {body!r}"
    assert isinstance(body["message"], str) and body["message"], f"expected a non-empty error.message for {context}"
    return body


def test_unknown_model_raises_not_found_with_model_not_found_code(client, admin, mock, marker):
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="no-such-model-anywhere", messages=_messages(marker))
    error = caught.value

    assert error.status_code == 404, f"expected HTTP 404, got {error.status_code}"
    assert error.code == "model_not_found", f"expected error code 'model_not_found', got {error.code!r}"
    _assert_openai_error_body(error.body, context="an unknown model")
    assert "no-such-model-anywhere" in error.message, f"expected the message to name the model, got {error.message!r}"
    assert mock.upstream_requests(marker) == [], "expected no upstream request for a model nobody offers"

    row = _assert_history(admin, error, status=404, outcome="rejected")
    assert row["requested_model"] == "no-such-model-anywhere", (
        f"expected requested_model 'no-such-model-anywhere', got {row['requested_model']!r}"
    )


def test_invalid_json_gets_openai_shaped_400_and_is_recorded(raw_http, admin):
    response = raw_http.post(
        "/v1/chat/completions",
        content=b'{"model": "gpt-4.1", "messages": [',
        headers={"content-type": "application/json", "authorization": "Bearer sk-anything"},
    )

    assert response.status_code == 400, f"expected 400 for a body that is not JSON, got {response.status_code}: {response.text}"
    assert response.headers.get("content-type", "").startswith("application/json"), (
        f"expected a JSON error answer, got content-type {response.headers.get('content-type')!r}"
    )
    body = response.json()
    assert set(body) == {"error"}, f"expected an OpenAI error object {{'error': ...}}, got {body!r}"
    error = _assert_openai_error_body(body["error"], context="invalid JSON")
    assert error["type"] == "invalid_request_error", f"expected type 'invalid_request_error', got {error['type']!r}"

    request_id = response.headers.get("x-request-id")
    assert request_id, "expected x-request-id on the 400 answer"
    row = admin.row(request_id)
    assert (row["status"], row["outcome"]) == (400, "rejected"), (
        f"expected status 400 / outcome 'rejected' in history, got {row['status']}/{row['outcome']}"
    )


def test_provider_without_key_raises_authentication_error_naming_the_provider(client, admin, mock, marker):
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="nokey/gpt-4.1", messages=_messages(marker))
    error = caught.value

    assert error.status_code == 401, f"expected HTTP 401, got {error.status_code}"
    assert "nokey" in error.message, f"expected the error message to name provider 'nokey', got {error.message!r}"
    _assert_openai_error_body(error.body, context="a provider without a key")
    assert mock.upstream_requests(marker) == [], "expected no upstream request when the provider has no key"

    _assert_history(admin, error, status=401, outcome="rejected")


def test_upstream_400_is_passed_through_as_bad_request_error(client, admin, mock, marker):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="mock/error-400", messages=_messages(marker))
    error = caught.value

    assert error.status_code == 400, f"expected HTTP 400, got {error.status_code}"
    body = _assert_openai_error_body(error.body, context="an upstream 400")
    assert body["message"] == "Invalid request (scripted by the mock model 'error-400').", (
        f"expected the provider's own error message passed through, got {body['message']!r}"
    )
    assert body["type"] == "invalid_request_error", f"expected the provider's error type, got {body['type']!r}"
    upstream_models = [r["body"].get("model") for r in mock.upstream_requests(marker)]
    assert upstream_models == ["error-400"], (
        f"expected exactly one upstream try at error-400 (a 400 is not retried), got {upstream_models}"
    )

    row = _assert_history(admin, error, status=400, outcome="upstream_error")
    assert (row["provider"], row["upstream_model"]) == ("mock", "error-400"), (
        f"expected provider mock / upstream_model error-400 in history, got {row['provider']!r}/{row['upstream_model']!r}"
    )


def test_unreachable_provider_raises_server_error_and_is_recorded_as_upstream_error(client, admin, marker):
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="dead/gpt-4.1", messages=_messages(marker))
    error = caught.value

    assert error.status_code >= 500, f"expected a 5xx for a provider that refuses connections, got {error.status_code}"
    _assert_openai_error_body(error.body, context="an unreachable provider")
    row = _assert_history(admin, error, status=error.status_code, outcome="upstream_error")
    assert row["attempts"] >= 1, f"expected the failed connection counted as an attempt, got {row['attempts']!r}"
