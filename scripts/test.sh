#!/usr/bin/env bash
# `make test`: every test Switchyard has, from a fresh clone on a fresh Debian machine.
# Nothing is skipped silently: a suite that cannot run fails the whole command.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --for-tests

# Each step's time, printed at the end: `make test` must stay well inside CI's limit.
timings=()
current=""
since=$SECONDS
end_step() {
  [ -n "$current" ] && timings+=("$(printf '%5ds  %s' $((SECONDS - since)) "$current")")
  since=$SECONDS
}
step() {
  end_step
  current="$*"
  printf '\n==> %s\n' "$*"
}
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

step "fault injection: a chaos upstream in every client format, 10,000 invented models, a 2 GiB answer, a locked history, SIGKILL under load, a full disk"
bash tests/faults/run.sh

step "OS keychain: the real binary against a real Secret Service (gnome-keyring)"
# A private session bus and an unlocked, throwaway keyring: nothing touches the user's own.
dbus-run-session -- sh -c '
  set -e
  export XDG_DATA_HOME="$(mktemp -d)"
  eval "$(printf switchyard-test | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  cargo test --workspace --locked --test keychain -- --ignored
'

step "official openai-python SDK against the real binary"
# `cargo test --workspace` above built both binaries (their packages' integration tests run
# them); building them again with `-p` would resolve other features and recompile ~130 crates.
# For the same reason every later cargo test here says `--workspace`.
for b in switchyard mock-provider; do
  [ -x "$bin/$b" ] || { echo "make test: $bin/$b was not built by cargo test --workspace" >&2; exit 1; }
done
SWITCHYARD_BIN="$bin/switchyard" MOCK_PROVIDER_BIN="$bin/mock-provider" \
  bash tests/sdk/run.sh

step "the published clients (Claude Code, Codex CLI, Gemini CLI, opencode, Aider): a tool loop through every provider kind, and switchyard connect / disconnect with each"
# install.sh prints the cache it installed the pinned clients into (outside git).
clients_dir="$(bash tests/clients/install.sh)"
SWITCHYARD_BIN="$bin/switchyard" MOCK_PROVIDER_BIN="$bin/mock-provider" \
  bash tests/clients/run.sh
SWITCHYARD_CLIENTS_DIR="$clients_dir" \
  cargo test --workspace --locked --test connect_clients -- --ignored

step "dashboard end to end: Debian's Chromium against the real gateway and mock provider"
SKIP_UI_BUILD=1 SWITCHYARD_BIN="$bin/switchyard" MOCK_PROVIDER_BIN="$bin/mock-provider" \
  bash tests/browser/run.sh

step "desktop app end to end: the real app in a window and a tray on Xvfb, driven by tauri-driver"
cargo build --locked -p switchyard-desktop -p mock-provider
DESKTOP_BIN="$bin/switchyard-desktop" MOCK_PROVIDER_BIN="$bin/mock-provider" \
  bash tests/desktop/run.sh

step "fuzzing every parser and translator (a short run each; make fuzz runs longer)"
FUZZ_SECONDS=15 ./scripts/fuzz.sh

end_step
printf '\n==> time per step\n'
printf '%s\n' "${timings[@]}"
printf '%5ds  in all\n' "$SECONDS"
printf '\n==> all suites passed\n'
