#!/usr/bin/env bash
# `make run`: set up what is missing, build, and start Switchyard: the desktop app (tray and
# window) when there is a display ($DISPLAY or $WAYLAND_DISPLAY), `switchyard serve` otherwise.
# Flags and environment (SWITCHYARD_CONFIG, SWITCHYARD_DATA_DIR, SWITCHYARD_LISTEN) pass through
# to either:
#   make run                     # defaults: 127.0.0.1:4545, OS config and data dirs
#   ./scripts/run.sh --listen 127.0.0.1:8080
#   SWITCHYARD_HEADLESS=1 make run    # `switchyard serve` even with a display
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Both embed the dashboard in their release binary.
./scripts/ui.sh build
target="${CARGO_TARGET_DIR:-target}"
if [ -z "${SWITCHYARD_HEADLESS:-}" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  cargo build --release --locked -p switchyard-desktop
  exec "$target/release/switchyard-desktop" "$@"
fi
cargo build --release --locked -p switchyard-cli
exec "$target/release/switchyard" serve "$@"
