"""Embeddings through the SDK: its default base64 encoding and explicit floats give the same vectors."""

from __future__ import annotations

import struct

import pytest

from support import expected_cost, same_cost


def _as_f32(vector: list[float]) -> tuple[float, ...]:
    """The vector at the f32 precision the provider computes in (JSON floats are shortest f32 text)."""
    return struct.unpack(f"<{len(vector)}f", struct.pack(f"<{len(vector)}f", *vector))


def test_embeddings_base64_default_and_float_give_equal_vectors_and_history_rows(client, admin, mock, marker):
    text = f"The quick brown fox ({marker})"

    raw_b64 = client.embeddings.with_raw_response.create(model="text-embedding-3-small", input=text)
    default = raw_b64.parse()
    raw_float = client.embeddings.with_raw_response.create(
        model="text-embedding-3-small", input=text, encoding_format="float"
    )
    floats = raw_float.parse()

    assert len(default.data) == 1 and len(floats.data) == 1, (
        f"expected one embedding per call, got {len(default.data)} and {len(floats.data)}"
    )
    v_default = default.data[0].embedding
    v_float = floats.data[0].embedding
    assert isinstance(v_default, list) and v_default and all(isinstance(x, float) for x in v_default), (
        "expected the SDK to decode the base64 answer into a list of floats"
    )
    assert len(v_default) == len(v_float), (
        f"expected vectors of equal length, got {len(v_default)} (base64) and {len(v_float)} (float)"
    )
    assert _as_f32(v_default) == _as_f32(v_float), "expected the base64 and float vectors to be equal at f32 precision"
    norm = sum(x * x for x in v_float) ** 0.5
    assert norm == pytest.approx(1.0, abs=1e-4), f"expected the mock's unit-length vector, got norm {norm}"

    upstream = mock.upstream_requests(marker)
    formats = [r["body"].get("encoding_format") for r in upstream]
    assert formats == ["base64", "float"], (
        f"expected upstream encoding_format base64 (the SDK default) then float, forwarded unchanged, got {formats}"
    )
    assert all(r["path"] == "/v1/embeddings" for r in upstream), (
        f"expected both upstream requests on /v1/embeddings, got {[r['path'] for r in upstream]}"
    )

    for raw, answer in ((raw_b64, default), (raw_float, floats)):
        row = admin.row(raw.headers.get("x-request-id"))
        assert row["inbound_api"] == "embeddings", f"expected inbound_api 'embeddings', got {row['inbound_api']!r}"
        assert (row["status"], row["outcome"]) == (200, "ok"), (
            f"expected a 200/ok history row, got {row['status']}/{row['outcome']}"
        )
        assert (row["provider"], row["upstream_model"]) == ("mock", "text-embedding-3-small"), (
            f"expected mock/text-embedding-3-small in history, got {row['provider']!r}/{row['upstream_model']!r}"
        )
        assert row["input_tokens"] == answer.usage.prompt_tokens, (
            f"expected input_tokens {answer.usage.prompt_tokens} (the answer's usage), got {row['input_tokens']}"
        )
        cost = expected_cost(
            "mock/text-embedding-3-small", input_tokens=answer.usage.prompt_tokens, output_tokens=0
        )
        assert row["cost_usd"] == same_cost(cost), (
            f"expected cost_usd {cost!r} for {answer.usage.prompt_tokens} input tokens, got {row['cost_usd']!r}"
        )
