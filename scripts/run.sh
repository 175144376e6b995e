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
exec .venv/bin/election-tracker "$@"
