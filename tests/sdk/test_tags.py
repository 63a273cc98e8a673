"""x-switchyard-tags sent through the SDK's extra_headers end up in history and in costs by tag."""

from __future__ import annotations


def test_tags_header_is_recorded_and_grouped_in_costs_by_tag(client, admin, marker):
    raw = client.chat.completions.with_raw_response.create(
        model="mock/gpt-4.1",
        messages=[{"role": "user", "content": f"tagged ({marker})"}],
        extra_headers={"x-switchyard-tags": "project=web,team=infra"},
    )
    raw.parse()

    row = admin.row(raw.headers.get("x-request-id"))
    assert row["tags"] == {"project": "web", "team": "infra"}, (
        f"expected tags {{'project': 'web', 'team': 'infra'}} in history, got {row['tags']!r}"
    )
    assert row["cost_usd"] is not None and row["cost_usd"] > 0, (
        f"expected a priced row for mock/gpt-4.1, got cost_usd {row['cost_usd']!r}"
    )

    tagged = admin.requests(tag="project=web", limit=1000)
    assert row["id"] in [item["id"] for item in tagged["items"]], (
        "expected GET /api/requests?tag=project=web to list the tagged request"
    )

    costs = admin.costs("tag")
    rows = {r["key"]: r for r in costs["rows"]}
    assert "project=web" in rows, f"expected a 'project=web' row in /api/costs?by=tag, got keys {sorted(rows)}"
    assert "team=infra" in rows, f"expected a 'team=infra' row in /api/costs?by=tag, got keys {sorted(rows)}"
    web = rows["project=web"]
    assert web["requests"] >= 1, f"expected at least one request under project=web, got {web}"
    assert web["cost_usd"] >= row["cost_usd"] * (1 - 1e-12), (
        f"expected project=web's cost to include this request's {row['cost_usd']}, got {web['cost_usd']}"
    )
