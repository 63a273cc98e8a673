"""How each published client is pointed at Switchyard and asked for one tool loop, headless.

Every run gets a fresh HOME (and XDG dirs inside it), a workspace holding one file with a random
token, and an environment built from nothing: PATH, HOME, the locale, loopback exempt from any
proxy, and the few variables that point the client at the gateway. Nothing of the user's own
configuration, keys or proxies reaches a client.

The prompt names the file and carries the mock provider's `[[mock-tool NAME {args}]]` directive
(see tests/mock-provider/src/directive.rs): the mock answers the first turn with a call to the
client's own file-reading or shell tool, the client runs it, and the mock acknowledges the result
with `Tool result received: <content>`. Only a real tool run can put the token in that answer.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

# The provider kinds the gateway under test is configured with: provider id and the model each is
# asked for. Provider ids equal their kind's usual name, so `provider/model` finds the built-in
# price table (openai-compatible gets `compat`, priced as OpenAI's own model).
KINDS: dict[str, tuple[str, str]] = {
    "openai": ("openai", "gpt-4.1"),
    "openai-compatible": ("compat", "gpt-4.1-mini"),
    "anthropic": ("anthropic", "claude-sonnet-4-5"),
    "gemini": ("gemini", "gemini-2.5-flash"),
}

# What a client sends as its API key: the gateway ignores client keys by default.
CLIENT_KEY = "switchyard-client-suite"


def model_name(kind: str) -> str:
    """The client-side model name that routes to `kind`'s provider, e.g. `anthropic/claude-sonnet-4-5`."""
    provider, model = KINDS[kind]
    return f"{provider}/{model}"


