"""Session fixtures: the mock provider and `switchyard serve` as real processes, plus clients.

Both processes listen on 127.0.0.1 port 0; their URLs are parsed from what they print. The
gateway runs with its own config, data dir, HOME and XDG dirs under pytest's temp dir, and gets
the mock's key only through MOCK_KEY. At the end both get SIGTERM and the gateway must exit 0.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import anthropic
import httpx
import openai
import pytest

from support import CLIENT_KEY, MOCK_KEY, UNSET_KEY_ENV, Admin, MockInspector, gateway_config

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 30.0
SHUTDOWN_TIMEOUT_S = 20.0

# Loopback traffic must never go through a proxy that happens to be configured.
for _name in ("NO_PROXY", "no_proxy"):
    _current = os.environ.get(_name, "")
    os.environ[_name] = ",".join(filter(None, [_current, "127.0.0.1", "localhost"]))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked run_last go after all others (stable: the rest keep their order)."""
    items.sort(key=lambda item: item.get_closest_marker("run_last") is not None)


def _binary(env_var: str, default: str) -> Path:
    path = Path(os.environ.get(env_var) or REPO_ROOT / default)
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"{env_var}: no executable at {path}. Build it with "
            f"`cargo build -p switchyard-cli -p mock-provider` or set {env_var}.",
            pytrace=False,
        )
    return path


