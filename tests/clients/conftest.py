"""Session fixtures: the mock provider and `switchyard serve`, and the installed clients.

The processes are started by the official-SDK suite's harness (tests/sdk/conftest.py: the same
`Process`, isolated environment and start-up checks), with a gateway config of its own here: one
provider of each kind, all on the one mock, with ids that the built-in price table knows. Under
pytest-xdist each worker has its own mock and gateway, so the requests a test finds at the mock
and in history are its own.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
SDK_SUITE = HERE.parent / "sdk"
sys.path.insert(0, str(SDK_SUITE))

import support as sdk_support  # noqa: E402 - tests/sdk/support.py, once its folder is on the path

_spec = importlib.util.spec_from_file_location("sdk_harness", SDK_SUITE / "conftest.py")
assert _spec and _spec.loader, f"expected the SDK suite's harness at {SDK_SUITE / 'conftest.py'}"
sdk_harness = importlib.util.module_from_spec(_spec)
sys.modules["sdk_harness"] = sdk_harness
_spec.loader.exec_module(sdk_harness)

from clients import KINDS  # noqa: E402

# The SDK suite's fixtures, as they are: the mock provider, what it received, the admin API.
mock_server = sdk_harness.mock_server
mock = sdk_harness.mock
admin = sdk_harness.admin


def gateway_config(mock_base_url: str) -> str:
    """One provider per kind on the mock (openai* with /v1, anthropic and gemini without)."""
    mock_root = mock_base_url.removesuffix("/v1")
    base_urls = {"openai": mock_base_url, "openai-compatible": mock_base_url,
                 "anthropic": mock_root, "gemini": mock_root}
    providers = "".join(
        f'\n[[providers]]\nid = "{provider}"\nkind = "{kind}"\nbase_url = "{base_urls[kind]}"\n'
        f'key_env = "MOCK_KEY"\n'
        for kind, (provider, _model) in KINDS.items()
    )
    return (
        "# Written by tests/clients/conftest.py for one run of the real-client suite.\n"
        "[logging]\nstore_bodies = true\n" + providers
    )


@pytest.fixture(scope="session")
def gateway(mock_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sdk_harness.Gateway]:
    binary = sdk_harness._binary("SWITCHYARD_BIN", "target/debug/switchyard")
    base = tmp_path_factory.mktemp("switchyard")
    config = base / "config.toml"
    config.write_text(gateway_config(mock_server.base_url))
    data_dir = base / "data"
    env = sdk_harness._isolated_env(base)
    env["MOCK_KEY"] = sdk_support.MOCK_KEY
    env.setdefault("RUST_LOG", "info")
    process = sdk_harness.Process(
        "switchyard",
        [str(binary), "serve", "--config", str(config), "--data-dir", str(data_dir), "--listen", "127.0.0.1:0"],
        env, base, base,
    )
    proxy = process.wait_for(r"Proxy base URL:\s*(http://127\.0\.0\.1:\d+/v1)\s*$", sdk_harness.STARTUP_TIMEOUT_S)
    process.wait_for(r"Dashboard:\s*http://127\.0\.0\.1:\d+/#token=\S+", sdk_harness.STARTUP_TIMEOUT_S)
    token = (data_dir / "admin-token").read_text().strip()
    assert token, f"expected the gateway to write an admin token to {data_dir / 'admin-token'}"
    proxy_url = proxy.group(1)
    try:
        yield sdk_harness.Gateway(proxy_url=proxy_url, root_url=proxy_url.removesuffix("/v1"),
                                  admin_token=token, data_dir=data_dir, process=process)
    finally:
        code = process.terminate(sdk_harness.SHUTDOWN_TIMEOUT_S)
        assert code == 0, (
            f"expected `switchyard serve` to exit 0 on SIGTERM, got {code}\nstderr:\n{process.stderr_tail()}"
        )


@pytest.fixture(scope="session")
def clients_dir() -> Path:
    """The installed clients (tests/clients/install.sh), as run.sh passes them."""
    value = os.environ.get("SWITCHYARD_CLIENTS_DIR")
    if not value or not (Path(value) / ".complete").is_file():
        pytest.fail(
            f"SWITCHYARD_CLIENTS_DIR={value!r} holds no installed clients: run the suite with "
            "`bash tests/clients/run.sh`, which installs them first.",
            pytrace=False,
        )
    return Path(value)


@pytest.fixture(scope="session")
def recording() -> bool:
    """RECORD=1: the pass-through cell of each client also writes its requests as fixtures."""
    return os.environ.get("RECORD") == "1"
