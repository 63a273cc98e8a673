"""Shared constants and helpers for the official-SDK suite (imported by the tests and conftest).

Everything here is plain Python: the fixtures that start processes live in conftest.py.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

# The key the mock provider demands; the gateway gets it through MOCK_KEY (never the client).
MOCK_KEY = "sk-mock-sdk-suite-0123456789"
# What the SDK sends as its own key: the gateway ignores client keys by default.
CLIENT_KEY = "sk-sdk-suite-client-key-ignored"
# An env var that must not exist, so provider `nokey` has no key.
UNSET_KEY_ENV = "SWITCHYARD_SDK_TEST_UNSET"

# USD per million tokens, written into the gateway config as [prices."<key>"].
PRICES: dict[str, dict[str, float]] = {
    "mock/gpt-4.1": {"input": 2.0, "output": 8.0, "cached_input": 0.5},
    "mock/text-embedding-3-small": {"input": 0.02, "output": 0.0},
    # One model per provider kind (KIND_MODELS); distinct prices so a mix-up shows.
    "oa/gpt-4.1": {"input": 2.0, "output": 8.0, "cached_input": 0.5},
    "oc/llama-3.3-70b": {"input": 0.6, "output": 0.9},
    "an/claude-sonnet-4-5": {"input": 3.0, "output": 15.0, "cached_input": 0.3, "cache_write": 3.75},
    "ge/gemini-2.5-flash": {"input": 0.3, "output": 2.5, "cached_input": 0.075},
}

# The providers of each kind in the generated config, all on the one mock server, and the
# model the suite asks each for: `f"{provider}/{model}"` is the client-side model name.
KIND_MODELS: dict[str, str] = {
    "oa": "gpt-4.1",  # kind openai
    "oc": "llama-3.3-70b",  # kind openai-compatible
    "an": "claude-sonnet-4-5",  # kind anthropic
    "ge": "gemini-2.5-flash",  # kind gemini
}
KIND_PROVIDERS = list(KIND_MODELS)

# The mock's deterministic chat answer for model M is f"Hello! This is a mock answer from {M}."
def mock_chat_answer(upstream_model: str) -> str:
    return f"Hello! This is a mock answer from {upstream_model}."


# The mock's legacy-completions answer for every prompt.
MOCK_COMPLETION_TEXT = "mock completion"


def gateway_config(mock_base_url: str) -> str:
    """The TOML config the suite's gateway runs with."""
    mock_root_url = mock_base_url.removesuffix("/v1")
    prices = "".join(
        f'\n[prices."{key}"]\n' + "".join(f"{field} = {value!r}\n" for field, value in price.items())
        for key, price in PRICES.items()
    )
    return f"""\
# Written by tests/sdk/conftest.py for one run of the official-SDK suite.
[logging]
store_bodies = true

[[providers]]
id = "mock"
kind = "openai-compatible"
base_url = "{mock_base_url}"
key_env = "MOCK_KEY"
models = ["gpt-4.1", "text-embedding-3-small", "gpt-3.5-turbo-instruct"]

[[providers]]
id = "dead"            # nothing listens on port 9: connection refused
kind = "openai-compatible"
base_url = "http://127.0.0.1:9/v1"
key_env = "MOCK_KEY"

[[providers]]
id = "nokey"           # kind openai, but its key env var is never set
kind = "openai"
base_url = "{mock_base_url}"   # loopback even if the key check were skipped
key_env = "{UNSET_KEY_ENV}"

# One provider of each kind, all on the same mock server (it speaks every dialect).
[[providers]]
id = "oa"
kind = "openai"
base_url = "{mock_base_url}"
key_env = "MOCK_KEY"

[[providers]]
id = "oc"
kind = "openai-compatible"
base_url = "{mock_base_url}"
key_env = "MOCK_KEY"

[[providers]]
id = "an"
kind = "anthropic"
base_url = "{mock_root_url}"   # no /v1: the gateway adds /v1/messages
key_env = "MOCK_KEY"

[[providers]]
id = "ge"
kind = "gemini"
base_url = "{mock_root_url}"   # the gateway adds /v1beta/models/...
key_env = "MOCK_KEY"

[[routes]]
alias = "coder"
targets = ["mock/error-503", "mock/gpt-4.1"]
{prices}"""


def expected_cost(
    price_key: str,
    *,
    input_tokens: int,
    output_tokens: int,
    cached_input: int = 0,
    cache_write: int = 0,
) -> float:
    """The documented cost formula (prices per 1e6 tokens; missing cache prices fall back to input)."""
    price = PRICES[price_key]
    p_input = price["input"]
    p_cached = price.get("cached_input", p_input)
    p_write = price.get("cache_write", p_input)
    return (
        (input_tokens - cached_input - cache_write) * p_input
        + cached_input * p_cached
        + cache_write * p_write
        + output_tokens * price.get("output", 0.0)
    ) / 1e6


def same_cost(expected: float):
    """pytest.approx(expected, rel=1e-12) without approx's default abs=1e-12, which would
    swallow any difference in costs that are themselves around 1e-3 USD."""
    return pytest.approx(expected, rel=1e-12, abs=0)


