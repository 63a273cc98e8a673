#!/usr/bin/env bash
# `make run`: set up what is missing, build, and start Switchyard headless (`switchyard serve`).
# Flags and environment (SWITCHYARD_CONFIG, SWITCHYARD_DATA_DIR, SWITCHYARD_LISTEN) pass through:
#   make run                     # defaults: 127.0.0.1:4545, OS config and data dirs
#   ./scripts/run.sh --listen 127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/ui.sh build
cargo build --release --locked -p switchyard-cli
exec "${CARGO_TARGET_DIR:-target}/release/switchyard" serve "$@"
