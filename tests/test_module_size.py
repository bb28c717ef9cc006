"""Modules stay under about 300 lines (the house style): past that, a module is split by concept.

Every module of the installed package is measured, ``checks/`` and ``reports/`` through the links that map
them into ``src/snow_preflight``. The limit leaves a little room above 300, so a module near it can take a
small fix without a split; one that grows past :data:`LIMIT` fails here, and the failure names it.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "snow_preflight"
LIMIT = 320


def python_modules(package: Path = PACKAGE) -> list[Path]:
    """Every ``.py`` file under *package*, following links, each by its real path (no link counted twice)."""
    found: set[Path] = set()
    for directory, _, files in os.walk(package, followlinks=True):
        if "__pycache__" not in Path(directory).parts:
            found.update((Path(directory) / name).resolve() for name in files if name.endswith(".py"))
    return sorted(found)


def oversized(modules: list[Path], limit: int = LIMIT) -> list[str]:
    """One line per module of more than *limit* lines: its path (from the repository when inside it), its length."""
    found = []
    for module in modules:
        lines = len(module.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            where = module.relative_to(ROOT) if module.is_relative_to(ROOT) else module
            found.append(f"{where}: {lines} lines")
    return found


def test_every_part_of_the_package_is_measured() -> None:
    """The measure reaches the engine, the simulator, the checks and the reports, by their real folders."""
    modules = python_modules()
    assert PACKAGE / "run" / "__init__.py" in modules
    assert PACKAGE / "simulator" / "server.py" in modules
    assert ROOT / "checks" / "rest.py" in modules
    assert ROOT / "reports" / "model.py" in modules


def test_no_module_grows_past_the_limit() -> None:
    """No module of the package is longer than LIMIT lines: past about 300, it is split by concept."""
    found = oversized(python_modules())
    assert not found, f"split these modules by concept (at most {LIMIT} lines each):\n" + "\n".join(found)


def test_a_module_past_the_limit_is_caught(tmp_path: Path) -> None:
    """A module one line past the limit is named with its length; one at the limit is not."""
    at_limit, past_limit = tmp_path / "at.py", tmp_path / "past.py"
    at_limit.write_text("x = 1\n" * LIMIT, encoding="utf-8")
    past_limit.write_text("x = 1\n" * (LIMIT + 1), encoding="utf-8")
    assert oversized(python_modules(tmp_path)) == [f"{past_limit.resolve()}: {LIMIT + 1} lines"]