class Admin:
    """The gateway's admin API, authenticated with the data dir's admin token."""

    def __init__(self, root_url: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=root_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=20.0,
            trust_env=False,
        )

    def close(self) -> None:
        self.http.close()

    def row(self, request_id: str) -> dict[str, Any]:
        """The history row (with attempt_details and bodies) for the x-request-id of an answer."""
        assert request_id, "expected the answer to carry an x-request-id header naming its history row"
        response = self.http.get(f"/api/requests/{request_id}")
        assert response.status_code == 200, (
            f"expected GET /api/requests/{request_id} to return the history row (200), "
            f"got {response.status_code}: {response.text[:500]}"
        )
        row = response.json()
        assert row.get("id") == request_id, (
            f"expected the history row's id to be the x-request-id {request_id}, got {row.get('id')!r}"
        )
        return row

    def requests(self, **params: Any) -> dict[str, Any]:
        response = self.http.get("/api/requests", params=params)
        assert response.status_code == 200, (
            f"expected GET /api/requests?{params} to answer 200, got {response.status_code}: {response.text[:500]}"
        )
        return response.json()

    def costs(self, by: str, **params: Any) -> dict[str, Any]:
        response = self.http.get("/api/costs", params={"by": by, **params})
        assert response.status_code == 200, (
            f"expected GET /api/costs?by={by} to answer 200, got {response.status_code}: {response.text[:500]}"
        )
        return response.json()


class MockInspector:
    """What the mock provider received (`/_mock/requests`), found by a marker in the body."""

    def __init__(self, root_url: str) -> None:
        self.http = httpx.Client(base_url=root_url, timeout=20.0, trust_env=False)

    def close(self) -> None:
        self.http.close()

    def received(self) -> list[dict[str, Any]]:
        response = self.http.get("/_mock/requests")
        assert response.status_code == 200, (
            f"expected the mock's GET /_mock/requests to answer 200, got {response.status_code}"
        )
        return response.json()

    def upstream_requests(self, marker: str) -> list[dict[str, Any]]:
        """Every request the mock received whose JSON body mentions `marker`, in arrival order."""
        return [r for r in self.received() if marker in json.dumps(r.get("body"))]

    def only_upstream_request(self, marker: str) -> dict[str, Any]:
        found = self.upstream_requests(marker)
        assert len(found) == 1, (
            f"expected exactly one upstream request carrying marker {marker!r}, got {len(found)}: "
            f"{[(r.get('path'), (r.get('body') or {}).get('model')) for r in found]}"
        )
        return found[0]


def assert_row_tokens(row: dict[str, Any], *, input_tokens: int, output_tokens: int,
                      cached_input: int = 0, reasoning: int | None = None) -> None:
    """The row's token columns equal the provider-reported usage, not an estimate."""
    assert row["usage_estimated"] is False, (
        f"expected usage reported by the provider (usage_estimated false), got row {row}"
    )
    assert row["input_tokens"] == input_tokens, (
        f"expected input_tokens {input_tokens} in history, got {row['input_tokens']}"
    )
    assert row["cached_input_tokens"] == cached_input, (
        f"expected cached_input_tokens {cached_input} in history, got {row['cached_input_tokens']}"
    )
    assert row["output_tokens"] == output_tokens, (
        f"expected output_tokens {output_tokens} in history, got {row['output_tokens']}"
    )
    if reasoning is not None:
        assert row["reasoning_tokens"] == reasoning, (
            f"expected reasoning_tokens {reasoning} in history, got {row['reasoning_tokens']}"
        )


# The upstream path each provider kind's mock endpoint is reached on, by client-side stream flag.
# Same-format pairs pass through; the rest are translated, and the path shows which happened.
def upstream_path(provider: str, *, stream: bool, inbound: str) -> str:
    """Where the mock must see a request the gateway sent for `inbound` ('chat', 'messages',
    'responses') to `provider` (one of KIND_PROVIDERS)."""
    if provider == "an":
        return "/v1/messages"
    if provider == "ge":
        model = KIND_MODELS["ge"]
        return f"/v1beta/models/{model}:{'streamGenerateContent' if stream else 'generateContent'}"
    if provider == "oa" and inbound == "responses":
        return "/v1/responses"
    return "/v1/chat/completions"


def assert_row_priced_by_its_tokens(row: dict[str, Any], price_key: str) -> None:
    """The row's usage came from the provider, is non-zero, and cost_usd is the price formula
    applied to the row's own token columns (OpenAI semantics: input includes cache reads/writes)."""
    assert row["usage_estimated"] is False, (
        f"expected usage reported by the provider (usage_estimated false), got row {row}"
    )
    assert row["input_tokens"] > 0 and row["output_tokens"] > 0, (
        f"expected non-zero input and output tokens in history, got {row['input_tokens']}/{row['output_tokens']}"
    )
    assert row["cached_input_tokens"] + row["cache_write_tokens"] <= row["input_tokens"], (
        f"expected input_tokens to include cache reads and writes, got {row['input_tokens']} input, "
        f"{row['cached_input_tokens']} cached, {row['cache_write_tokens']} written"
    )
    expected = expected_cost(
        price_key,
        input_tokens=row["input_tokens"],
        output_tokens=row["output_tokens"],
        cached_input=row["cached_input_tokens"],
        cache_write=row["cache_write_tokens"],
    )
    assert row["cost_usd"] == same_cost(expected), (
        f"expected cost_usd {expected!r} from the {price_key} price on the row's tokens, got {row['cost_usd']!r}"
    )


class RequestIds:
    """An httpx response hook remembering each answer's x-request-id, for SDK helpers (such as
    `responses.stream`) that do not expose the HTTP response."""

    def __init__(self) -> None:
        self.seen: list[str | None] = []

    def __call__(self, response: Any) -> None:
        self.seen.append(response.headers.get("x-request-id"))

    def last(self) -> str | None:
        assert self.seen, "expected the SDK to have received at least one answer"
        return self.seen[-1]
