#!/usr/bin/env bash
# Install the Debian packages the app and its tests need: Qt's xcb platform plugin libraries, fonts,
# and (unless --runtime) Xvfb + xauth, openbox and xdotool for the end-to-end tests, the
# desktop-file and AppStream validators, and binutils for the PyInstaller bundle.
#
# Idempotent: when every package is already installed (dpkg-query) it does nothing and touches no
# network. Otherwise it runs `apt-get update` + `apt-get install -y --no-install-recommends`, as root
# directly or through sudo. On a system without dpkg (not Debian/Ubuntu) it prints what it would need
# and exits 0, so a developer on another distribution can install the equivalents by hand.
#
# Usage: scripts/install-system-deps.sh [--runtime] [--list]
#   --runtime   only the libraries the app needs on a real desktop (no Xvfb, validators, binutils)
#   --list      print the package names and exit
set -euo pipefail

# Libraries PySide6-Essentials 6.11 (libQt6Core/Gui/Widgets/XcbQpa/DBus/OpenGL/Network and the xcb
# platform plugin) link against or load at run time. Checked on Debian 12 with
#   ldd .venv/lib/python3.11/site-packages/PySide6/Qt/{lib/libQt6*.so.6,plugins/platforms/libqxcb.so}
# mapped to packages with dpkg -S. The first group is the list from docs/architecture.md "Known hazards".
runtime_pkgs=(
    libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 libxcb-randr0
    libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
    fonts-dejavu-core
    # Not pulled in by anything above on a minimal Debian 12, but linked by Qt:
    libglib2.0-0      # libQt6Core (GLib event dispatcher) -- Qt cannot load at all without it
    libgssapi-krb5-2  # libQt6Network
    # Linked directly by libQt6XcbQpa / libQt6Gui; normally dependencies of the above, listed so the
    # contract does not hinge on Debian's dependency tree.
    libx11-6 libx11-xcb1 libxcb1 libxcb-glx0 libxcb-render0 libxcb-shm0 libxcb-sync1 libxcb-util1
    libxcb-xfixes0 libxkbcommon0 libfreetype6
)
test_pkgs=(
    xvfb xauth
    openbox xdotool               # a window manager and keyboard driver for the e2e window tests
    desktop-file-utils appstream  # desktop-file-validate, appstreamcli validate (tests/packaging)
    binutils                      # PyInstaller's objdump/strip (packaging/build.sh)
)

runtime_only=0
list_only=0
for arg in "$@"; do
    case "$arg" in
        --runtime) runtime_only=1 ;;
        --list) list_only=1 ;;
        -h | --help)
            sed -n '2,15p' "$0"
            exit 0
            ;;
        *)
            echo "install-system-deps: unknown argument: $arg" >&2
            exit 2
            ;;
    esac
done

pkgs=("${runtime_pkgs[@]}")
if [[ $runtime_only -eq 0 ]]; then
    pkgs+=("${test_pkgs[@]}")
fi

# Debian's own python3 cannot create a virtual environment until python3-venv is installed (no
# ensurepip); a pyenv or python.org build has it built in.
if ! "${PYTHON:-python3}" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    pkgs+=(python3-venv)
fi

if [[ $list_only -eq 1 ]]; then
    printf '%s\n' "${pkgs[@]}"
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: no dpkg/apt-get here; skipping. Install the equivalents of:" >&2
    echo "  ${pkgs[*]}" >&2
    exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$p")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-system-deps: all ${#pkgs[@]} Debian packages already installed"
    exit 0
fi

echo "install-system-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"

as_root=()
if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-system-deps: not root and no sudo; as root run:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
    # Without a terminal (CI, no stdin) sudo must not wait for a password that nobody can type.
    if [[ -t 0 ]]; then
        as_root=(sudo)
    else
        as_root=(sudo -n)
    fi
fi

# Retries ride out a flaky mirror; the lock timeout waits for a fresh machine's unattended-upgrades.
apt_opts=(-o Acquire::Retries=3 -o DPkg::Lock::Timeout=300)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq \
    --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" </dev/null

# Make sure the install really produced what we asked for (a held or renamed package fails loudly here).
still_missing=()
for p in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || still_missing+=("$p")
done
if [[ ${#still_missing[@]} -ne 0 ]]; then
    echo "install-system-deps: still missing after apt-get install: ${still_missing[*]}" >&2
    exit 1
fi
echo "install-system-deps: done"
