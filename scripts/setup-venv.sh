#!/usr/bin/env bash
# Create the project's virtual environment at <repo>/.venv and install the project into it (editable).
#
# Usage: scripts/setup-venv.sh [--app]
#   (default)  pip install -e ".[test,packaging]"  -- the app plus the test and bundle tools
#   --app      pip install -e "."        -- only what the app needs to run
#
# Idempotent and fast: after a successful install it writes a stamp into .venv holding the sha256 of
# pyproject.toml (plus the interpreter version); when the stamp matches, pip is not run at all.
# A test install also satisfies --app. Set PYTHON to choose the interpreter (default: python3).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

extras="[test,packaging]"  # the suite builds the PyInstaller bundle (tests/packaging)
kind="test"
for arg in "$@"; do
    case "$arg" in
        --app)
            extras=""
            kind="app"
            ;;
        -h | --help)
            sed -n '2,10p' "$0"
            exit 0
            ;;
        *)
            echo "setup-venv: unknown argument: $arg" >&2
            exit 2
            ;;
    esac
done

python=${PYTHON:-python3}
venv="$repo/.venv"
vpy="$venv/bin/python"

# A venv whose interpreter no longer runs (Python upgraded or moved, copied checkout) is rebuilt.
if [[ -e "$venv" ]] && ! "$vpy" -c 'import sys' >/dev/null 2>&1; then
    echo "setup-venv: $venv is broken; recreating it"
    rm -rf "$venv"
fi

if [[ ! -e "$venv" ]]; then
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "setup-venv: need Python >= 3.11 as '$python' (got: $("$python" --version 2>&1 || echo none))" >&2
        exit 1
    fi
    echo "setup-venv: creating $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi

# What the stamp certifies: this pyproject.toml, installed by this interpreter.
digest=$( { sha256sum pyproject.toml; "$vpy" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)
stamp_test="$venv/.installed-test.sha256"
stamp_app="$venv/.installed-app.sha256"

stamp_matches() { [[ -f "$1" && "$(cat "$1")" == "$digest" ]]; }

if stamp_matches "$stamp_test" || { [[ $kind == app ]] && stamp_matches "$stamp_app"; }; then
    echo "setup-venv: .venv is up to date ($kind)"
    exit 0
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
echo "setup-venv: installing election-tracker${extras} into .venv (pip, errors only)"
start=$SECONDS
"$vpy" -m pip install -qq --upgrade pip
"$vpy" -m pip install -qq -e ".${extras}"
echo "setup-venv: pip done in $((SECONDS - start)) s"

rm -f "$stamp_app" "$stamp_test"
echo "$digest" >"$venv/.installed-$kind.sha256"
