"""The layers hold: ``lint-imports`` keeps every contract of pyproject.toml's ``[tool.importlinter]``.

The contracts are docs/architecture.md's rules made checkable: every import runs downward (cli, the
shell, the watch layer, the archive, feeds and store, the core, paths), no Qt below the shell, and
no import cycle between the modules of any package. Running them here puts them in the README's
test command and so in CI: a back edge fails the build, with import-linter's report of the chain.

A second test proves the contracts can fail: on a copy of the package with one upward import, one
Qt import in the watch layer and one cycle planted, each contract must be reported broken.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: The venv's own executable (beside this interpreter), not whatever ``lint-imports`` is on PATH.
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = (
    "Every import runs downward",
    "No Qt below the shell",
    "No import cycle between the modules",
)


def _lint(cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_import_contract_is_kept() -> None:
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} is missing: install the test extra (import-linter)"
    proc = _lint(REPO, REPO / "pyproject.toml")
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"an import contract is broken:\n{report}"
    for name in CONTRACTS:
        assert name in report, f"contract {name!r} did not run:\n{report}"
    assert "0 broken" in report, report


def test_the_contracts_catch_a_back_edge_qt_and_a_cycle(tmp_path: Path) -> None:
    copy = tmp_path / "tracker"
    shutil.copytree(REPO / "tracker", copy, ignore=shutil.ignore_patterns("__pycache__"))
    # An upward import: the core reaching into the archive.
    errors = copy / "core" / "errors.py"
    errors.write_text(
        errors.read_text(encoding="utf-8") + "\nimport tracker.archive.night\n", encoding="utf-8"
    )
    # Qt in the watch layer.
    ports = copy / "watch" / "ports.py"
    ports.write_text(ports.read_text(encoding="utf-8") + "\nimport PySide6.QtCore\n", encoding="utf-8")
    # A cycle between two feeds modules (both in one layer, so only the acyclic contract sees it).
    gasos = copy / "feeds" / "gasos.py"
    gasos.write_text(
        gasos.read_text(encoding="utf-8") + "\nimport tracker.feeds.registry\n", encoding="utf-8"
    )
    registry = copy / "feeds" / "registry.py"
    registry.write_text(
        registry.read_text(encoding="utf-8") + "\nimport tracker.feeds.gasos\n", encoding="utf-8"
    )

    proc = _lint(tmp_path, REPO / "pyproject.toml")
    report = proc.stdout + proc.stderr
    assert proc.returncode != 0, report
    assert "3 broken" in report, report
    assert "tracker.core.errors -> tracker.archive.night" in report, report
    assert "tracker.watch.ports -> PySide6" in report, report
