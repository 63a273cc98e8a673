"""Requests made through openai-python are attributed to the client `openai-python`."""

from __future__ import annotations

import openai


def test_sdk_requests_are_recorded_as_openai_python_client(client, admin, marker):
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": f"who am I? ({marker})"}],
    )
    raw.parse()
    row = admin.row(raw.headers.get("x-request-id"))

    assert row["client"] == "openai-python", (
        f"expected client 'openai-python' for User-Agent 'OpenAI/Python {openai.__version__}', got {row['client']!r}"
    )
    costs = {r["key"]: r for r in admin.costs("client")["rows"]}
    assert "openai-python" in costs, f"expected an 'openai-python' row in /api/costs?by=client, got {sorted(costs)}"


def test_sdk_embeddings_and_errors_are_also_attributed_to_openai_python(client, admin):
    raw = client.embeddings.with_raw_response.create(model="text-embedding-3-small", input="client check")
    raw.parse()
    assert admin.row(raw.headers.get("x-request-id"))["client"] == "openai-python", (
        "expected an embeddings request through the SDK to be recorded with client 'openai-python'"
    )
    try:
        client.chat.completions.create(model="no-such-model-client-check", messages=[{"role": "user", "content": "x"}])
    except openai.NotFoundError as error:
        request_id = error.response.headers.get("x-request-id")
    else:
        raise AssertionError("expected an unknown model to raise openai.NotFoundError")
    assert admin.row(request_id)["client"] == "openai-python", (
        "expected a rejected SDK request to be recorded with client 'openai-python'"
    )
