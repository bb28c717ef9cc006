"""The :class:`Run`: everything one run knows, from its settings to what it wrote.

Its inputs (catalogue, snapshot, views) are each made once, when first needed; the tracker keeps what the
pytest session judged; at the end :meth:`Run.finish` builds the result model and writes the reports.
"""

from __future__ import annotations

import functools
import os
import time
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snow_preflight import __version__
from snow_preflight.errors import ReportWriteError
from snow_preflight.interrupts import clear_earlier_reports
from snow_preflight.judge.catalogue import Evidence
from snow_preflight.judge.loading import Catalogue, load_catalogue
from snow_preflight.redaction import Redactor
from snow_preflight.run.reading import read_instance
from snow_preflight.settings import Settings
from snow_preflight.snapshot import Snapshot

# The result model and the judging rules are imported when first used, not with this module: the command
# line imports it before the instance is read, and the wave of reads should not wait for them.
if TYPE_CHECKING:
    from snow_preflight.judge.views import View
    from snow_preflight.reports.model import CheckResult, RunReport


def item_kinds() -> tuple[str, ...]:
    """The kinds of item a check may take one by one (``each=``), as the catalogue validates them."""
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
            self._catalogue = load_catalogue(self.settings.checks_dirs, item_kinds())
        return self._catalogue

    @property
    def snapshot(self) -> Snapshot:
        """The instance as read in one wave (read now, unless it was read early or replayed)."""
        if isinstance(self._snapshot, Future):
            self._snapshot = self._snapshot.result()
        if self._snapshot is None:
            self._snapshot = read_instance(self.settings, self.catalogue.reads())
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
        from snow_preflight.reports.model import RunInfo, RunReport, count, verdict

        settings, snapshot = self.settings, self.snapshot
        results = self.results
        python, machine = _machine()
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
                python=python,
                platform=machine,
                not_run=self.not_run,
                replayed_from=self.replayed_from,
                **self.provenance(),
            ),
            results=results,
            exchanges=snapshot.exchanges,
        )
        # Accepted findings keep their outcome, not the gate; the module is imported by a run that has a file.
        if settings.waivers is not None:
            from snow_preflight.waivers import settle

            run = settle(run, settings.waivers, self.name)
        if settings.baseline is not None:
            from snow_preflight.diff import with_baseline

            run = with_baseline(run, settings.baseline)  # what changed since the earlier run
        from snow_preflight.reports.writer import redact_model

        return redact_model(run, self.redactor)

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

    @staticmethod
    def prepare() -> None:
        """Make ready, while the instance answers, what judging and the end of the run need from this machine.

        Each costs milliseconds the first time a process asks, and nothing after: the platform the reports
        name (Python runs ``uname -p`` for it), the provenance module, and the tables ``datetime.strptime``
        builds before it parses the first of the instance's timestamps (the views parse them in this format).
        """
        from datetime import datetime

        from snow_preflight import provenance  # noqa: F401 - imported to be ready

        _machine()
        datetime.strptime("2000-01-01 00:00:00", "%Y-%m-%d %H:%M:%S")

    def finish(self) -> RunReport:
        """Build the result model and write the reports (and the bundle when asked).

        Raises :class:`ReportWriteError` when they could not be written: a GO without ``junit.xml`` must
        never happen, so the caller turns it into a failed run.
        """
        from snow_preflight.reports.writer import write_reports

        report = self.report = self.result_model()
        settings = self.settings
        try:
            # The result model is redacted already: the writer renders it as it is.
            self.written = write_reports(report, settings.report_dir, self.redactor, clean=True)
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


@functools.cache
def _machine() -> tuple[str, str]:
    """The Python version and the platform that ran the run, as every report names them."""
    import platform

    return platform.python_version(), platform.platform(terse=True)
