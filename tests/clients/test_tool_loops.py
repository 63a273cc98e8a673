"""The published coding agents complete a tool loop through Switchyard, to every provider kind.

One test per (client, provider kind). Each runs the real client headless, as a user would, against
`switchyard serve` and the mock provider: the model asks for the client's own file-reading or shell
tool on a file in the workspace, the client runs it, the result goes back, the model answers. The
test then checks what the user sees (the random token of the file in the client's own output),
what the provider received (the right endpoint for its kind, and the tool result in a later turn)
and what Switchyard recorded (every row answered 200 by that provider, with tokens and a cost).

Aider has no tools: its cells check a plain answer through each kind instead.

With RECORD=1 each client's pass-through cell also writes the requests the client sent as
fixtures under tests/fixtures/clients/<client>/<version>/.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from clients import CLIENTS, KINDS, Client, Run, bin_dir, is_executable, version_of
from recording import Normaliser, RecordingProxy, fixture_documents, write_fixtures

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "clients"
RUN_TIMEOUT_S = 180
# Each recorded client's fixtures together stay under this size.
FIXTURE_BUDGET_BYTES = 1024 * 1024

CELLS = [(client, kind) for client in CLIENTS for kind in KINDS]


def upstream_endpoint(client: Client, kind: str) -> str:
    """The path the mock must see the model's turns on, for this client's API and provider kind."""
    if kind == "anthropic":
        return "/v1/messages"
    if kind == "gemini":
        return f"/v1beta/models/{KINDS['gemini'][1]}:streamGenerateContent"
    if kind == "openai" and client.inbound == "responses":
        return "/v1/responses"
    return "/v1/chat/completions"


def tool_results(path: str, body: Any) -> list[str]:
    """The tool results a request to `path` carries, as text, in that API's own shape."""
    if not isinstance(body, dict):
        return []
    found: list[str] = []
    if path.endswith("/chat/completions"):
        for message in body.get("messages") or []:
            if message.get("role") == "tool":
                found.append(json.dumps(message.get("content")))
    elif path.endswith("/responses"):
        for item in body.get("input") or []:
            if isinstance(item, dict) and item.get("type", "").endswith("_call_output"):
                found.append(json.dumps(item.get("output")))
    elif path.endswith("/messages"):
        for message in body.get("messages") or []:
            content = message.get("content")
            if message.get("role") == "user" and isinstance(content, list):
                found += [json.dumps(b.get("content")) for b in content if b.get("type") == "tool_result"]
    else:
        for content in body.get("contents") or []:
            for part in content.get("parts") or []:
                response = part.get("functionResponse") or part.get("function_response")
                if response:
                    found.append(json.dumps(response))
    return found


