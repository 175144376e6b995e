#!/usr/bin/env bash
# Install everything the test suite needs and run it: the one test command of the README and of CI.
#
# Usage: scripts/test.sh [pytest args...]     e.g. scripts/test.sh -m "not e2e" -x
#
# Phases: Debian packages (Xvfb + Qt's xcb libraries), the .venv with the test extras, pytest.
# Exits with pytest's status, except that "no tests collected" (pytest exit code 5) is a failure too.
#
# pytest runs on TEST_WORKERS pytest-xdist workers (default 3 on the 2-core machine), a whole test
# file per worker at a time, longest files first (tests/conftest.py): one worker spends minutes on
# the fuzz run (two processes of its own), while the other two share the rest, much of which waits
# on subprocesses and servers rather than computing. Arguments given here come after these, so
# `scripts/test.sh -n 0` runs everything in one process. See docs/development.md, "Test suite time".
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

phase() { printf '\n==> [%s] %s\n' "$1" "$2"; }

t0=$SECONDS
phase "1/3" "System packages (scripts/install-system-deps.sh)"
bash scripts/install-system-deps.sh

phase "2/3" "Python environment (scripts/setup-venv.sh)"
t1=$SECONDS
bash scripts/setup-venv.sh
echo "    (environment ready in $((SECONDS - t1)) s)"

xdist=(-n "${TEST_WORKERS:-3}" --dist loadfile --no-loadscope-reorder)
phase "3/3" "Test suite (.venv/bin/python -m pytest ${xdist[*]}${*:+ $*})"
t2=$SECONDS
rc=0
.venv/bin/python -m pytest "${xdist[@]}" "$@" || rc=$?
echo
echo "==> pytest finished in $((SECONDS - t2)) s (total $((SECONDS - t0)) s), exit code $rc"

if [[ $rc -eq 5 ]]; then
    echo "==> FAILED: pytest collected no tests (exit code 5)" >&2
    exit 1
fi
if [[ $rc -ne 0 ]]; then
    echo "==> FAILED" >&2
fi
exit "$rc"
