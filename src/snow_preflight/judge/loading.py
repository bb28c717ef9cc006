"""The checklist: our check modules, a site's (``--checks DIR``, or packages in the entry point group
``snow_preflight.checks``), each imported once, validated once as a whole.

An entry point names a package, whose modules (those not starting with ``_``) are check modules, as in our
own ``snow_preflight.checks`` and in a ``--checks`` folder; or it names one check module.

Selecting a subset (a file, ``-k``, ``-m``) never changes what is validated, so a subset is never an
"invalid catalogue", and a prerequisite that was not selected can still be judged (see
:mod:`snow_preflight.judge.outcomes`).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import pkgutil
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from snow_preflight.errors import CatalogueError
from snow_preflight.judge.catalogue import CheckSpec, spec_of, validate
from snow_preflight.reads import BUILTIN_READS, Read

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

BUILTIN_PACKAGE = "snow_preflight.checks"
ENTRY_POINT_GROUP = "snow_preflight.checks"
#: Areas in the order they run and are listed: a later area's checks may depend on an earlier one's.
AREAS = ("instance", "app", "roles", "mid", "rest", "delivery", "rundeck")


def builtin_dir() -> Path:
    """Where our check modules are (a source tree's ``checks/`` when installed in editable mode)."""
    checks = importlib.import_module(BUILTIN_PACKAGE)
    return Path(str(checks.__file__)).resolve().parent


def check_locations(site_dirs: Sequence[Path] = ()) -> list[Path]:
    """Where check modules live, found without importing any: our folder, each ``--checks`` folder, and
    each installed site-checks package's folder (or a single check module's file)."""
    found = [builtin_dir(), *(Path(d).resolve() for d in site_dirs)]
    for point in _entry_points():
        try:
            spec = importlib.util.find_spec(point.module)
        except (ImportError, ValueError):  # load_catalogue imports it and says what is wrong
            continue
        if spec is not None and spec.submodule_search_locations:
            found += [Path(p).resolve() for p in spec.submodule_search_locations]
        elif spec is not None and spec.origin:
            found.append(Path(spec.origin).resolve())
    return list(dict.fromkeys(found))


@dataclass
class Catalogue:
    """Every check, by id, and the module each file was imported as."""

    specs: dict[str, CheckSpec]
    functions: dict[str, Callable[..., None]]
    modules: dict[Path, ModuleType] = field(default_factory=dict)

    def module_for(self, path: Path) -> ModuleType | None:
        return self.modules.get(path.resolve())

    def reads(self) -> tuple[Read, ...]:
        """Reads the checks declare beyond the built-in plan, once each, in checklist order."""
        seen: dict[str, Read] = {}
        for spec in self.specs.values():
            for read in spec.reads:
                if read.name in BUILTIN_READS:
                    raise CatalogueError(
                        f"invalid check catalogue: {spec.id} ({spec.module}) declares a read named "
                        f"{read.name!r}, the name of a built-in read; give it a name of its own"
                    )
                if seen.setdefault(read.name, read) != read:
                    raise CatalogueError(
                        f"invalid check catalogue: {spec.id} ({spec.module}) declares a read named "
                        f"{read.name!r} that differs from another check's read of that name; give one of "
                        "them another name"
                    )
        return tuple(seen.values())

    def order(self, check_id: str) -> tuple[int, int]:
        spec = self.specs[check_id]
        area = AREAS.index(spec.area) if spec.area in AREAS else len(AREAS)
        return area, list(self.specs).index(check_id)


def load_catalogue(
    site_dirs: Sequence[Path] = (), item_kinds: Iterable[str] = (), entry_points: bool = True
) -> Catalogue:
    """Import every check module and validate the whole checklist; :class:`CatalogueError` if invalid."""
    modules: dict[Path, ModuleType] = {}
    checks = importlib.import_module(BUILTIN_PACKAGE)
    for info in sorted(pkgutil.iter_modules(checks.__path__), key=lambda i: _builtin_rank(i.name)):
        module = importlib.import_module(f"{BUILTIN_PACKAGE}.{info.name}")
        modules[Path(str(module.__file__)).resolve()] = module
    dirs = tuple(_site_dir(d) for d in site_dirs)
    for directory in dirs:
        for path in sorted(directory.glob("*.py")):
            if not path.name.startswith("_"):
                modules[path.resolve()] = _import_file(path)
    if entry_points:
        for module in _entry_point_modules():
            modules.setdefault(Path(str(module.__file__)).resolve(), module)
    functions = [fn for module in modules.values() for fn in _check_functions(module)]
    specs = validate(functions, item_kinds)
    by_id = {spec_of(fn).id: fn for fn in functions if spec_of(fn)}  # type: ignore[union-attr]
    catalogue = Catalogue(specs=specs, functions=by_id, modules=modules)
    catalogue.reads()  # two checks declaring different reads under one name: invalid before any site read
    return catalogue


def _builtin_rank(name: str) -> tuple[int, str]:
    return (AREAS.index(name) if name in AREAS else len(AREAS), name)


def _site_dir(directory: Path) -> Path:
    if not directory.is_dir():
        raise CatalogueError(f"--checks {directory}: no such folder of check modules")
    return directory.resolve()


def _check_functions(module: ModuleType) -> list[Callable[..., Any]]:
    """The module's own ``check_*`` functions (not ones it imported from elsewhere)."""
    return [
        obj
        for name, obj in vars(module).items()
        if name.startswith("check_") and callable(obj) and getattr(obj, "__module__", None) == module.__name__
    ]


def _import_file(path: Path) -> ModuleType:
    """Import a site's check module under a name of its own, so it can never shadow a package."""
    digest = hashlib.sha256(str(path.parent.resolve()).encode()).hexdigest()[:8]
    name = f"snow_preflight_site_{digest}.{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a loader
        raise CatalogueError(f"{path}: cannot be imported as a check module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        raise CatalogueError(
            f"{path} cannot be imported (line {frame.lineno}): {type(exc).__name__}: {exc}"
        ) from None
    return module


@functools.cache
def _entry_points() -> tuple[EntryPoint, ...]:
    """The installed site checks (looked up once: the run and the pytest plugin both ask)."""
    from importlib.metadata import entry_points

    return tuple(entry_points(group=ENTRY_POINT_GROUP))


def _entry_point_modules() -> list[ModuleType]:
    """The check modules of every installed site-checks package (or the check module an entry names)."""
    modules = []
    for point in _entry_points():
        try:
            module = importlib.import_module(point.module)
            if hasattr(module, "__path__"):  # a package: its public modules are the check modules
                infos = sorted(pkgutil.iter_modules(module.__path__), key=lambda i: i.name)
                names = [f"{point.module}.{i.name}" for i in infos if not i.name.startswith("_")]
                modules += [importlib.import_module(name) for name in names]
            else:
                modules.append(module)
        except Exception as exc:
            raise CatalogueError(
                f"site checks {point.name} = {point.value} (entry point group {ENTRY_POINT_GROUP}) cannot be "
                f"imported: {type(exc).__name__}: {exc}; fix the package, or uninstall it "
                f"(pip uninstall {point.dist.name if point.dist else point.module})"
            ) from None
    return modules
