#!/usr/bin/env bash
# Installs the pinned real clients (package-lock.json: Claude Code, Codex CLI, Gemini CLI, opencode;
# requirements.txt: Aider and the test runner) into a cache outside git:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/switchyard/clients/<hash of the pins, Node and Python versions>/
#     node_modules/.bin/{claude,codex,gemini,opencode}   (npm ci from the lock file)
#     venv/bin/{aider,python}                            (pip install -r requirements.txt)
# The same pins find the same folder, so a second run installs nothing; changed pins get a fresh
# folder (the old one is removed). Prints the folder on stdout; everything else goes to stderr.
# Usage: bash tests/clients/install.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fail() {
    echo "tests/clients/install.sh: FAIL: $*" >&2
    exit 1
}

command -v node >/dev/null 2>&1 || fail "node is not installed (Node.js 20 or newer; scripts/setup.sh installs it)"
command -v npm >/dev/null 2>&1 || fail "npm is not installed (scripts/setup.sh installs it)"
python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || fail "$python is not installed (scripts/setup.sh installs it)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || fail "Gemini CLI and opencode need Node.js 20 or newer; this machine has $(node --version)"
"$python" -m venv --help >/dev/null 2>&1 || fail "$python has no venv module (apt-get install python3-venv)"

key="$( (cat "$here/package.json" "$here/package-lock.json" "$here/requirements.txt"
         node --version
         "$python" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/switchyard/clients"
dir="$cache/$key"
if [ -f "$dir/.complete" ]; then
    printf '%s\n' "$dir"
    exit 0
fi

echo "tests/clients/install.sh: installing the pinned clients into $dir" >&2
# Installed in place (a venv holds its own absolute path); .complete is written last, so an
# interrupted install is redone from scratch next time.
rm -rf "$dir"
mkdir -p "$dir"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
# npm ci installs exactly the lock file. Codex and opencode ship their binaries as platform
# packages (optional dependencies), so they run even where npm skips install scripts.
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) || fail "npm ci failed in $dir"
for bin in claude codex gemini opencode; do
    [ -x "$dir/node_modules/.bin/$bin" ] || fail "npm ci did not install $bin (node_modules/.bin/$bin)"
done
"$python" -m venv "$dir/venv" >&2 || fail "could not create a venv with $python"
"$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2 \
    || fail "pip install -r tests/clients/requirements.txt failed"
[ -x "$dir/venv/bin/aider" ] || fail "pip did not install aider (venv/bin/aider)"
touch "$dir/.complete"

# Older pins' folders are of no further use.
for old in "$cache"/*/; do
    [ "${old%/}" = "$dir" ] || rm -rf "${old%/}"
done
printf '%s\n' "$dir"
