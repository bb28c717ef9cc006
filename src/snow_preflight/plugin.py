"""The pytest plugin: options, fixtures, parametrisation, outcomes, reports and the gate.

Loaded by the top-level ``conftest.py``, by ``snow-preflight run`` (``-p snow_preflight.plugin``), or by anyone
driving pytest themselves. It does nothing unless check functions (``check_*`` declared with
:func:`snow_preflight.judge.catalogue.check`) are collected, so loading it beside other tests is harmless.

Like pytest's own junitxml plugin, one :class:`Preflight` object is built per session, kept in
``config.stash``, registered, and unregistered by that same handle.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from snow_preflight import __version__
from snow_preflight.judge.catalogue import CannotVerify, CatalogueError, CheckSpec, Evidence, spec_of, validate
from snow_preflight.errors import ConfigError
from snow_preflight.judge.outcomes import AREAS, ResultBuilder, Tracker
from snow_preflight.redaction import NULL, Redactor
from snow_preflight.settings import Settings, resolve
from snow_preflight.snapshot import Snapshot
from snow_preflight.judge.views import Unavailable, View

PREFLIGHT_KEY = pytest.StashKey["Preflight"]()
EVIDENCE_KEY = pytest.StashKey[Evidence]()

#: option dest → settings field. Secrets are better given through SN_* variables or the prompt.
OPTIONS: dict[str, tuple[str, str]] = {
    "sn_instance": ("base_url", "instance URL or name (acme → https://acme.service-now.com) [SN_HOST]"),
    "sn_username": ("username", "login user name [SN_USERNAME]"),
    "sn_password": ("password", "login password; prefer SN_PASSWORD, which no process list shows"),
    "sn_client_id": ("client_id", "OAuth client id [SN_CLIENT_ID]"),
    "sn_client_secret": ("client_secret", "OAuth client secret; prefer SN_CLIENT_SECRET"),
    "sn_ca_bundle": ("ca_bundle", "CA bundle (PEM) to verify the instance's TLS certificate"),
    "sn_timeout": ("timeout", "seconds to wait for each answer (default 10) [SN_TIMEOUT]"),
    "sn_expected_mid": ("expected_mid", "name of the MID Server the HTTP methods must use"),
    "sn_heartbeat_max_age": ("heartbeat_max_age_minutes", "minutes a MID heartbeat may be old (default 15)"),
    "sn_integration_user": ("integration_user", "a second account whose roles to check"),
    "sn_report_dir": ("report_dir", "where report.json, report.html and junit.xml go"),
    "sn_fail_on": ("fail_on", "lowest severity that fails the gate: critical|high|medium|low|info"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("snow-preflight", "snow-preflight: ServiceNow / Rundeck pre-flight checks")
    for dest, (_field, help_text) in OPTIONS.items():
        group.addoption("--" + dest.replace("_", "-"), dest=dest, default=None, help=help_text)
    group.addoption("--sn-config", dest="sn_config", default=None, help="TOML config file (no secrets)")
    group.addoption(
        "--sn-bundle",
        dest="sn_bundle",
        action="store_true",
        default=None,
        help="also write a redacted support bundle (zip) into the report directory",
    )


def pytest_configure(config: pytest.Config) -> None:
    preflight = Preflight(config)
    config.stash[PREFLIGHT_KEY] = preflight
    config.pluginmanager.register(preflight, "preflight-session")


def pytest_unconfigure(config: pytest.Config) -> None:
    preflight = config.stash.get(PREFLIGHT_KEY, None)
    if preflight is not None:
        del config.stash[PREFLIGHT_KEY]
        config.pluginmanager.unregister(preflight)


class Preset:
    """Settings (and optionally a snapshot to replay) handed to the plugin by ``snow-preflight``.

    Passed as ``pytest.main(args, plugins=[preset])``; after the run, ``preset.report`` holds the result.
    """

    def __init__(self, settings: Settings, snapshot: Snapshot | None = None) -> None:
        self.settings = settings
        self.snapshot = snapshot
        self.report: Any = None
        self.written: dict[str, Path] = {}


class Preflight:
    """State of one pytest session that runs checks."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.preset = next((p for p in config.pluginmanager.get_plugins() if isinstance(p, Preset)), None)
        self._settings: Settings | None = self.preset.settings if self.preset else None
        self._snapshot: Snapshot | None = self.preset.snapshot if self.preset else None
        self.tracker = Tracker()
        self.started = datetime.now(UTC)
        self.started_clock = time.monotonic()
        self.active = False
        self._view: View | None = None
        self.written: dict[str, Path] = {}
        self.write_error: str | None = None
        self.redactor: Redactor = self._settings.connection.redactor() if self._settings else NULL

    # -- lazy inputs ----------------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            option = self.config.getoption
            flags = {field: option(dest) for dest, (field, _) in OPTIONS.items()}
            flags["bundle"] = option("sn_bundle")
            config_file = option("sn_config")
            try:
                self._settings = resolve(flags, config_path=Path(config_file) if config_file else None)
            except ConfigError as exc:
                raise pytest.UsageError(f"snow-preflight: {exc}") from None
        return self._settings

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            from snow_preflight.servicenow.client import ServiceNowClient
            from snow_preflight.snapshot import collect

            try:
                with ServiceNowClient(self.settings.connection) as client:
                    self._snapshot = collect(client, self.settings, tool_version=__version__)
                    # It also knows the OAuth tokens fetched during the run.
                    self.redactor = client.redactor
            except ConfigError as exc:
                raise pytest.UsageError(f"snow-preflight: {exc}") from None
        return self._snapshot

    @property
    def view(self) -> View:
        if self._view is None:
            self._view = View(self.snapshot, self.settings.expect)
        return self._view

    # -- collection -----------------------------------------------------------------------------------

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        spec = spec_of(metafunc.function)
        if spec is None or spec.each is None:
            return
        self.active = True
        items = ITEMS[spec.each](self.view)
        if not items:
            items = Unavailable(f"not applicable: there is no {spec.each} to check", skip=True)
        if isinstance(items, Unavailable):
            metafunc.parametrize(spec.each, [items], ids=["*"])
        else:
            metafunc.parametrize(spec.each, items, ids=[str(item) for item in items])

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        checks = [item for item in items if isinstance(item, pytest.Function) and spec_of(item.function)]
        if not checks:
            return
        self.active = True
        functions = {item.function for item in checks if isinstance(item, pytest.Function)}
        try:
            validate(sorted(functions, key=lambda fn: fn.__name__))
        except CatalogueError as exc:
            raise pytest.UsageError(str(exc)) from None
        order = {item: index for index, item in enumerate(items)}
        items.sort(key=lambda item: (_area_rank(item), order[item]))

    # -- running --------------------------------------------------------------------------------------

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        spec = _spec(item)
        if spec is None:
            return
        item.stash[EVIDENCE_KEY] = Evidence()
        blocker = self.tracker.blocker(spec)
        if blocker is not None:
            pytest.skip(blocker)
        param = _param(item, spec)
        if isinstance(param, Unavailable):
            if param.skip:
                pytest.skip(param.reason)
            raise CannotVerify(param.reason)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        spec = _spec(item)
        if spec is None or report.when == "teardown" or (report.when == "setup" and report.passed):
            return report
        builder = ResultBuilder(spec, _param(item, spec), self.view if self._snapshot else None)
        result = builder.build(report, call, item.stash.get(EVIDENCE_KEY, Evidence()))
        report.user_properties.append(("preflight_outcome", result.outcome.value))
        self.tracker.add(spec, result)
        return report

    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, str] | None:
        outcome = dict(getattr(report, "user_properties", ())).get("preflight_outcome")
        if outcome == "error" and report.when == "call":
            return "error", "E", "ERROR"
        return None

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.active or self._snapshot is None:
            return
        from snow_preflight.finish import finish

        report, written, go = finish(self)
        if self.preset is not None:
            self.preset.report = report
            self.preset.written = written
        self.written = written
        if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = pytest.ExitCode.OK if go else pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.active or self._snapshot is None:
            return
        from snow_preflight.console import summary

        lines = summary(self.tracker.results, self.settings.fail_on, self.written, self.write_error)
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def view(request: pytest.FixtureRequest) -> View:
    """The snapshot, as typed views."""
    return request.config.stash[PREFLIGHT_KEY].view


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """Where a check records what it saw, pass or fail."""
    evidence: Evidence = request.node.stash[EVIDENCE_KEY]
    return evidence


