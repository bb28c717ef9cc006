"""One run's lifecycle: settings → collect → judge → result model → render → write.

:class:`Run` owns a run from start to finish; the pytest plugin (:mod:`snow_preflight.plugin`) is glue that
feeds it what pytest collects and judges. The command line builds the :class:`Run` and hands it to the
plugin through the ``pytest_snow_preflight_run`` hook (:mod:`snow_preflight.hookspecs`); a person driving
pytest directly gets one built from the ``--sn-*`` options.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import nullcontext, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from snow_preflight import __version__
from snow_preflight.errors import ReportWriteError
from snow_preflight.interrupts import cause_of, clear_earlier_reports, sigterm_as_interrupt
from snow_preflight.judge.catalogue import Evidence
from snow_preflight.judge.loading import Catalogue, load_catalogue
from snow_preflight.redaction import Redactor
from snow_preflight.settings import Settings, resolve
from snow_preflight.snapshot import Snapshot

# The result model and the judging rules are imported when first used, not with this module: the command
# line imports it before the instance is read, and the wave of reads should not wait for them.
if TYPE_CHECKING:
    from snow_preflight.console import WaitNotice
    from snow_preflight.judge.views import View
    from snow_preflight.reports.model import CheckResult, RunReport
    from snow_preflight.simulator import Simulator

#: Exit statuses, as pytest's (0-5); documented in the README and in ``--help``.
GO, NO_GO, INTERRUPTED, INTERNAL_ERROR, USAGE_ERROR, NOTHING_JUDGED = 0, 1, 2, 3, 4, 5


def _item_kinds() -> tuple[str, ...]:
    from snow_preflight.judge.views import ITEM_KINDS

    return tuple(ITEM_KINDS)


class Run:
    """Everything one run knows: its settings, its snapshot, its results, what it wrote."""

    def __init__(
        self,
        settings: Settings,
        snapshot: Snapshot | Future[Snapshot] | None = None,
        *,
        replayed_from: str | None = None,
        catalogue: Catalogue | None = None,
        front_end: str = "cli",
        name: str | None = None,
    ) -> None:
        self.settings = settings
        self.front_end = front_end  # "cli" or "pytest": the flags a message may name
        self.name = name  # the instance's name in a fleet (snow_preflight.fleet); waivers may name it
        self._snapshot = snapshot
        self.replayed_from = replayed_from
        self.started = datetime.now(UTC)
        self._clock = time.monotonic()
        self._catalogue = catalogue
        self._view: View | None = None
        self.redactor: Redactor = settings.redactor()  # the instance's secrets and Rundeck's token
        from snow_preflight.judge.outcomes import Tracker

        self.tracker = Tracker(self._judge_aside)
        self.report: RunReport | None = None
        self.written: dict[str, Path] = {}

    # -- inputs, each made once, when first needed ---------------------------------------------------

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = load_catalogue(self.settings.checks_dirs, _item_kinds())
        return self._catalogue

    @property
    def snapshot(self) -> Snapshot:
        """The instance as read in one wave (read now, unless it was read early or replayed)."""
        if isinstance(self._snapshot, Future):
            self._snapshot = self._snapshot.result()
        if self._snapshot is None:
            self._snapshot = read_instance(self.settings, self.catalogue)
        return self._snapshot

    @property
    def view(self) -> View:
        if self._view is None:
            from snow_preflight.judge.views import View

            self._view = View(self.snapshot, self.settings.expect)
        return self._view

    @property
    def facts(self) -> dict[str, Any]:
        """Facts every remediation step may use."""
        return {"instance": self.snapshot.instance, "login": self.snapshot.login}

    # -- judging ---------------------------------------------------------------------------------------

    def _judge_aside(self, check_id: str) -> CheckResult:
        """Judge a prerequisite that was not selected, outside pytest, so its dependants are judged fairly."""
        from snow_preflight.judge.outcomes import build_result, judge_call

        spec = self.catalogue.specs[check_id]
        evidence = Evidence()
        error: BaseException | None = None
        try:
            self.catalogue.functions[check_id](view=self.view, evidence=evidence)
        except Exception as exc:  # the outcome rules decide what it means, as inside pytest
            error = exc
        return build_result(spec, None, judge_call(spec, error, evidence), evidence, facts=self.facts)

    @property
    def results(self) -> list[CheckResult]:
        """What this run judged, in checklist order: the selected checks and any prerequisite judged aside.

        A prerequisite judged aside counts like any result: a subset whose checks were all skipped because
        the app is inactive must read NO-GO, as the whole checklist would, never GO.
        """
        selected = self.tracker.results
        ids = {result.id for result in selected}
        aside = [result for result in self.tracker.judged_aside if result.id not in ids]
        if not aside:
            return list(selected)
        order = self.catalogue.order
        return sorted([*selected, *aside], key=lambda result: order(result.check))

    @property
    def not_run(self) -> list[str]:
        """Checks of the checklist with no result: deselected (-k, -m, a path, --only) or never reached."""
        judged = {result.check for result in self.results}
        return [check_id for check_id in self.catalogue.specs if check_id not in judged]

    # -- the end ---------------------------------------------------------------------------------------

    def result_model(self) -> RunReport:
        """The run's result model, with every known secret redacted."""
        import platform

        from snow_preflight.reports.model import RunInfo, RunReport, count, verdict

        settings, snapshot = self.settings, self.snapshot
        results = self.results
        started = snapshot.taken_at if self.replayed_from else self.started
        run = RunReport(
            run=RunInfo(
                instance=snapshot.instance,
                login=snapshot.login,
                tool_version=__version__,
                started_at=started,
                duration_s=round(time.monotonic() - self._clock, 3),
                gate=settings.fail_on,
                verdict=verdict(results, settings.fail_on),
                counts=count(results),
                python=platform.python_version(),
                platform=platform.platform(terse=True),
                not_run=self.not_run,
                replayed_from=self.replayed_from,
                **self.provenance(),
            ),
            results=results,
            exchanges=snapshot.exchanges,
        )
        from snow_preflight.waivers import settle

        run = settle(run, settings.waivers, self.name)  # accepted findings keep their outcome, not the gate
        if settings.baseline is not None:
            from snow_preflight.diff import with_baseline

            run = with_baseline(run, settings.baseline)  # what changed since the earlier run
        return RunReport.model_validate(self.redactor.data(run.model_dump(mode="json")))

    def provenance(self) -> dict[str, Any]:
        """Who ran this run, where, and with what expectations: the Run section of every report."""
        from snow_preflight import provenance

        settings, expect = self.settings, self.settings.expect
        return {
            "os_user": provenance.os_user(),
            "host": provenance.host(),
            "ci_job_url": provenance.ci_job_url(os.environ),
            "config_file": str(settings.config_file) if settings.config_file else None,
            "expected": {
                "app_scope": expect.app_scope,
                "rest_message": expect.rest_message,
                "required_roles": list(expect.required_roles),
                "expected_mid": expect.expected_mid,
                "heartbeat_max_age_minutes": expect.heartbeat_max_age_minutes,
                "integration_user": expect.integration_user,
            },
            "junit_below_gate": settings.junit_below_gate,
        }

    def finish(self) -> RunReport:
        """Build the result model and write the reports (and the bundle when asked).

        Raises :class:`ReportWriteError` when they could not be written: a GO without ``junit.xml`` must
        never happen, so the caller turns it into a failed run.
        """
        from snow_preflight.reports.writer import write_reports

        report = self.report = self.result_model()
        settings = self.settings
        try:
            self.written = write_reports(report, settings.report_dir, self.redactor)
            if settings.bundle:
                from snow_preflight.bundle import write_bundle

                self.written["bundle"] = write_bundle(report, self.snapshot, settings, self.redactor)
        except OSError as exc:
            from snow_preflight.options import flag_for
            from snow_preflight.reports import FORMATS

            # The writer removed what it had written: no report.json may say GO beside a missing junit.xml.
            flag = flag_for("report_dir", self.front_end)
            failed = Path(exc.filename2 or exc.filename or "").name  # the report's name, not the temp file's
            where = f"{failed}: " if failed in {fmt.filename for fmt in FORMATS} else ""
            raise ReportWriteError(
                f"reports not written to {settings.report_dir}: {where}{exc.strerror or exc}; choose a "
                f"writable folder with {flag}"
            ) from None
        return report

    def interrupted(self, cause: str = "") -> str:
        """Remove our own earlier reports, so nothing in the report folder looks current; the line to show."""
        return clear_earlier_reports(self.settings.report_dir, cause)

    @property
    def go(self) -> bool:
        from snow_preflight.reports.model import Verdict

        return self.report is not None and self.report.run.verdict is Verdict.GO


