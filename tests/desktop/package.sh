#!/usr/bin/env bash
# Checks the built .deb as a user would meet it: it installs with apt (which resolves its
# dependencies), the installed binary starts on a virtual display with a private session bus and
# throwaway HOME/XDG dirs, serves /healthz on the port it was given, hides its window to the tray
# when closed (the memory of all its processes is measured then), and stops cleanly on SIGTERM.
# The package is removed again at the end.
#   bash tests/desktop/package.sh [path/to/switchyard.deb]   # default: the newest make bundle built
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ -z "${SWITCHYARD_PACKAGE_IN_SESSION:-}" ]; then
  target="${CARGO_TARGET_DIR:-$root/target}"
  deb="$(realpath "${1:-$(ls -t "$target"/release/bundle/deb/*.deb 2>/dev/null | head -1)}")"
  [ -f "$deb" ] || { echo "tests/desktop/package.sh: FAIL: no .deb; run make bundle first" >&2; exit 1; }
  package="$(dpkg-deb -f "$deb" Package)"
  echo "package: $deb ($(du -h "$deb" | cut -f1)), $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
  echo "depends: $(dpkg-deb -f "$deb" Depends)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 xvfb xauth openbox wmctrl xdotool dbus-daemon gnome-keyring curl >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "$deb" >/dev/null
  trap 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$package" >/dev/null' EXIT
  echo "installed files:"; dpkg -L "$package" | grep -E '/bin/|\.desktop$|/icons/.*/128x128' | sed 's/^/  /'
  binary="$(dpkg -L "$package" | grep -E '^/usr/bin/' | head -1)"
  [ -x "$binary" ] || { echo "tests/desktop/package.sh: FAIL: no binary in /usr/bin" >&2; exit 1; }
  SWITCHYARD_PACKAGE_IN_SESSION=1 SWITCHYARD_PACKAGE_BINARY="$binary" \
    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$0"
  exit $?
fi

# Inside the virtual display and the private bus.
scratch="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$scratch"; }
trap cleanup EXIT
export HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data"
mkdir -p "$HOME"
eval "$(printf switchyard-test | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
openbox >/dev/null 2>&1 & pids+=($!)
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
SWITCHYARD_LISTEN="127.0.0.1:$port" "$SWITCHYARD_PACKAGE_BINARY" >"$scratch/app.log" 2>&1 &
app=$!
fail() { echo "tests/desktop/package.sh: FAIL: $*" >&2; tail -20 "$scratch/app.log" >&2; kill "$app" 2>/dev/null; exit 1; }

for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
answer="$(curl -fsS "http://127.0.0.1:$port/healthz")" || fail "the installed app does not serve /healthz"
echo "healthz: $answer"
curl -fsS "http://127.0.0.1:$port/" | grep -q '<div id="app"\|<script' || fail "the dashboard is not embedded"

window=""
for _ in $(seq 100); do
  window="$(xdotool search --all --onlyvisible --pid "$app" --name '^Switchyard$' 2>/dev/null | head -1)" && [ -n "$window" ] && break
  sleep 0.2
done
[ -n "$window" ] || fail "no window"
sleep 3
wmctrl -i -c "$(printf '0x%x' "$window")"
for _ in $(seq 50); do
  [ -z "$(xdotool search --all --onlyvisible --pid "$app" --name '^Switchyard$' 2>/dev/null)" ] && break
  sleep 0.2
done
[ -z "$(xdotool search --all --onlyvisible --pid "$app" --name '^Switchyard$' 2>/dev/null)" ] || fail "closing did not hide the window"
kill -0 "$app" || fail "closing the window quit the app"
sleep 5
tree() { echo "$1"; for child in $(pgrep -P "$1"); do tree "$child"; done; }
total=0; total_pss=0
echo "memory with the window closed (VmRSS; PSS counts shared library pages once):"
for pid in $(tree "$app"); do
  [ -r "/proc/$pid/status" ] || continue
  name="$(awk '/^Name:/{print $2}' "/proc/$pid/status")"
  kib="$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status")"
  pss="$(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null)"
  total=$((total + ${kib:-0})); total_pss=$((total_pss + ${pss:-0}))
  awk -v p="$pid" -v n="$name" -v r="${kib:-0}" -v s="${pss:-0}" \
    'BEGIN{printf "  %-8s %-22s RSS %7.1f MiB  PSS %7.1f MiB\n", p, n, r/1024, s/1024}'
done
awk -v r="$total" -v s="$total_pss" 'BEGIN{printf "  %-8s %-22s RSS %7.1f MiB  PSS %7.1f MiB\n", "", "total", r/1024, s/1024}'

kill -TERM "$app"
status=0; wait "$app" || status=$?
[ "$status" -eq 0 ] || fail "SIGTERM exit status $status"
grep -q "history flushed" "$scratch/app.log" || fail "no clean shutdown in the log"
echo "the installed app started, served, hid to the tray and stopped cleanly"
