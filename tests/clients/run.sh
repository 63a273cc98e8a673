#!/usr/bin/env bash
# Runs the real-client suite: the published Claude Code, Codex CLI, Gemini CLI, opencode and Aider
# (pinned in package-lock.json and requirements.txt) complete a tool loop through a real
# `switchyard serve` to each provider kind, against the mock provider.
# Usage: bash tests/clients/run.sh [extra pytest args]
#        RECORD=1 bash tests/clients/run.sh   # also rewrites tests/fixtures/clients/
#
# It does NOT build anything: build first with
#   cargo build -p switchyard-cli -p mock-provider
# Binaries: $SWITCHYARD_BIN and $MOCK_PROVIDER_BIN, defaulting to target/debug/switchyard and
# target/debug/mock-provider under the repo root. The clients are installed by install.sh into a
# cache outside the repo, again only when their pins change.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

absolute() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s/%s\n' "$(pwd)" "$1" ;;
    esac
}
SWITCHYARD_BIN="$(absolute "${SWITCHYARD_BIN:-$root/target/debug/switchyard}")"
MOCK_PROVIDER_BIN="$(absolute "${MOCK_PROVIDER_BIN:-$root/target/debug/mock-provider}")"

missing=0
for pair in "SWITCHYARD_BIN:$SWITCHYARD_BIN" "MOCK_PROVIDER_BIN:$MOCK_PROVIDER_BIN"; do
    name="${pair%%:*}"
    path="${pair#*:}"
    if [ ! -x "$path" ]; then
        echo "tests/clients/run.sh: FAIL: $name: no executable at $path" >&2
        missing=1
    fi
done
if [ "$missing" -ne 0 ]; then
    echo "tests/clients/run.sh: build the binaries first (cargo build -p switchyard-cli -p mock-provider)" \
         "or point SWITCHYARD_BIN / MOCK_PROVIDER_BIN at them; this script never builds them." >&2
    exit 1
fi

SWITCHYARD_CLIENTS_DIR="$(bash "$here/install.sh")"
cd "$root"
export SWITCHYARD_BIN MOCK_PROVIDER_BIN SWITCHYARD_CLIENTS_DIR
# Two workers, each with its own mock and gateway: the clients mostly wait on each other's
# turns, so two at once on a 2-core machine halve the time. pytest's exit code is ours.
exec "$SWITCHYARD_CLIENTS_DIR/venv/bin/python" -m pytest -q tests/clients -n "${CLIENT_WORKERS:-2}" "$@"