def read_instance(
    settings: Settings, catalogue: Catalogue | None = None, notice: WaitNotice | None = None
) -> Snapshot:
    """Read the instance in one parallel wave (the built-in reads plus those the checks declare).

    *notice* says on stderr what a long wait is for (default: one writing to ``sys.stderr`` as it is now).
    """
    from snow_preflight.console import WAIT_NOTICE_AFTER, WaitNotice
    from snow_preflight.servicenow.client import ServiceNowClient
    from snow_preflight.snapshot import collect

    notice = notice or WaitNotice()
    extra = catalogue.reads() if catalogue is not None else ()
    conn = settings.connection
    # One line on stderr when the wave waits: the transport reports Retry-After and backoff sleeps, and a
    # watchdog speaks for answers slower than WAIT_NOTICE_AFTER, unless a wait was announced already.
    started = time.monotonic()
    host = urlsplit(conn.base_url).netloc or conn.base_url

    def slow() -> None:
        if not notice.announced():
            left = conn.time_budget - (time.monotonic() - started)
            notice(f"{host} to answer (--timeout {conn.timeout:g} s per answer)", left, at_most=True)

    watchdog = threading.Timer(WAIT_NOTICE_AFTER, slow)
    watchdog.daemon = True
    watchdog.start()
    try:
        with ServiceNowClient(conn, on_wait=notice) as client:
            return collect(client, settings, tool_version=__version__, extra=extra)
    finally:
        watchdog.cancel()