@dataclass
class Run:
    """One client run: its directories, the gateway URLs it talks to, and its random values."""

    root: Path  # everything of this run lives below (HOME, workspace, logs)
    base_url: str  # http://127.0.0.1:PORT (the gateway, or the recording proxy in front of it)
    run_id: str  # in the prompt (the file's name), so the mock's requests of this run can be found
    token: str  # only in the file: only the real tool run can bring it into the answer
    kind: str
    home: Path = field(init=False)
    workspace: Path = field(init=False)
    token_file: Path = field(init=False)

    def __post_init__(self) -> None:
        self.home = self.root / "home"
        self.workspace = self.root / "workspace"
        for path in (self.home, self.workspace, self.root / "tmp"):
            path.mkdir(parents=True, exist_ok=True)
        self.token_file = self.workspace / f"note-{self.run_id}.txt"
        self.token_file.write_text(f"{self.token}\n")

    @property
    def model(self) -> str:
        return model_name(self.kind)

    def prompt(self, tool: str, args: dict) -> str:
        directive = f"[[mock-tool {tool} {json.dumps(args)}]]"
        return f"Read the file {self.token_file.name} and tell me the word it holds. {directive}"

    def base_env(self) -> dict[str, str]:
        """A clean environment: no variable of the caller's own but the node found on its PATH."""
        node = shutil.which("node")
        system_path = "/usr/local/bin:/usr/bin:/bin"
        path = f"{Path(node).parent}:{system_path}" if node else system_path
        return {
            "PATH": path,
            "HOME": str(self.home),
            "USER": "switchyard-test",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "dumb",
            "NO_COLOR": "1",
            "TMPDIR": str(self.root / "tmp"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_STATE_HOME": str(self.home / ".local/state"),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }


@dataclass(frozen=True)
class Client:
    """A published client: how to run it once for a `Run`."""

    name: str  # as in tests/fixtures/clients/<name>/
    package: str  # npm or PyPI package whose version names the fixture folder
    # The provider kind it speaks natively: its pass-through cell, the one recorded as fixtures.
    native_kind: str
    # The API the client speaks to the gateway, which decides the upstream path of an OpenAI provider.
    inbound: str  # "chat", "responses", "messages" or "gemini"
    # (run, bin dir) → argv and environment
    command: Callable[[Run, Path], tuple[list[str], dict[str, str]]]
    uses_tools: bool = True


def claude_code(run: Run, bins: Path) -> tuple[list[str], dict[str, str]]:
    env = run.base_env() | {
        "ANTHROPIC_BASE_URL": run.base_url,
        "ANTHROPIC_AUTH_TOKEN": CLIENT_KEY,
        # Its side calls (titles, summaries) go to the same model and provider.
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": run.model,
        "ANTHROPIC_SMALL_FAST_MODEL": run.model,
        "DISABLE_TELEMETRY": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    prompt = run.prompt("Read", {"file_path": str(run.token_file)})
    argv = [str(bins / "claude"), "-p", prompt, "--model", run.model, "--allowedTools", "Read"]
    return argv, env


def codex(run: Run, bins: Path) -> tuple[list[str], dict[str, str]]:
    codex_home = run.home / ".codex"
    codex_home.mkdir(parents=True, exist_ok=True)
    (codex_home / "config.toml").write_text(
        f'model = "{run.model}"\n'
        'model_provider = "switchyard"\n'
        'approval_policy = "never"\n'
        'sandbox_mode = "read-only"\n'
        "\n[model_providers.switchyard]\n"
        'name = "Switchyard"\n'
        f'base_url = "{run.base_url}/v1"\n'
        'wire_api = "responses"\n'
        'env_key = "SWITCHYARD_CLIENT_KEY"\n'
        # One try per request: a failing turn shows its error at once instead of after backoffs.
        "request_max_retries = 0\n"
        "stream_max_retries = 0\n"
    )
    env = run.base_env() | {"CODEX_HOME": str(codex_home), "SWITCHYARD_CLIENT_KEY": CLIENT_KEY}
    prompt = run.prompt("exec_command", {"cmd": f"cat {run.token_file.name}"})
    return [str(bins / "codex"), "exec", "--skip-git-repo-check", prompt], env


def gemini_cli(run: Run, bins: Path) -> tuple[list[str], dict[str, str]]:
    settings = run.home / ".gemini"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "settings.json").write_text(json.dumps({
        "security": {"auth": {"selectedType": "gemini-api-key"}},
        "privacy": {"usageStatisticsEnabled": False},
        "general": {"disableAutoUpdate": True, "disableUpdateNag": True},
    }))
    env = run.base_env() | {
        "GOOGLE_GEMINI_BASE_URL": run.base_url,
        "GEMINI_API_KEY": CLIENT_KEY,
        "GEMINI_CLI_TRUST_WORKSPACE": "true",
    }
    prompt = run.prompt("read_file", {"file_path": str(run.token_file)})
    return [str(bins / "gemini"), "-p", prompt, "-m", run.model], env


def opencode(run: Run, bins: Path) -> tuple[list[str], dict[str, str]]:
    config = run.root / "opencode.json"
    config.write_text(json.dumps({
        "$schema": "https://opencode.ai/config.json",
        "autoupdate": False,
        "share": "disabled",
        "provider": {
            "switchyard": {
                "npm": "@ai-sdk/openai-compatible",
                "name": "Switchyard",
                "options": {"baseURL": f"{run.base_url}/v1", "apiKey": CLIENT_KEY},
                "models": {run.model: {}},
            }
        },
        "model": f"switchyard/{run.model}",
        "small_model": f"switchyard/{run.model}",
    }))
    env = run.base_env() | {
        "OPENCODE_CONFIG": str(config),
        "OPENCODE_DISABLE_AUTOUPDATE": "1",
        "OPENCODE_DISABLE_MODELS_FETCH": "1",
    }
    prompt = run.prompt("read", {"filePath": str(run.token_file)})
    return [str(bins / "opencode"), "run", prompt], env


def aider(run: Run, bins: Path) -> tuple[list[str], dict[str, str]]:
    # litellm's bundled price list, not the copy it would fetch from GitHub at start.
    env = run.base_env() | {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    argv = [
        str(bins / "aider"),
        "--message", f"Say hello. (run {run.run_id})",
        "--model", f"openai/{run.model}",  # litellm's OpenAI-compatible route: the rest is sent as is
        "--openai-api-base", f"{run.base_url}/v1",
        "--openai-api-key", CLIENT_KEY,
        "--yes-always", "--no-git", "--no-gitignore", "--no-auto-commits",
        "--no-check-update", "--no-show-release-notes", "--analytics-disable",
        "--no-show-model-warnings", "--no-pretty", "--no-fancy-input",
        "--map-tokens", "0",
    ]
    return argv, env


CLIENTS: dict[str, Client] = {
    "claude-code": Client("claude-code", "@anthropic-ai/claude-code", "anthropic", "messages", claude_code),
    "codex": Client("codex", "@openai/codex", "openai", "responses", codex),
    "gemini-cli": Client("gemini-cli", "@google/gemini-cli", "gemini", "gemini", gemini_cli),
    "opencode": Client("opencode", "opencode-ai", "openai", "chat", opencode),
    "aider": Client("aider", "aider-chat", "openai", "chat", aider, uses_tools=False),
}


def npm_version(clients_dir: Path, package: str) -> str:
    manifest = clients_dir / "node_modules" / package / "package.json"
    return json.loads(manifest.read_text())["version"]


def pypi_version(clients_dir: Path, package: str) -> str:
    for dist in (clients_dir / "venv").glob(f"lib/python*/site-packages/{package.replace('-', '_')}-*.dist-info"):
        return dist.name.removesuffix(".dist-info").split("-")[1]
    raise FileNotFoundError(f"{package} is not installed in {clients_dir / 'venv'}")


def version_of(client: Client, clients_dir: Path) -> str:
    if client.name == "aider":
        return pypi_version(clients_dir, client.package)
    return npm_version(clients_dir, client.package)


def bin_dir(client: Client, clients_dir: Path) -> Path:
    return clients_dir / ("venv/bin" if client.name == "aider" else "node_modules/.bin")


def is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)