class Process:
    """A child process whose stdout lines are collected by a thread and stderr goes to a file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, log_dir: Path) -> None:
        self.name = name
        self.stderr_path = log_dir / f"{name}.stderr.log"
        self._stderr = open(self.stderr_path, "wb")
        self.popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            cwd=cwd,
            text=True,
            bufsize=1,
        )
        self.stdout_lines: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name=f"{name}-stdout", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None, f"expected {self.name}'s stdout to be a pipe"
        for line in self.popen.stdout:
            self.stdout_lines.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def stderr_tail(self, lines: int = 40) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError:
            return "<no stderr>"
        return "\n".join(text.splitlines()[-lines:])

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        """The first stdout line matching `pattern`; fails the session if it never comes."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                self.popen.wait(timeout=5)
                pytest.fail(
                    f"{self.name} exited with {self.popen.returncode} before printing a line matching "
                    f"{pattern!r}.\nstdout:\n{''.join(self.stdout_lines)}\nstderr:\n{self.stderr_tail()}",
                    pytrace=False,
                )
            match = regex.search(line)
            if match:
                return match
        self.kill()
        pytest.fail(
            f"{self.name} printed no line matching {pattern!r} within {timeout}s.\n"
            f"stdout:\n{''.join(self.stdout_lines)}\nstderr:\n{self.stderr_tail()}",
            pytrace=False,
        )

    def terminate(self, timeout: float) -> int | None:
        """SIGTERM, then wait; None when it did not exit in time (it is then killed)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            code = None
        self._reader.join(timeout=5)
        self._stderr.close()
        return code

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)


@dataclass(frozen=True)
class MockServer:
    base_url: str  # http://127.0.0.1:PORT/v1, what the gateway's provider points at
    root_url: str  # http://127.0.0.1:PORT, where /_mock/requests lives


@dataclass(frozen=True)
class Gateway:
    proxy_url: str  # http://127.0.0.1:PORT/v1
    root_url: str  # http://127.0.0.1:PORT (admin API)
    admin_token: str
    data_dir: Path
    process: Process


def _isolated_env(base: Path) -> dict[str, str]:
    """The environment minus anything that could leak a real config, key or proxy into a child."""
    dropped_prefixes = ("SWITCHYARD_", "OPENAI_", "ANTHROPIC_", "GEMINI_", "XDG_")
    dropped = {"MOCK_KEY", UNSET_KEY_ENV, "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
               "http_proxy", "https_proxy", "all_proxy"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith(dropped_prefixes)}
    dirs = {
        "HOME": base / "home",
        "XDG_CONFIG_HOME": base / "xdg-config",
        "XDG_DATA_HOME": base / "xdg-data",
        "XDG_CACHE_HOME": base / "xdg-cache",
        "XDG_STATE_HOME": base / "xdg-state",
        "XDG_RUNTIME_DIR": base / "xdg-runtime",
    }
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)
        env[name] = str(path)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.setdefault("RUST_BACKTRACE", "1")
    return env


@pytest.fixture(scope="session")
def mock_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    binary = _binary("MOCK_PROVIDER_BIN", "target/debug/mock-provider")
    base = tmp_path_factory.mktemp("mock-provider")
    process = Process(
        "mock-provider",
        [str(binary), "--listen", "127.0.0.1:0", "--api-key", MOCK_KEY],
        _isolated_env(base),
        base,
        base,
    )
    match = process.wait_for(r"listening on (http://127\.0\.0\.1:\d+)/v1\s*$", STARTUP_TIMEOUT_S)
    root = match.group(1)
    try:
        yield MockServer(base_url=f"{root}/v1", root_url=root)
    finally:
        code = process.terminate(SHUTDOWN_TIMEOUT_S)
        assert code == 0, (
            f"expected mock-provider to exit 0 on SIGTERM, got {code}\nstderr:\n{process.stderr_tail()}"
        )


@pytest.fixture(scope="session")
def gateway(mock_server: MockServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    binary = _binary("SWITCHYARD_BIN", "target/debug/switchyard")
    base = tmp_path_factory.mktemp("switchyard")
    config = base / "config.toml"
    config.write_text(gateway_config(mock_server.base_url))
    data_dir = base / "data"
    env = _isolated_env(base)
    env["MOCK_KEY"] = MOCK_KEY
    process = Process(
        "switchyard",
        [str(binary), "serve", "--config", str(config), "--data-dir", str(data_dir),
         "--listen", "127.0.0.1:0"],
        env,
        base,
        base,
    )
    proxy = process.wait_for(r"Proxy base URL:\s*(http://127\.0\.0\.1:\d+/v1)\s*$", STARTUP_TIMEOUT_S)
    process.wait_for(r"Dashboard:\s*http://127\.0\.0\.1:\d+/#token=\S+", STARTUP_TIMEOUT_S)
    proxy_url = proxy.group(1)
    token_file = data_dir / "admin-token"
    assert token_file.is_file(), f"expected the gateway to write {token_file} on start"
    token = token_file.read_text().strip()
    assert token, f"expected a non-empty admin token in {token_file}"
    try:
        yield Gateway(
            proxy_url=proxy_url,
            root_url=proxy_url.removesuffix("/v1"),
            admin_token=token,
            data_dir=data_dir,
            process=process,
        )
    finally:
        code = process.terminate(SHUTDOWN_TIMEOUT_S)
        assert code == 0, (
            f"expected `switchyard serve` to shut down cleanly (exit 0) on SIGTERM, got {code}\n"
            f"stderr:\n{process.stderr_tail()}"
        )


@pytest.fixture(scope="session")
def client(gateway: Gateway) -> Iterator[openai.OpenAI]:
    """The official SDK pointed at the gateway. No retries: a retry would only hide or slow a failure."""
    with openai.OpenAI(base_url=gateway.proxy_url, api_key=CLIENT_KEY, max_retries=0, timeout=20.0) as sdk:
        yield sdk


@pytest.fixture(scope="session")
def anthropic_client(gateway: Gateway) -> Iterator[anthropic.Anthropic]:
    """anthropic-python pointed at the gateway's root (the SDK adds /v1/messages). No retries."""
    # The SDK folds ANTHROPIC_CUSTOM_HEADERS into every request; nothing from outside may.
    os.environ.pop("ANTHROPIC_CUSTOM_HEADERS", None)
    with anthropic.Anthropic(base_url=gateway.root_url, api_key=CLIENT_KEY, max_retries=0, timeout=20.0) as sdk:
        yield sdk


@pytest.fixture(scope="session")
def admin(gateway: Gateway) -> Iterator[Admin]:
    helper = Admin(gateway.root_url, gateway.admin_token)
    try:
        yield helper
    finally:
        helper.close()


@pytest.fixture(scope="session")
def mock(mock_server: MockServer) -> Iterator[MockInspector]:
    inspector = MockInspector(mock_server.root_url)
    try:
        yield inspector
    finally:
        inspector.close()


@pytest.fixture(scope="session")
def raw_http(gateway: Gateway) -> Iterator[httpx.Client]:
    """Plain HTTP to the gateway, for requests the SDK cannot make (e.g. invalid JSON)."""
    with httpx.Client(base_url=gateway.root_url, timeout=20.0, trust_env=False) as http:
        yield http


@pytest.fixture
def marker(request: pytest.FixtureRequest) -> str:
    """A string unique to this test, put in a prompt to find its upstream request at the mock."""
    return f"sdk-{request.node.name[:40]}-{uuid.uuid4().hex[:12]}"