def read_early(settings: Settings, catalogue: Catalogue) -> Future[Snapshot]:
    """Start reading the instance in a background thread; the future holds the snapshot or the error.

    The reads need only the settings and the catalogue, not pytest: sent first, the wave is in flight
    while pytest starts, so a run costs little more than its one round trip. Whatever the thread raises
    is raised again where the snapshot is first used, exactly as a read made then would raise it.
    """
    from snow_preflight.console import WaitNotice, terminal_stderr

    future: Future[Snapshot] = Future()
    future.set_running_or_notify_cancel()
    # Made here, before pytest starts capturing stderr, so a wait line reaches the person at the terminal.
    notice = WaitNotice(terminal_stderr())

    def read() -> None:
        try:
            future.set_result(read_instance(settings, catalogue, notice))
        except BaseException as exc:  # handed over whole, to be raised in the judging thread
            future.set_exception(exc)

    # A daemon: a run that stops before judging (a usage error in collection) does not wait for the wave.
    threading.Thread(target=read, name="snow-preflight-read", daemon=True).start()
    return future


@dataclass
class RunOutcome:
    exit_code: int
    report: RunReport | None
    written: dict[str, Path] = field(default_factory=dict)


def run_checklist(
    settings: Settings,
    snapshot: Snapshot | Future[Snapshot] | None = None,
    extra: Sequence[str] = (),
    *,
    replayed_from: str | None = None,
) -> RunOutcome:
    """Run the checklist in pytest against *settings*' instance (or *snapshot*, offline).

    The wave of reads goes out before pytest is even imported (see :func:`read_early`), and what the end
    of the run needs is prepared while the instance answers, so a run costs little more than its one
    round trip. An invalid catalogue (ours or a site's) sends nothing: its CatalogueError reaches the
    command line, which says why in one line (exit 4).
    """
    catalogue = load_catalogue(settings.checks_dirs, _item_kinds())
    if snapshot is None:
        snapshot = read_early(settings, catalogue)
    run = Run(settings, snapshot, replayed_from=replayed_from, catalogue=catalogue)
    return RunOutcome(judge(run, extra), run.report, run.written)


def judge(run: Run, extra: Sequence[str] = ()) -> int:
    """Judge *run* in one in-process pytest session, which finishes it (``Run.finish``); its exit status.

    A fleet (:mod:`snow_preflight.fleet`) calls it once per instance, each with a :class:`Run` of its own.
    """
    import pytest

    from snow_preflight.plugin import Handoff, checklist_args
    from snow_preflight.startup import PYTEST_PLUGINS, collector_spared, only_our_plugins, prepare_reports

    prepare_reports()
    # --format json: stdout is the script's, for the one JSON summary; whatever pytest prints goes to stderr.
    terminal = redirect_stdout(sys.stderr) if run.settings.output_format == "json" else nullcontext()
    with only_our_plugins(), collector_spared(), terminal:
        return int(pytest.main([*PYTEST_PLUGINS, *checklist_args(run, extra)], plugins=[Handoff(run)]))


def simulator_settings(sim: Simulator, **flags: Any) -> Settings:
    """Settings that log in to a running simulator as its demo login; SN_* variables are ignored."""
    config_path = flags.pop("config_path", None)
    creds = sim.credentials
    base = {"base_url": sim.url, "username": creds["username"], "password": creds["password"]}
    return resolve(base | flags, environ={}, config_path=config_path)


def replay_bundle(
    bundle: Path, changes: dict[str, Any] | None = None, extra: Sequence[str] = ()
) -> RunOutcome:
    """Re-judge the snapshot in a support bundle with the current checklist, with no network.

    *changes* override the bundle's settings (``report_dir``, ``fail_on``, ``checks_dirs``).
    """
    from snow_preflight.bundle import read_bundle

    settings, snapshot = read_bundle(bundle)
    changes = {"report_dir": Path("preflight-replay"), **(changes or {}), "bundle": False}
    replay = Settings.model_validate(settings.model_dump() | changes)
    return run_checklist(replay, snapshot, extra, replayed_from=bundle.name)


def interrupted_before_judging(settings: Settings, cause: str = "") -> int:
    """Ctrl-C or SIGTERM outside pytest (during the early read): the same clean-up and one line, exit 2."""
    print(clear_earlier_reports(settings.report_dir, cause), file=sys.stderr, flush=True)
    return INTERRUPTED


def interruptible(settings: Settings, body: Callable[[], int]) -> int:
    """*body*'s exit status, with SIGTERM handled like Ctrl-C and either ending the run with exit 2.

    The command line wraps each run in it: an interrupt inside pytest is the plugin's to report; one
    before pytest starts (while the instance is read) or after it ends reaches here.
    """
    try:
        with sigterm_as_interrupt():
            return body()
    except KeyboardInterrupt as interrupt:
        return interrupted_before_judging(settings, cause_of(interrupt))


__all__ = [
    "Run",
    "RunOutcome",
    "interrupted_before_judging",
    "interruptible",
    "judge",
    "read_instance",
    "replay_bundle",
    "run_checklist",
]
