#!/usr/bin/env bash
# Inside the virtual display and the private session bus (started by run.sh): a throwaway
# HOME and XDG dirs, an unlocked throwaway keyring, a window manager and a tray host; then
# the suite. Whatever was started here is stopped here, by its pid.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

scratch="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

export HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" \
  XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/runtime"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

eval "$(printf switchyard-test | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
openbox >"$scratch/openbox.log" 2>&1 & pids+=($!)
sleep 1
trayer --edge top --align right --SetDockType true --SetPartialStrut true --widthtype request \
  --height 32 --transparent false --tint 0xf4f4f5 >"$scratch/trayer.log" 2>&1 & pids+=($!)
sleep 1

# Every notification the apps send on this bus, for the suite to read (no notification daemon
# runs here: the calls fail after they were recorded, and the app logs that).
export SWITCHYARD_NOTIFICATIONS_LOG="$scratch/notifications.log"
dbus-monitor --session "interface=org.freedesktop.Notifications" >"$SWITCHYARD_NOTIFICATIONS_LOG" 2>&1 & pids+=($!)
sleep 0.5

cd "$here"
"$here/.venv/bin/python" -m pytest -q -s "$here" "$@"
