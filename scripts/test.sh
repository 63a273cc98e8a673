#!/usr/bin/env bash
# `make test`: every test Switchyard has, from a fresh clone on a fresh Debian machine.
# Nothing is skipped silently: a suite that cannot run fails the whole command.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }

step "formatting"
cargo fmt --all -- --check

step "lints (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust unit and integration tests"
cargo test --workspace --locked

step "official openai-python SDK against the real binary"
cargo build --locked -p switchyard-cli -p mock-provider
SWITCHYARD_BIN="$PWD/target/debug/switchyard" MOCK_PROVIDER_BIN="$PWD/target/debug/mock-provider" \
  bash tests/sdk/run.sh

step "all suites passed"
