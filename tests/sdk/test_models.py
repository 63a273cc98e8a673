"""GET /v1/models through the SDK lists route aliases, provider/model names and bare names."""

from __future__ import annotations


def test_models_list_includes_route_alias_qualified_and_bare_names(client):
    ids = [model.id for model in client.models.list()]

    for expected in ("coder", "mock/gpt-4.1", "gpt-4.1"):
        assert expected in ids, f"expected {expected!r} in client.models.list(), got {ids}"
    assert len(ids) == len(set(ids)), f"expected each model listed once, got duplicates in {ids}"
