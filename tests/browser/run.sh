#!/usr/bin/env bash
# The dashboard's end-to-end suite: builds ui/dist (the gateway serves it from there in debug
# builds and embeds it in release builds), installs the suite's packages, and runs it in a
# private D-Bus session with an unlocked GNOME Keyring so keys set in the page reach a real
# keychain. Without dbus-run-session or gnome-keyring it refuses to run, unless
# ALLOW_NO_KEYCHAIN=1 asks for the key-variable fallback.
#
#   SWITCHYARD_BIN     default target/debug/switchyard
#   MOCK_PROVIDER_BIN  default target/debug/mock-provider
#   CHROMIUM_BIN       default /usr/bin/chromium
#   SKIP_UI_BUILD=1    use the ui/dist that is there
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export SWITCHYARD_BIN=${SWITCHYARD_BIN:-$repo/target/debug/switchyard}
export MOCK_PROVIDER_BIN=${MOCK_PROVIDER_BIN:-$repo/target/debug/mock-provider}

if [ -z "${SWITCHYARD_BROWSER_IN_SESSION:-}" ]; then
  if [ -z "${SKIP_UI_BUILD:-}" ]; then
    (cd "$repo/ui" && npm ci --no-audit --no-fund && npm run build)
  fi
  (cd "$here" && npm ci --no-audit --no-fund)
  if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    export SWITCHYARD_BROWSER_IN_SESSION=1
    exec dbus-run-session -- "$0" "$@"
  fi
  if [ -z "${ALLOW_NO_KEYCHAIN:-}" ]; then
    echo "tests/browser/run.sh: dbus-run-session and gnome-keyring-daemon are needed so keys set in" \
         "the page reach a real keychain (scripts/setup.sh installs them). ALLOW_NO_KEYCHAIN=1 runs" \
         "the suite with key variables instead." >&2
    exit 1
  fi
else
  keyring_home=$(mktemp -d)
  trap 'rm -rf "$keyring_home"' EXIT
  export XDG_DATA_HOME=$keyring_home
  eval "$(printf 'switchyard-browser-suite' | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
fi

cd "$here"
node --test --test-concurrency=1 --test-reporter=spec dashboard.test.mjs
