"""Judging: each check's evidence and blocker set up, its outcome judged, its result kept by the run.

The outcome rules are :mod:`snow_preflight.judge.outcomes`'s; here they meet pytest: a blocked check or an
item that cannot be judged is skipped or could-not-verify before it runs, and every report of a check adds
one result to the run's tracker. The banner comes first, once collection has finished.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from snow_preflight.judge.catalogue import Evidence
from snow_preflight.judge.outcomes import Verdict, build_result, judge_call
from snow_preflight.plugin.glue import BLOCKER_KEY, EVIDENCE_KEY, Glue, param_of, spec_for
from snow_preflight.reports.model import Outcome


class Judging(Glue):
    """The hooks that judge: the banner, each check's set-up, its report, and how pytest shows it."""

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """The command's run is reading the instance already: meanwhile, make ready what comes after."""
        if self.handed:
            self.run.prepare()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """The banner, before any result: the instance, the login and the config file read (or none)."""
        if not self.active or self.problem is not None or self.config.option.collectonly:
            return
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        settings = self.run.settings
        if terminal is None or settings.quiet:
            return
        from snow_preflight.console import banner

        conn = settings.connection
        login = conn.username or conn.client_id or "(token)"
        terminal.write_line(banner(conn.base_url, login, settings.config_file, self.run.replayed_from))

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        spec = spec_for(item)
        if spec is None:
            return
        from snow_preflight.judge.views import Unavailable

        evidence = item.stash[EVIDENCE_KEY] = Evidence()
        blocker = self.run.tracker.blocker(spec, self.run.catalogue.specs)
        if blocker is not None:
            item.stash[BLOCKER_KEY] = blocker
            pytest.skip(blocker.reason)
        param = param_of(item, spec)
        if isinstance(param, Unavailable):
            if param.skip:
                pytest.skip(param.reason)
            from snow_preflight.errors import CannotVerify

            raise CannotVerify(param.reason, param.fix)
        if isinstance(item, pytest.Function):
            _hand_arguments(item, {"view": self.run.view, "evidence": evidence}, spec.each, param)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        spec = spec_for(item)
        if spec is None or report.when == "teardown" or (report.when == "setup" and report.passed):
            return report
        from snow_preflight.judge.views import Unavailable

        param = param_of(item, spec)
        # An Unavailable standing for unseen items has its own label ("unseen"); one for the whole list has none.
        label = (
            param.label if isinstance(param, Unavailable) else None if param is None else str(param) or None
        )
        evidence = item.stash.get(EVIDENCE_KEY, Evidence())
        if report.skipped:
            reason = str(getattr(call.excinfo.value, "msg", "")) if call.excinfo else ""
            verdict = Verdict(Outcome.SKIPPED, reason or "skipped")
        else:
            verdict = judge_call(spec, call.excinfo.value if call.excinfo else None, evidence)
        blocker = item.stash.get(BLOCKER_KEY, None)
        result = build_result(
            spec,
            label,
            verdict,
            evidence,
            facts=self.run.facts,
            blocker=blocker,
            duration_ms=report.duration * 1000,
        )
        self.run.tracker.add(spec, result, blocker)  # DuplicateResultError: an internal error, exit 3
        report.user_properties.append(("snow_preflight_outcome", result.outcome.value))
        return report

    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, str] | None:
        outcome = dict(getattr(report, "user_properties", ())).get("snow_preflight_outcome")
        status = ("error", "E", "ERROR") if outcome == "error" and report.when == "call" else None
        if not self.handed:
            return status
        # The command prints its own table: no progress letters (an "F" under a GO says nothing useful).
        if status is None:
            if report.when != "call" and report.passed:
                return "", "", ""
            status = ("error" if report.when != "call" else report.outcome, "", "")
        return status[0], "", ""


#: The module whose fixtures give a check its ``view`` and ``evidence``.
_FIXTURES_MODULE = "snow_preflight.plugin"


def _hand_arguments(item: pytest.Function, ours: dict[str, object], each: str | None, param: object) -> None:
    """Give a check the arguments our fixtures and its parametrisation would give it, before pytest does.

    pytest would set each one up through its fixture machinery (a request, a fixture definition and a set-up
    hook per argument, torn down again afterwards), which costs a run of a hundred items more than judging
    them does. Only what pytest would take from our fixtures is given (not a fixture of the same name that a
    conftest or module defines) with the same values; every other fixture is left to pytest.
    """
    # pytest's record of the fixtures an item uses; without it (another pytest), pytest sets them all up.
    defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", None)
    if not isinstance(defs, dict):
        return
    for name, value in ours.items():
        found = defs.get(name)
        if found and getattr(found[-1].func, "__module__", None) == _FIXTURES_MODULE:
            item.funcargs.setdefault(name, value)
    callspec = getattr(item, "callspec", None)
    if each is not None and callspec is not None and each in callspec.params:
        item.funcargs.setdefault(each, param)  # a direct parametrisation: pytest would hand the same value
    request = getattr(item, "_request", None)  # what pytest hands a fixture that asks for `request`
    if "request" in item.fixturenames and isinstance(request, pytest.FixtureRequest):
        item.funcargs.setdefault("request", request)
