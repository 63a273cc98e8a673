"""Runs last (marker run_last): after everything above, the gateway still answers normally."""

from __future__ import annotations

import pytest

from support import mock_chat_answer


@pytest.mark.run_last
def test_gateway_still_serves_a_plain_chat_after_the_whole_suite(client, admin, marker):
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": f"still there? ({marker})"}],
    )
    completion = raw.parse()

    assert completion.choices[0].message.content == mock_chat_answer("gpt-4.1"), (
        f"expected the normal mock answer after the suite, got {completion.choices[0].message.content!r}"
    )
    row = admin.row(raw.headers.get("x-request-id"))
    assert (row["status"], row["outcome"]) == (200, "ok"), f"expected a 200/ok row, got {row['status']}/{row['outcome']}"
    listed = [item["id"] for item in admin.requests(limit=5)["items"]]
    assert row["id"] in listed, f"expected the newest request among the 5 latest history rows, got {listed}"