def run_client(client: Client, run: Run, clients_dir: Path) -> subprocess.CompletedProcess[str]:
    bins = bin_dir(client, clients_dir)
    argv, env = client.command(run, bins)
    assert is_executable(Path(argv[0])), f"expected {client.name} installed at {argv[0]} (tests/clients/install.sh)"
    process = subprocess.Popen(
        argv, cwd=run.workspace, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n[killed after {RUN_TIMEOUT_S}s]"
    (run.root / "stdout.log").write_text(stdout)
    (run.root / "stderr.log").write_text(stderr)
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


def report(client: Client, kind: str, result: subprocess.CompletedProcess[str], gateway: Any) -> str:
    """What a failing cell shows: the client's own output and the end of the gateway's log."""
    return (
        f"\n--- {client.name} through {kind}: exit {result.returncode}\n"
        f"--- client stdout (last 3000 chars):\n{result.stdout[-3000:]}\n"
        f"--- client stderr (last 3000 chars):\n{result.stderr[-3000:]}\n"
        f"--- gateway log (last 30 lines):\n{gateway.process.stderr_tail(30)}\n"
    )


@pytest.mark.parametrize(("client_name", "kind"), CELLS, ids=[f"{c}-through-{k}" for c, k in CELLS])
def test_client_completes_a_tool_loop_through_the_provider_kind(
    client_name: str, kind: str, gateway, mock, admin, clients_dir: Path, recording: bool,
    tmp_path: Path,
) -> None:
    """The client's answer quotes the file only its own tool could read, the provider of that kind
    got the tool result on its endpoint, and history shows the turns with tokens and a cost."""
    client = CLIENTS[client_name]
    records = recording and kind == client.native_kind
    proxy = RecordingProxy(gateway.root_url) if records else None
    run = Run(root=tmp_path, base_url=proxy.url if proxy else gateway.root_url,
              run_id=secrets.token_hex(6), token=f"tok{secrets.token_hex(8)}", kind=kind)
    provider, upstream_model = KINDS[kind]
    since = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat(timespec="seconds")
    try:
        result = run_client(client, run, clients_dir)
    finally:
        if proxy:
            proxy.close()
    if proxy:
        # Written whatever the checks below find: a failing run's requests are worth a look too.
        _record(client, run, proxy, clients_dir)
    seen = report(client, kind, result, gateway)
    upstream = [r for r in mock.received() if run.run_id in json.dumps(r.get("body"))]
    (run.root / "upstream.json").write_text(json.dumps(upstream, indent=1))

    # What the user sees.
    assert result.returncode == 0, f"expected {client.name} to exit 0{seen}"
    if client.uses_tools:
        assert run.token in result.stdout, (
            f"expected {client.name}'s answer to quote the token {run.token} that only running its tool "
            f"on {run.token_file.name} could bring back{seen}"
        )
    else:
        answer = f"Hello! This is a mock answer from {upstream_model}."
        assert answer in result.stdout, f"expected {client.name} to print the model's answer {answer!r}{seen}"

    # What the provider received.
    endpoint = upstream_endpoint(client, kind)
    paths = [r.get("path") for r in upstream]
    assert upstream and all(p.startswith(endpoint) for p in paths), (
        f"expected every upstream request of this run at {endpoint} (provider kind {kind}), got {paths}{seen}"
    )
    if client.uses_tools:
        with_result = [r for r in upstream if any(run.token in t for t in tool_results(r["path"], r.get("body")))]
        assert with_result, (
            f"expected a later turn at {endpoint} to carry the tool result with {run.token}; "
            f"the first turn's body began {json.dumps(upstream[0].get('body'))[:400]}{seen}"
        )

    # What Switchyard recorded.
    rows = [r for r in _rows(admin, since) if r.get("requested_model") == run.model]
    minimum = 2 if client.uses_tools else 1
    assert len(rows) >= minimum, (
        f"expected at least {minimum} history rows for {run.model}, got "
        f"{[(r.get('status'), r.get('error')) for r in rows]}{seen}"
    )
    for row in rows:
        summary = {k: row.get(k) for k in ("status", "provider", "upstream_model", "input_tokens",
                                            "output_tokens", "cost_usd", "error", "warnings")}
        assert row["status"] == 200 and row["provider"] == provider, (
            f"expected each row for {run.model} answered 200 by provider {provider}, got {summary}{seen}"
        )
        assert row["input_tokens"] > 0 and row["output_tokens"] > 0 and row["cost_usd"] is not None, (
            f"expected each row for {run.model} to have tokens and a cost, got {summary}"
        )


def _rows(admin: Any, since: str) -> list[dict[str, Any]]:
    # A streamed answer's row is written as the stream ends, just after the client saw it.
    deadline = time.monotonic() + 5
    while True:
        rows = admin.requests(since=since, limit=500)["items"]
        if time.monotonic() > deadline or all(r.get("status") for r in rows):
            return rows
        time.sleep(0.2)


def _record(client: Client, run: Run, proxy: RecordingProxy, clients_dir: Path) -> None:
    version = version_of(client, clients_dir)
    normaliser = Normaliser({
        str(run.root): "<run>",
        str(clients_dir): "<clients>",
        str(REPO_ROOT): "<repo>",
        run.run_id: "<run-id>",
        run.token: "<token>",
        proxy.url.removeprefix("http://"): "127.0.0.1:<port>",
    })
    documents = fixture_documents(proxy.recorded, normaliser)
    assert documents, f"expected the recording proxy to have seen {client.name}'s requests"
    written = write_fixtures(FIXTURES / client.name / version, documents)
    size = sum(p.stat().st_size for p in written)
    assert size <= FIXTURE_BUDGET_BYTES, (
        f"expected {client.name}'s fixtures to stay under {FIXTURE_BUDGET_BYTES} bytes, got {size} in "
        f"{[p.name for p in written]}"
    )
