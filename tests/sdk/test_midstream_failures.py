"""A provider failing in the middle of a stream surfaces as an SDK error and an upstream_error row."""

from __future__ import annotations

import openai
import pytest


@pytest.mark.parametrize("model", ["midstream-error", "midstream-reset"])
def test_stream_broken_by_provider_raises_api_error_and_is_recorded_as_upstream_error(client, admin, marker, model):
    raw = client.chat.completions.with_raw_response.create(
        model=f"mock/{model}",
        messages=[{"role": "user", "content": f"stream then fail ({marker})"}],
        stream=True,
    )
    request_id = raw.headers.get("x-request-id")
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in raw.parse():
            received.append(chunk)

    assert received, f"expected the chunks sent before the failure to reach the SDK for {model}"
    assert caught.value.message, f"expected a message on the APIError raised for {model}"

    row = admin.row(request_id)
    assert row["outcome"] == "upstream_error", f"expected outcome 'upstream_error' for {model}, got {row['outcome']!r}"
    assert row["stream"] is True, f"expected stream=true in history for {model}, got {row['stream']!r}"
    assert row["error"], f"expected the mid-stream error recorded in history for {model}, got {row['error']!r}"
