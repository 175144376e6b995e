"""The core never imports Qt (docs/architecture.md, "Layers").

In a fresh interpreter with PySide6, shiboken6 and pyqtgraph blocked by a meta path finder, import every
module of tracker.core, tracker.feeds, tracker.archive, tracker.watch, plus tracker.store and
tracker.paths. Any import error fails the test, and so does any *attempt* to import a blocked package,
even one the module catches (an optional Qt import is still a Qt import in the core). The static
contracts in pyproject.toml (tests/test_import_contracts.py) see every import statement; this sees
what actually runs, including imports a static graph cannot see (``importlib``, plugins).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHECK = textwrap.dedent(
    """
    import importlib
    import importlib.util
    import json
    import pkgutil
    import sys
    import traceback
    from pathlib import Path

    BLOCKED = ("PySide6", "shiboken6", "pyqtgraph")
    ROOT = str(Path(importlib.util.find_spec("tracker").submodule_search_locations[0]).resolve())
    attempts = []


    class BlockQt:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                importer = next(
                    (
                        f"{f.filename}:{f.lineno}"
                        for f in reversed(traceback.extract_stack()[:-1])
                        if str(Path(f.filename).resolve()).startswith(ROOT)
                    ),
                    "?",
                )
                attempts.append({"name": name, "from": importer})
                raise ImportError(f"{name} is blocked: the Qt-free core must not import it")
            return None


    sys.meta_path.insert(0, BlockQt())
    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED:
            raise SystemExit(f"{name} was imported before the blocker was installed")

    root = Path(ROOT)
    modules = ["tracker.paths"]
    if (root / "store.py").exists() or (root / "store" / "__init__.py").exists():
        modules.append("tracker.store")

    failures = {}


    def walk_error(name):
        failures[name] = traceback.format_exc()


    for package in ("tracker.core", "tracker.feeds", "tracker.archive", "tracker.watch"):
        modules.append(package)
        try:
            pkg = importlib.import_module(package)
        except Exception:
            failures[package] = traceback.format_exc()
            continue
        for info in pkgutil.walk_packages(pkg.__path__, package + ".", onerror=walk_error):
            modules.append(info.name)

    for name in modules:
        if name in failures:
            continue
        try:
            importlib.import_module(name)
        except BaseException:
            failures[name] = traceback.format_exc()

    print(json.dumps({"modules": modules, "failures": failures, "attempts": attempts}))
    """
)


def test_core_imports_without_qt() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"checker crashed (rc {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])

    modules = result["modules"]
    assert "tracker.paths" in modules
    assert any(m.startswith("tracker.core.") for m in modules), f"no core modules found: {modules}"
    assert "tracker.watch.night_jobs" in modules, f"the watch layer was not walked: {modules}"

    problems = [f"{name}:\n{tb}" for name, tb in result["failures"].items()]
    problems += [f"attempted import of {a['name']} from {a['from']}" for a in result["attempts"]]
    assert not problems, "Qt-free layers failed to import with Qt blocked:\n\n" + "\n\n".join(problems)
