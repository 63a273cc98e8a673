#!/usr/bin/env bash
# Installs what building and testing Switchyard needs on Debian/Ubuntu, skipping whatever is
# already there. Safe to run repeatedly; the package list only grows with the features that
# need it (see each group's comment). `--for-tests` adds what only the test suites need.
set -euo pipefail

need_apt=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
want() { for p in "$@"; do have_pkg "$p" || need_apt+=("$p"); done; }

if command -v dpkg-query >/dev/null 2>&1; then
  # C toolchain for rusqlite's bundled SQLite and the TLS crypto backend.
  want build-essential pkg-config
  # The desktop app (src-tauri, Tauri 2) is part of the workspace, so every build needs its
  # system libraries: WebKitGTK for the window, Ayatana AppIndicator for the tray, librsvg for
  # icons, xdo for menus.
  want libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev \
    libayatana-appindicator3-dev librsvg2-dev libssl-dev libxdo-dev
  # The keychain suite runs against a real Secret Service in a private D-Bus session.
  want gnome-keyring dbus-daemon
  # The dashboard is built with Node.js and npm; its browser suite drives Debian's Chromium.
  command -v node >/dev/null 2>&1 || want nodejs
  command -v npm >/dev/null 2>&1 || want npm
  [ "${1:-}" = "--for-tests" ] && want chromium fonts-liberation
  # The official-SDK suite runs in a Python virtual environment.
  if ! python3 -m venv --help >/dev/null 2>&1; then want python3-venv; fi
  command -v python3 >/dev/null 2>&1 || want python3 python3-venv python3-pip

  if [ ${#need_apt[@]} -gt 0 ]; then
    echo "setup: installing ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      -o DPkg::Lock::Timeout=600 "${need_apt[@]}"
  fi
else
  echo "setup: not a Debian-based system; install a C compiler, pkg-config and python3 with venv yourself."
fi

if command -v node >/dev/null 2>&1; then
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$node_major" -lt 20 ]; then
    echo "setup: the dashboard needs Node.js 20 or newer; this machine has $(node --version)." >&2
    exit 1
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing. Install Rust 1.89 or newer (https://rustup.rs) and run this again." >&2
  exit 1
fi