def _roles(view: View) -> Sequence[object] | Unavailable:
    return list(view.expect.required_roles)


def _integration_roles(view: View) -> Sequence[object] | Unavailable:
    if view.expect.integration_user:
        return list(view.expect.required_roles)
    return Unavailable("no integration user named (--sn-integration-user)", skip=True)


def _methods(view: View) -> Sequence[object] | Unavailable:
    return view.method_items()


def _mids(view: View) -> Sequence[object] | Unavailable:
    return view.mid_items()


# Items of parametrised checks: the check's argument name → the items, from the view.
ITEMS: dict[str, Callable[[View], Sequence[object] | Unavailable]] = {
    "role": _roles,
    "integration_role": _integration_roles,
    "method": _methods,
    "mid": _mids,
}


def _spec(item: pytest.Item) -> CheckSpec | None:
    return spec_of(item.function) if isinstance(item, pytest.Function) else None


def _param(item: pytest.Item, spec: CheckSpec) -> Any:
    if spec.each is None or not isinstance(item, pytest.Function):
        return None
    return item.callspec.params.get(spec.each) if hasattr(item, "callspec") else None


def _area_rank(item: pytest.Item) -> int:
    spec = _spec(item)
    return AREAS.index(spec.area) if spec and spec.area in AREAS else len(AREAS)


__all__ = ["CannotVerify", "Preflight", "Preset"]
