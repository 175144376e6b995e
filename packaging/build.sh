#!/usr/bin/env bash
# Build the one-folder bundle dist/election-tracker/ (PyInstaller, packaging/election-tracker.spec)
# and smoke-test it: the bundle starts offscreen, opens its own bundled night at 22:40 and saves a
# screenshot. The README's one build command.
#
# Usage: bash packaging/build.sh [--dist DIR] [--work DIR] [--untrimmed] [--no-smoke]
#   --dist DIR    where the bundle goes (default: dist/; the bundle is DIR/election-tracker/)
#   --work DIR    PyInstaller's build folder (default: build/)
#   --untrimmed   keep every Qt module, plugin and translation (to measure what trimming saves)
#   --no-smoke    build only
# Environment: VENV_PYTHON=/path/to/python builds with that interpreter (it must have the project
# and its [packaging] extra installed) instead of setting up .venv with scripts/setup-venv.sh.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

dist="$repo/dist"
work="$repo/build"
smoke=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dist) dist=$(realpath -m "$2"); shift 2 ;;
        --work) work=$(realpath -m "$2"); shift 2 ;;
        --untrimmed) export ELECTION_TRACKER_UNTRIMMED=1; shift ;;
        --no-smoke) smoke=0; shift ;;
        -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "build: unknown argument: $1" >&2; exit 2 ;;
    esac
done

if [[ -z "${VENV_PYTHON:-}" ]]; then
    echo "==> System packages and Python environment (PyInstaller comes with the [packaging] extra)"
    bash scripts/install-system-deps.sh
    bash scripts/setup-venv.sh
    VENV_PYTHON="$repo/.venv/bin/python"
fi

echo "==> PyInstaller: $dist/election-tracker"
start=$SECONDS
"$VENV_PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$work" packaging/election-tracker.spec
bundle="$dist/election-tracker"
echo "==> built in $((SECONDS - start)) s: $bundle, $(du -sm "$bundle" | cut -f1) MB"

if [[ $smoke -eq 1 ]]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    night="$bundle/_internal/resources/nights/ga06-2017-04-18.night"
    QT_QPA_PLATFORM=offscreen TRACKER_HOME="$out/home" \
        "$bundle/election-tracker" replay "$night" --at 22:40 --screenshot "$out/smoke.png"
    size=$(stat -c %s "$out/smoke.png")
    if [[ $(head -c 8 "$out/smoke.png" | od -An -tx1 | tr -d ' \n') != 89504e470d0a1a0a || $size -lt 20000 ]]; then
        echo "==> smoke test FAILED: $out/smoke.png is not a real screenshot ($size bytes)" >&2
        exit 1
    fi
    echo "==> smoke test passed: the bundle drew its bundled night ($size-byte PNG)"
fi
