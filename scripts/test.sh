#!/usr/bin/env bash
# `make test`: every test Switchyard has, from a fresh clone on a fresh Debian machine.
# Nothing is skipped silently: a suite that cannot run fails the whole command.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --for-tests

step() { printf '\n==> %s\n' "$*"; }
# Binaries the suites run: this checkout's own build (CARGO_TARGET_DIR is honoured).
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug"

step "dashboard: type check, unit and component tests (Vitest), production build"
./scripts/ui.sh check
./scripts/ui.sh test
./scripts/ui.sh build

step "formatting"
cargo fmt --all -- --check

step "lints (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust unit and integration tests (and the dashboard's generated types are current)"
cargo test --workspace --locked --exclude switchyard-faults

step "fault injection: a chaos upstream (resets, stalls, malformed and oversized SSE, redirects, 429s) in every client format"
cargo test --locked -p switchyard-faults

step "OS keychain: the real binary against a real Secret Service (gnome-keyring)"
# A private session bus and an unlocked, throwaway keyring: nothing touches the user's own.
dbus-run-session -- sh -c '
  set -e
  export XDG_DATA_HOME="$(mktemp -d)"
  eval "$(printf switchyard-test | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  cargo test --locked -p switchyard-cli --test keychain -- --ignored
'

step "official openai-python SDK against the real binary"
cargo build --locked -p switchyard-cli -p mock-provider
SWITCHYARD_BIN="$bin/switchyard" MOCK_PROVIDER_BIN="$bin/mock-provider" \
  bash tests/sdk/run.sh

step "dashboard end to end: Debian's Chromium against the real gateway and mock provider"
SKIP_UI_BUILD=1 SWITCHYARD_BIN="$bin/switchyard" MOCK_PROVIDER_BIN="$bin/mock-provider" \
  bash tests/browser/run.sh

step "desktop app end to end: the real app in a window and a tray on Xvfb, driven by tauri-driver"
cargo build --locked -p switchyard-desktop -p mock-provider
DESKTOP_BIN="$bin/switchyard-desktop" MOCK_PROVIDER_BIN="$bin/mock-provider" \
  bash tests/desktop/run.sh

step "fuzzing every parser and translator (a short run each; make fuzz runs longer)"
FUZZ_SECONDS=15 ./scripts/fuzz.sh

step "all suites passed"
