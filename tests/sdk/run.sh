#!/usr/bin/env bash
# Runs the official-SDK suite (openai-python and anthropic-python against a real `switchyard serve` and the
# mock provider). Usage: bash tests/sdk/run.sh [extra pytest args]
#
# It does NOT build anything: build first with
#   cargo build -p switchyard-cli -p mock-provider
# Binaries: $SWITCHYARD_BIN and $MOCK_PROVIDER_BIN, defaulting to target/debug/switchyard and
# target/debug/mock-provider under the repo root. Python deps live in tests/sdk/.venv and are
# reinstalled only when requirements.txt changes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# Resolve binaries given relative to the caller's directory before moving to the repo root.
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
        echo "tests/sdk/run.sh: FAIL: $name: no executable at $path" >&2
        missing=1
    fi
done
if [ "$missing" -ne 0 ]; then
    echo "tests/sdk/run.sh: build the binaries first (cargo build -p switchyard-cli -p mock-provider)" \
         "or point SWITCHYARD_BIN / MOCK_PROVIDER_BIN at them; this script never builds them." >&2
    exit 1
fi

cd "$root"
. "$here/../python-venv.sh"
python_venv "$here"

export SWITCHYARD_BIN MOCK_PROVIDER_BIN
# pytest's exit code is ours: 0 only when every test ran and passed (5 = none collected fails too).
exec "$venv/bin/python" -m pytest -q tests/sdk "$@"
