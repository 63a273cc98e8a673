#!/usr/bin/env bash
# The desktop app end to end (tests/desktop/test_desktop.py): the real app binary in a real
# window on a virtual display, with a tray host, a private session bus and a throwaway
# unlocked keyring, driven by tauri-driver (WebKitWebDriver) through Selenium.
#   bash tests/desktop/run.sh [extra pytest args]
#
# It installs what it needs when missing (apt packages, tauri-driver, a Python venv) but never
# builds Switchyard: build first with
#   cargo build -p switchyard-desktop -p mock-provider && scripts/ui.sh build
# Binaries: $DESKTOP_BIN and $MOCK_PROVIDER_BIN, defaulting to target/debug/ under the repo root
# (or $CARGO_TARGET_DIR). Screenshots and the memory figures go to tests/desktop/screenshots/;
# the window and tray screenshots are also copied to docs/screenshots/.
# Nothing is skipped: anything missing fails the run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
DESKTOP_BIN="$(realpath -m "${DESKTOP_BIN:-$target/debug/switchyard-desktop}")"
MOCK_PROVIDER_BIN="$(realpath -m "${MOCK_PROVIDER_BIN:-$target/debug/mock-provider}")"

fail() { echo "tests/desktop/run.sh: FAIL: $*" >&2; exit 1; }

for pair in "DESKTOP_BIN:$DESKTOP_BIN" "MOCK_PROVIDER_BIN:$MOCK_PROVIDER_BIN"; do
  [ -x "${pair#*:}" ] || fail "${pair%%:*}: no executable at ${pair#*:}; build it with" \
    "cargo build -p switchyard-desktop -p mock-provider (this script never builds Switchyard)"
done
# Debug builds serve the dashboard from ui/dist at run time; release builds embed it.
[ -f "$root/ui/dist/index.html" ] || fail "the dashboard is not built (ui/dist): run scripts/ui.sh build"

# A window and a tray under test, WebDriver for WebKitGTK, a keychain and a session bus.
packages=(xvfb xauth openbox trayer xdotool wmctrl imagemagick webkit2gtk-driver gnome-keyring
  dbus-daemon dbus-bin dbus-x11 python3-venv)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/desktop/run.sh: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "tests/desktop/run.sh: installing tauri-driver" >&2
  cargo install tauri-driver --locked
fi
command -v tauri-driver >/dev/null 2>&1 || fail "tauri-driver is not on PATH (~/.cargo/bin?)"
command -v WebKitWebDriver >/dev/null 2>&1 || fail "WebKitWebDriver is missing (webkit2gtk-driver)"

. "$here/../python-venv.sh"
python_venv "$here"

export DESKTOP_BIN MOCK_PROVIDER_BIN
mkdir -p "$here/screenshots"
# A virtual screen and a private session bus for the whole run; session.sh sets up the rest.
exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$here/session.sh" "$@"
