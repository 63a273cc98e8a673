# Sourced by the Python suites' run scripts (tests/sdk, tests/desktop): creates DIR/.venv and
# installs DIR/requirements.txt into it, again only when the requirements or the Python version
# changed. Usage: python_venv DIR  →  sets $venv.
python_venv() {
  local dir="$1"
  venv="$dir/.venv"
  local requirements="$dir/requirements.txt"
  local stamp="$venv/.requirements.sha256"
  if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "$dir: creating $venv" >&2
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv"
  fi
  local wanted
  wanted="$( (sha256sum "$requirements"; "$venv/bin/python" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "$dir: installing $requirements" >&2
    rm -f "$stamp"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    printf '%s\n' "$wanted" > "$stamp"
  fi
}
