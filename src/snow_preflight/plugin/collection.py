"""Collection: which files are check modules, how their ``check_*`` functions become tests, in what order.

Check modules are imported once, by the catalogue (:mod:`snow_preflight.judge.loading`), and pytest collects
their functions from that import: ours (``snow_preflight.checks``), a site's ``--sn-checks`` folders and
installed site checks, with no ``python_files`` pattern needed. A check of a list (``each=``) becomes one test
per item; ``--only``/``--skip`` deselect as ``-k`` does, and the checks run in checklist order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from snow_preflight.errors import PreflightError
from snow_preflight.judge.catalogue import spec_of
from snow_preflight.judge.loading import builtin_dir, check_locations
from snow_preflight.options import for_pytest
from snow_preflight.plugin.glue import PLUGIN_KEY, Glue, param_of, spec_for


class CheckPackage(pytest.Package):
    """Our checks package: collected like any package, but its ``__init__`` is no test module to import."""

    def setup(self) -> None:
        return None


class CheckModule(pytest.Module):
    """A check module: imported once by the catalogue, its ``check_*`` functions are the tests."""

    def _getobj(self) -> Any:
        plugin = self.config.stash[PLUGIN_KEY]
        return plugin.module_for(self.path)

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        if self.config.stash[PLUGIN_KEY].module_for(self.path) is None:
            return []  # the settings or the catalogue are unusable: a usage error once collection ends
        return list(super().collect())

    def funcnamefilter(self, name: str) -> bool:
        return name.startswith("check_")

    def classnamefilter(self, name: str) -> bool:
        return False

    def istestfunction(self, obj: object, name: str) -> bool:
        return spec_of(obj) is not None and super().istestfunction(obj, name)


class Collection(Glue):
    """The collection hooks: check modules found, parametrised by item, marked, selected and ordered."""

    def _check_dirs(self) -> set[Path]:
        if self._dirs is None:
            handed = self.config.hook.pytest_snow_preflight_run(config=self.config)
            given = handed.settings.checks_dirs if handed else self.config.getoption("sn_checks_dirs") or ()
            self._dirs = set(check_locations([Path(d) for d in given]))
        return self._dirs

    def is_check_file(self, path: Path) -> bool:
        if path.suffix != ".py" or path.name.startswith("_"):
            return False
        resolved = path.resolve()  # in a check folder, or an installed site check that is one module
        return resolved.parent in self._check_dirs() or resolved in self._check_dirs()

    def module_for(self, path: Path) -> Any:
        try:
            module = self.run.catalogue.module_for(path)
        except PreflightError as exc:
            self.problem = self.problem or exc
            return None
        return module

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> None:
        """The whole checklist includes the site's: ``--sn-checks`` folders and installed site checks.

        Only when the whole checklist was asked for (``--pyargs snow_preflight.checks`` or its folder): a
        path or module given on its own is a subset, and stays one.
        """
        args = self.config.args
        if not any(_is_whole_checklist(arg, self.config.option.pyargs) for arg in args):
            return
        given = [Path(folder) for folder in self.config.getoption("sn_checks_dirs") or ()]
        present = {Path(arg).resolve() for arg in args} | {builtin_dir()}
        args.extend(str(where) for where in check_locations(given) if where not in present)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collect_directory(self, path: Path, parent: pytest.Collector) -> pytest.Collector | None:
        if path.resolve() in self._check_dirs() and (path / "__init__.py").is_file():
            return CheckPackage.from_parent(parent, path=path)  # ours, or an installed site-checks package
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(
        self, module_path: Path, parent: pytest.Collector
    ) -> pytest.Module | None:
        return CheckModule.from_parent(parent, path=module_path) if self.is_check_file(module_path) else None

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
        """Check modules need no ``python_files`` pattern; those pytest takes anyway go through makemodule."""
        if not self.is_check_file(file_path) or parent.session.isinitpath(file_path):
            return None
        patterns = self.config.getini("python_files")
        if any(file_path.match(pattern) for pattern in patterns):
            return None
        return CheckModule.from_parent(parent, path=file_path)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        spec = spec_of(metafunc.function)
        if spec is None:
            return
        self.activate()
        if spec.each is None:
            return
        from snow_preflight.judge.views import Unavailable

        try:
            items = self.run.view.items(spec.each)
        except PreflightError as exc:
            self.problem = self.problem or exc
            items = Unavailable(str(exc))
        if not items:
            items = Unavailable(f"not applicable: there is no {spec.each} to check", skip=True)
        if isinstance(items, Unavailable):
            metafunc.parametrize(spec.each, [items], ids=["*"])
        else:
            metafunc.parametrize(spec.each, list(items), ids=[str(item) for item in items])

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        spec = spec_for(item)
        if spec is None:
            return
        self.activate()
        for name, about in ((spec.area, "checks of area"), (spec.severity.value, "checks of severity")):
            if name not in self._registered:  # once each: pytest scans the whole list on every addition
                self._registered.add(name)
                self.config.addinivalue_line("markers", f"{name}: snow-preflight {about} {name}")
            item.add_marker(name)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.problem is not None:
            cli = self.config.hook.pytest_snow_preflight_run(config=self.config) is not None  # handed a Run
            raise pytest.UsageError(
                f"snow-preflight: {self.problem if cli else for_pytest(str(self.problem))}"
            )
        if not self.active:
            return
        self._deselect(items)
        catalogue = self.run.catalogue
        order = {item: index for index, item in enumerate(items)}
        items.sort(
            key=lambda i: (*catalogue.order(s.id), order[i]) if (s := spec_for(i)) else (99, 0, order[i])
        )

    def _deselect(self, items: list[pytest.Item]) -> None:
        """``--only``/``--skip`` (by check id, result id or glob) deselect checks the way ``-k`` does."""
        settings = self.run.settings
        if not (settings.only or settings.skip):
            return
        from snow_preflight.judge.views import Unavailable

        kept: list[pytest.Item] = []
        dropped: list[pytest.Item] = []
        for item in items:
            spec = spec_for(item)
            param = param_of(item, spec) if spec else None
            label = None if param is None or isinstance(param, Unavailable) else str(param)
            chosen = spec is None or settings.selects(spec.id, f"{spec.id}[{label}]" if label else spec.id)
            (kept if chosen else dropped).append(item)
        if dropped:
            items[:] = kept
            self.config.hook.pytest_deselected(items=dropped)


def _is_whole_checklist(arg: str, pyargs: bool) -> bool:
    if pyargs and arg == "snow_preflight.checks":
        return True
    return "::" not in arg and Path(arg).resolve() == builtin_dir()
