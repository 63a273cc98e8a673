"""Fixtures for the desktop suite: the mock provider, tauri-driver, and the real app in a window.

run.sh has already started a virtual display (Xvfb), a private session bus, an unlocked
throwaway keyring, a window manager and a tray host, and pointed HOME and the XDG dirs at a
temp dir. Here the app is launched by tauri-driver (through WebKitWebDriver) with its own
config, data dir and a free port, so the run leaves nothing behind and touches nothing of
the user's.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.common.options import ArgOptions

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
MOCK_KEY = "sk-mock-desktop-suite-0123456789"

for _name in ("NO_PROXY", "no_proxy"):
    os.environ[_name] = ",".join(filter(None, [os.environ.get(_name, ""), "127.0.0.1", "localhost"]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary(env_var: str) -> Path:
    path = Path(os.environ.get(env_var, ""))
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"{env_var}: no executable at {path!s}", pytrace=False)
    return path


def wait_until(what: str, check, timeout: float = 20.0, every: float = 0.25):
    """Polls `check()` until it returns something truthy; fails with `what` on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except Exception as error:  # noqa: BLE001 - the last error is reported below
            last = error
        else:
            if last:
                return last
        time.sleep(every)
    pytest.fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})", pytrace=False)


def http_get(url: str, token: str | None = None, timeout: float = 5.0) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def gateway_config(mock_base_url: str) -> str:
    return f"""\
# Written by tests/desktop/conftest.py for one run of the desktop suite.
[logging]
store_bodies = true

[[providers]]
id = "mock"
kind = "openai-compatible"
base_url = "{mock_base_url}"
key_env = "MOCK_KEY"
models = ["gpt-4.1"]

[[providers]]
id = "wrongkey"        # the mock refuses its key: a 401, and a notification
kind = "openai-compatible"
base_url = "{mock_base_url}"
key_env = "WRONG_KEY"

[prices."mock/gpt-4.1"]
input = 2.0
output = 8.0

[budgets]              # the first priced request crosses it: a notification
daily_usd = 0.00001
action = "warn"
"""


@dataclass
class App:
    """The app under test, as tauri-driver launched it."""

    binary: Path
    port: int
    home: Path
    config: Path
    data_dir: Path
    env: dict[str, str]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "logs" / "switchyard-desktop.log"

    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def notifications(self) -> str:
        """What the app asked the desktop's notification service to show (session.sh records it)."""
        try:
            return Path(os.environ["SWITCHYARD_NOTIFICATIONS_LOG"]).read_text(errors="replace")
        except (KeyError, OSError):
            return ""

    def token(self) -> str:
        return (self.data_dir / "admin-token").read_text().strip()

    def pid(self) -> int:
        runtime = json.loads((self.data_dir / "runtime.json").read_text())
        return int(runtime["pid"])


@pytest.fixture(scope="session")
def mock_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("mock")
    process = subprocess.Popen(
        [str(binary("MOCK_PROVIDER_BIN")), "--api-key", MOCK_KEY],
        stdout=subprocess.PIPE,
        stderr=open(logs / "mock.stderr.log", "wb"),
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None, "expected the mock's stdout to be a pipe"
    line = process.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    if not match:
        process.kill()
        pytest.fail(f"mock-provider did not announce its address: {line!r}", pytrace=False)
    yield match.group(1)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def app(mock_provider: str, tmp_path_factory: pytest.TempPathFactory) -> App:
    root = tmp_path_factory.mktemp("app")
    config = root / "config.toml"
    config.write_text(gateway_config(mock_provider))
    port = free_port()
    env = dict(os.environ)
    env.update(
        SWITCHYARD_CONFIG=str(config),
        SWITCHYARD_DATA_DIR=str(root / "data"),
        SWITCHYARD_LISTEN=f"127.0.0.1:{port}",
        MOCK_KEY=MOCK_KEY,
        WRONG_KEY="sk-not-the-mocks-key-0000",
        # The tray logs each status line it shows at debug level: the suite reads them.
        RUST_LOG="info,switchyard_desktop=debug",
    )
    return App(
        binary=binary("DESKTOP_BIN").resolve(),
        port=port,
        home=Path(os.environ["HOME"]),
        config=config,
        data_dir=root / "data",
        env=env,
    )


@pytest.fixture(scope="session")
def driver(app: App, tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Remote]:
    """A WebDriver session on the app's window: tauri-driver starts the app for it."""
    logs = tmp_path_factory.mktemp("driver")
    port, native_port = free_port(), free_port()
    tauri_driver = subprocess.Popen(
        ["tauri-driver", "--port", str(port), "--native-port", str(native_port)],
        env=app.env,
        stdout=open(logs / "tauri-driver.stdout.log", "wb"),
        stderr=open(logs / "tauri-driver.stderr.log", "wb"),
        stdin=subprocess.DEVNULL,
    )

    def listening() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    wait_until("tauri-driver to listen", listening, timeout=15)
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability("tauri:options", {"application": str(app.binary), "args": []})
    try:
        session = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
    except Exception as error:
        tauri_driver.kill()
        pytest.fail(
            f"no WebDriver session on the app: {error}\n"
            f"tauri-driver stderr:\n{(logs / 'tauri-driver.stderr.log').read_text(errors='replace')}\n"
            f"app log:\n{app.log()[-4000:]}",
            pytrace=False,
        )
    session.implicitly_wait(0)
    yield session
    try:
        session.quit()
    except Exception:  # noqa: BLE001 - the app may already have quit (the last test quits it)
        pass
    tauri_driver.terminate()
    try:
        tauri_driver.wait(timeout=10)
    except subprocess.TimeoutExpired:
        tauri_driver.kill()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
