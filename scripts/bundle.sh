#!/usr/bin/env bash
# `make bundle`: the desktop app's installers, built by the Tauri CLI (pinned in
# src-tauri/package.json, installed with `npm ci`; the app itself is plain cargo).
#   Linux:   .deb and .rpm. The AppImage is configured too, but Tauri downloads its tools
#            from outside the package registries, so it is not built here.
#   macOS:   .app and .dmg.     Windows: .msi and the NSIS setup .exe.
# The release binary embeds the dashboard, so ui/dist is built first. Extra arguments go to
# `tauri build` (e.g. --debug for a quicker, larger package).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/ui.sh build

case "$(uname -s)" in
  Linux) bundles="deb,rpm" ;;
  Darwin) bundles="app,dmg" ;;
  MINGW* | MSYS* | CYGWIN*) bundles="msi,nsis" ;;
  *) echo "scripts/bundle.sh: no installer for $(uname -s)" >&2; exit 1 ;;
esac

cd src-tauri
stamp=node_modules/.package-lock.sha256
wanted="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s\n' "$wanted" > "$stamp"
fi
npx --no-install tauri build --ci --bundles "$bundles" "$@"

target="$(cd .. && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
profile=release
for arg in "$@"; do [ "$arg" = "--debug" ] && profile=debug; done
echo "installers:"
find "$target/$profile/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.rpm' -o -name '*.dmg' \
  -o -name '*.msi' -o -name '*-setup.exe' \) -newer package-lock.json -print | sed 's/^/  /'
