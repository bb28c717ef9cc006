"""The end of a run: one result model, redacted, written as reports (and a bundle when asked)."""

from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import TYPE_CHECKING

from snow_preflight import __version__
from snow_preflight.reports.model import RunInfo, RunReport, Verdict, count, verdict

if TYPE_CHECKING:
    from snow_preflight.plugin import Preflight


def build_report(preflight: Preflight) -> RunReport:
    """The run's result model, with every known secret redacted."""
    settings = preflight.settings
    snapshot = preflight.snapshot
    results = preflight.tracker.results
    run = RunReport(
        run=RunInfo(
            instance=snapshot.instance,
            login=snapshot.login,
            tool_version=__version__,
            started_at=preflight.started,
            duration_s=round(time.monotonic() - preflight.started_clock, 3),
            gate=settings.fail_on,
            verdict=verdict(results, settings.fail_on),
            counts=count(results),
            python=platform.python_version(),
            platform=platform.platform(terse=True),
        ),
        results=results,
        exchanges=snapshot.exchanges,
    )
    redactor = preflight.redactor
    return RunReport.model_validate(redactor.data(run.model_dump(mode="json")))


def finish(preflight: Preflight) -> tuple[RunReport, dict[str, Path], bool]:
    """Build and write the reports; return them, the paths written and whether the gate passes."""
    from snow_preflight.reports.writer import write_reports

    report = build_report(preflight)
    settings = preflight.settings
    redactor = preflight.redactor
    written: dict[str, Path] = {}
    try:
        written = write_reports(report, settings.report_dir, redactor)
        if settings.bundle:
            from snow_preflight.bundle import write_bundle

            written["bundle"] = write_bundle(report, preflight.snapshot, settings, redactor)
    except OSError as exc:
        preflight.write_error = (
            f"reports not written to {settings.report_dir}: {exc.strerror or exc}; "
            "choose a writable directory with --report-dir"
        )
    return report, written, report.run.verdict is Verdict.GO
