"""Route fallback: the alias `coder` tries mock/error-503 first, then answers from mock/gpt-4.1."""

from __future__ import annotations

from support import mock_chat_answer


def test_route_falls_back_after_503_and_history_records_both_attempts(client, admin, mock, marker):
    raw = client.chat.completions.with_raw_response.create(
        model="coder",
        messages=[{"role": "user", "content": f"hello ({marker})"}],
    )
    completion = raw.parse()

    assert completion.choices[0].message.content == mock_chat_answer("gpt-4.1"), (
        f"expected the answer from the second target gpt-4.1, got {completion.choices[0].message.content!r}"
    )
    assert raw.headers.get("x-switchyard-model") == "gpt-4.1", (
        f"expected x-switchyard-model: gpt-4.1 (the target that answered), got {raw.headers.get('x-switchyard-model')!r}"
    )

    upstream_models = [r["body"].get("model") for r in mock.upstream_requests(marker)]
    assert upstream_models == ["error-503", "gpt-4.1"], (
        f"expected the mock to see error-503 then gpt-4.1, got {upstream_models}"
    )

    row = admin.row(raw.headers.get("x-request-id"))
    assert (row["status"], row["outcome"]) == (200, "ok"), f"expected a 200/ok history row, got {row['status']}/{row['outcome']}"
    assert row["requested_model"] == "coder", f"expected requested_model 'coder', got {row['requested_model']!r}"
    assert row["upstream_model"] == "gpt-4.1", f"expected upstream_model 'gpt-4.1', got {row['upstream_model']!r}"
    assert row["attempts"] == 2, f"expected attempts == 2 (503 then success), got {row['attempts']!r}"
    details = row.get("attempt_details") or []
    assert len(details) == 2, f"expected two attempt_details, got {details}"
    assert details[0]["status"] == 503, f"expected the first attempt's status 503, got {details[0]}"
    assert details[0]["upstream_model"] == "error-503", f"expected the first attempt at error-503, got {details[0]}"
    assert details[1]["status"] == 200, f"expected the second attempt's status 200, got {details[1]}"
