#!/usr/bin/env bash
# Moves the real-client suite to the newest published clients (or to the versions given), then
# re-records what they send so the change shows up as a fixture diff under tests/fixtures/clients/.
#
# Usage: bash tests/clients/bump.sh                      # every client to its latest release
#        bash tests/clients/bump.sh @openai/codex@0.170.0 aider-chat==0.87.0
#
# Rewrites package.json and package-lock.json (npm) and the aider-chat pin in requirements.txt,
# then runs the suite with RECORD=1 (binaries as for run.sh: build them first). Review the
# fixture diff with `git diff tests/fixtures/clients` and run `cargo test -p switchyard-gateway
# --test it client_fixtures` before committing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
npm_packages=(@anthropic-ai/claude-code @openai/codex @google/gemini-cli opencode-ai)

npm_specs=()
aider_pin=""
if [ "$#" -eq 0 ]; then
    for package in "${npm_packages[@]}"; do
        npm_specs+=("$package@latest")
    done
    aider_pin="aider-chat==$(python3 -m pip index versions aider-chat 2>/dev/null \
        | sed -n 's/^aider-chat (\(.*\))$/\1/p')"
    [ "$aider_pin" != "aider-chat==" ] || { echo "bump.sh: could not find aider-chat's latest version on PyPI" >&2; exit 1; }
else
    for spec in "$@"; do
        case "$spec" in
            aider-chat==*) aider_pin="$spec" ;;
            *) npm_specs+=("$spec") ;;
        esac
    done
fi

if [ "${#npm_specs[@]}" -gt 0 ]; then
    # --save-exact keeps one version per client; --package-lock-only resolves without installing.
    (cd "$here" && npm install --save-exact --package-lock-only --no-audit --no-fund \
        --loglevel=error "${npm_specs[@]}")
fi
if [ -n "$aider_pin" ]; then
    sed -i "s/^aider-chat==.*/$aider_pin/" "$here/requirements.txt"
fi

echo "bump.sh: pinned versions now:" >&2
node -e 'const d = require(process.argv[1]).dependencies; for (const k in d) console.log(`  ${k} ${d[k]}`)' \
    "$here/package.json" >&2
grep '^aider-chat==' "$here/requirements.txt" | sed 's/^/  /' >&2

RECORD=1 bash "$here/run.sh"
