"""Judging a fleet: every instance read at once, each judged on its own, one report for all.

Judging is per instance, so each instance gets the single-instance run it would get alone: its own
:class:`~snow_preflight.run.Run` (snapshot, view, tracker of blockers, waivers by its name), judged in its
own in-process pytest session. A session per instance, rather than one session with every check
parametrised by instance, keeps every rule of a run as it is (result ids, blockers that never cross
instances, deselected prerequisites judged aside) and costs some milliseconds of judging per instance,
while the reads, which cost round trips, all go out at once before the first session starts: the whole run
takes about as long as the slowest instance. One instance's failure (unreachable, 401, a crash in judging)
is that instance's results, never a stop for the others.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from snow_preflight import __version__
from snow_preflight.diff import with_baseline
from snow_preflight.errors import PreflightError
from snow_preflight.fleet.console import json_summary
from snow_preflight.fleet.members import Member
from snow_preflight.redaction import Redactor
from snow_preflight.reports.model import Counts, InstanceReport, RunInfo, RunReport, Verdict
from snow_preflight.run import (
    GO,
    INTERNAL_ERROR,
    INTERRUPTED,
    NO_GO,
    NOTHING_JUDGED,
    USAGE_ERROR,
    Run,
    RunOutcome,
    judge,
    read_early,
)
from snow_preflight.settings import Settings
from snow_preflight.snapshot import Snapshot
from snow_preflight.waivers import load_waivers, names_of, unused_waivers

if TYPE_CHECKING:
    from snow_preflight.reads import Read

#: Exit statuses from best to worst: the fleet's is its worst instance's.
_WORST = (GO, NOTHING_JUDGED, NO_GO, USAGE_ERROR, INTERNAL_ERROR)


class MemberRun(Run):
    """One instance's run in a fleet: judged like any run; its reports are the fleet's to write."""

    def finish(self) -> RunReport:
        self.report = self.result_model()
        return self.report


class Redactors(Redactor):
    """Every instance's redactor in one: a fleet report or bundle holds what each of them must hide."""

    def __init__(self, redactors: Sequence[Redactor]) -> None:
        super().__init__()
        self._each = list(redactors)

    def text(self, value: str) -> str:
        for redactor in self._each:
            value = redactor.text(value)
        return value

    @property
    def known(self) -> list[str]:
        return sorted({kind for redactor in self._each for kind in redactor.known})

    @property
    def counts(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for redactor in self._each:
            for kind, number in redactor.counts.items():
                total[kind] = total.get(kind, 0) + number
        return total


def worst(codes: Sequence[int]) -> int:
    return max(codes, key=lambda code: _WORST.index(code) if code in _WORST else len(_WORST))


def run_fleet(
    members: Sequence[Member],
    snapshots: dict[str, Snapshot] | None = None,
    extra: Sequence[str] = (),
    *,
    replayed_from: str | None = None,
) -> RunOutcome:
    """Read every instance at once (or take *snapshots*, offline), judge each, write one fleet report."""
    from snow_preflight.judge.loading import load_catalogue
    from snow_preflight.judge.views import ITEM_KINDS

    shared = members[0].settings
    started, clock = datetime.now(UTC), time.monotonic()
    sources: dict[str, Snapshot | Future[Snapshot]] = dict(snapshots or {})
    # Every wave goes out now, each in its own thread, with the built-in reads; the reads site checks
    # declare join each wave once the checklist is loaded (as for one instance: snow_preflight.run).
    site_reads: Future[Sequence[Read]] = Future()
    if not sources:
        sources = {member.name: read_early(member.settings, site_reads) for member in members}
    try:
        catalogue = load_catalogue(shared.checks_dirs, tuple(ITEM_KINDS))  # invalid: exit 4
    except BaseException as exc:
        site_reads.set_exception(exc)
        raise
    site_reads.set_result(catalogue.reads())
    # --format json: stdout is the script's, for the one fleet summary; everything else goes to stderr.
    out = sys.stderr if shared.output_format == "json" else sys.stdout
    judged: list[tuple[Member, MemberRun, int]] = []
    for member in members:
        print(
            f"snow-preflight: instance {member.name} ({member.settings.connection.base_url})",
            file=out,
            flush=True,
        )
        # The baseline is the fleet's, compared once over every instance (see snow_preflight.diff).
        settings = member.settings.replace(baseline=None)
        run = MemberRun(
            settings, sources[member.name], catalogue=catalogue, name=member.name, replayed_from=replayed_from
        )
        code = judge(run, extra)
        if code in (INTERRUPTED, USAGE_ERROR):
            return RunOutcome(code, None)  # the session said why; the other instances would say the same
        judged.append((member, run, code))
    codes = [code for _, _, code in judged]
    if all(run.report is None for _, run, _ in judged):
        return RunOutcome(worst(codes), None)  # nothing judged anywhere: no report, as for one instance
    report = combine(judged, shared, started if not replayed_from else None, time.monotonic() - clock)
    report = with_baseline(report, shared.baseline)
    redactor = Redactors([run.redactor for _, run, _ in judged])
    try:
        written = _write(report, judged, redactor)
    except (OSError, PreflightError) as exc:
        problem = f"reports not written to {shared.report_dir}: {exc}"
        print(f"snow-preflight: {problem}", file=sys.stderr, flush=True)
        if out is sys.stderr:
            print(json_summary(report, {}, judged, INTERNAL_ERROR, problem), flush=True)
        return RunOutcome(INTERNAL_ERROR, report)
    from snow_preflight.fleet.console import summary

    for line in summary(report, written):
        print(line, file=out)
    if out is sys.stderr:
        print(json_summary(report, written, judged, worst(codes)), flush=True)
    return RunOutcome(worst(codes), report, written)


def _write(
    report: RunReport, judged: list[tuple[Member, MemberRun, int]], redactor: Redactor
) -> dict[str, Path]:
    from snow_preflight.reports.writer import write_reports

    settings = judged[0][0].settings
    written = write_reports(report, settings.report_dir, redactor)
    if settings.bundle:
        from snow_preflight.fleet.bundle import write_fleet_bundle

        members = [
            (member, run.snapshot, run.redactor) for member, run, _ in judged if run.report is not None
        ]
        written["bundle"] = write_fleet_bundle(report, members, redactor, settings)
    return written


def combine(
    judged: Sequence[tuple[Member, MemberRun, int]],
    shared: Settings,
    started: datetime | None,
    duration: float,
) -> RunReport:
    """One report for the fleet: every instance's report under ``instances``, the fleet's sums in ``run``."""
    instances = [_member_report(member, run, code) for member, run, code in judged]
    first = next(i for i in instances if i.problem is None)
    counts = Counts(
        **{key: sum(getattr(i.run.counts, key) for i in instances) for key in Counts.model_fields}
    )
    go = all(i.run.verdict is Verdict.GO and i.problem is None for i in instances)
    info = first.run.model_copy(
        update={
            "instance": ", ".join(i.run.instance for i in instances),
            "login": ", ".join(dict.fromkeys(i.run.login for i in instances)),
            "started_at": started or first.run.started_at,
            "duration_s": round(duration, 3),
            "verdict": Verdict.GO if go else Verdict.NO_GO,
            "counts": counts,
            "not_run": list(dict.fromkeys(c for i in instances for c in i.run.not_run)),
        }
    )
    unused = []
    if shared.waivers is not None:
        runs = [(names_of(i.run.instance, i.name), i.results) for i in instances]
        unused = unused_waivers(load_waivers(shared.waivers), runs)
    return RunReport(run=info, results=[], exchanges=[], instances=instances, unused_waivers=unused)


def _member_report(member: Member, run: MemberRun, code: int) -> InstanceReport:
    """The instance's report, or, when its judging failed, an empty one that says so and is no-go."""
    if run.report is not None:
        data = run.report.model_dump(exclude={"unused_waivers", "baseline", "instances"})
        return InstanceReport.model_validate({**data, "name": member.name})
    settings = member.settings
    info = RunInfo(
        instance=settings.connection.base_url,
        login=settings.connection.username or "",
        tool_version=__version__,
        started_at=run.started,
        duration_s=0.0,
        gate=settings.fail_on,
        verdict=Verdict.NO_GO,
        counts=Counts(),
    )
    problem = f"not judged: the session ended with exit status {code} (the console above says why)"
    return InstanceReport(name=member.name, run=info, results=[], problem=problem)
