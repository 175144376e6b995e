#!/usr/bin/env bash
# Install what the app needs and launch it: the README's "try it" command. With no arguments the app
# opens the bundled night; any arguments are passed to `election-tracker`.
#
# Usage: scripts/run.sh [election-tracker args...]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

echo "==> System packages (Qt's runtime libraries)"
bash scripts/install-system-deps.sh --runtime
echo "==> Python environment"
bash scripts/setup-venv.sh --app
echo "==> Starting election-tracker"
# No arguments: the bundled night, so the first thing anyone sees is a working tracker (the app on
# its own shows its start page on a first run).
if [ "$#" -eq 0 ]; then
    set -- resources/nights/ga06-2017-04-18.night
fi
exec .venv/bin/election-tracker "$@"
