"""The pytest plugin, loaded by the ``pytest11`` entry point: glue between pytest and a :class:`Run`.

Like pytest's own junitxml plugin, the module-level hooks add the options and build one
:class:`PreflightPlugin` per session, kept in ``config.stash``, registered, and unregistered by that same
handle; on an xdist worker it does nothing. It is inert until pytest collects a check module (ours, in
``snow_preflight.checks``, or a site's ``--sn-checks`` folder): other projects' sessions see no option
side effects, no network, no reports. The run itself (settings, snapshot, judging, reports) is
:mod:`snow_preflight.run`'s; the plugin only feeds it what pytest collects and judges.

The module-level hooks, the fixtures a check takes (``view``, ``evidence``) and the hand-off from the
command line live here; :class:`PreflightPlugin` is composed of its parts, each in its module: ``glue``
(the session's state and its run), ``collection`` (check modules, items, selection, order), ``judging``
(set-up, outcome, result) and ``ending`` (an interrupt, the reports and exit status, the summary).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from snow_preflight import hookspecs
from snow_preflight.judge.catalogue import Evidence
from snow_preflight.judge.loading import builtin_dir, check_locations
from snow_preflight.options import add_pytest_options
from snow_preflight.plugin.collection import Collection
from snow_preflight.plugin.ending import Ending
from snow_preflight.plugin.glue import EVIDENCE_KEY, PLUGIN_KEY
from snow_preflight.plugin.judging import Judging

if TYPE_CHECKING:
    from snow_preflight.run import Run

PYTEST_INI = Path(__file__).parents[1] / "pytest.ini"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_pytest_options(parser.getgroup("snow-preflight", "snow-preflight: ServiceNow / Rundeck pre-flight"))


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes the reports
        return
    plugin = PreflightPlugin(config)
    config.stash[PLUGIN_KEY] = plugin
    config.pluginmanager.register(plugin, "snow-preflight-run")


def pytest_unconfigure(config: pytest.Config) -> None:
    plugin = config.stash.get(PLUGIN_KEY, None)
    if plugin is not None:
        del config.stash[PLUGIN_KEY]
        plugin.close()
        config.pluginmanager.unregister(plugin)


class Handoff:
    """How ``snow-preflight`` hands its prepared :class:`Run` to the plugin: ``plugins=[Handoff(run)]``."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def pytest_snow_preflight_run(self, config: pytest.Config) -> Run:
        return self.run


def checklist_args(run: Run, extra: Sequence[str] = ()) -> list[str]:
    """Arguments that make pytest judge exactly the checklist, whatever the working directory holds."""
    checks = builtin_dir()
    dirs = [str(path) for path in check_locations(run.settings.checks_dirs)]  # ours, --checks, installed
    return [
        *dirs,
        "-c",
        str(PYTEST_INI),
        "--rootdir",
        str(checks),
        # -qq: no pytest summary line ("1 failed" under a GO); the console's verdict line counts instead.
        "-qq",
        "--no-header",
        "--tb=no",
        "-rN",
        *extra,
    ]


class PreflightPlugin(Collection, Judging, Ending):
    """One pytest session's glue to its :class:`Run`: collection, judging and the end, each in its module."""


@pytest.fixture
def view(request: pytest.FixtureRequest) -> Any:
    """The snapshot, as typed views that know what was verified."""
    return request.config.stash[PLUGIN_KEY].run.view


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """Where a check records what it saw, pass or fail."""
    found: Evidence = request.node.stash[EVIDENCE_KEY]
    return found
