#!/usr/bin/env bash
# Builds the dashboard (ui/ → ui/dist), which the gateway embeds. Installs its npm packages
# from package-lock.json first when they changed. Usage: scripts/ui.sh [build|test|check]
#   build  the production bundle (default)
#   test   its unit and component tests (Vitest)
#   check  type-check the Svelte and TypeScript sources
set -euo pipefail
cd "$(dirname "$0")/../ui"
stamp=node_modules/.package-lock.sha256
wanted="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s\n' "$wanted" > "$stamp"
fi
case "${1:-build}" in
  build) npm run --silent build ;;
  test) npm run --silent test ;;
  check) npm run --silent check ;;
  *) echo "scripts/ui.sh: unknown step '$1' (build, test or check)" >&2; exit 2 ;;
esac
