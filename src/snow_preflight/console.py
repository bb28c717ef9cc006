"""The short table at the end of a run, for people and CI logs alike.

It is built from the redacted result model, like the report files, so it says what they say: the verdict,
one row per result (worst first), what was not run, what could not be verified and why, and where the
reports are. A replayed bundle says so, with the time the instance was read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from snow_preflight.reports.model import Outcome, RunReport, Verdict

_ORDER = {Outcome.FAILED: 0, Outcome.ERROR: 1, Outcome.SKIPPED: 2, Outcome.PASSED: 3}
_WIDTH = 160


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _utc(moment: datetime) -> str:
    # Not reports.html's utc_iso: that module imports jinja2, which a console line should not cost.
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _head(report: RunReport, problem: str | None) -> str:
    info = report.run
    gate = info.gate.value
    failing = sum(1 for r in report.results if r.fails_gate(info.gate))
    if problem:
        # The verdict was not delivered: no line may read GO when junit.xml is missing (exit 3).
        return f"snow-preflight: NO VERDICT — the reports could not be written (--fail-on {gate})"
    head = "GO" if info.verdict is Verdict.GO else "NO-GO"
    waived = f", {info.counts.waived} waived" if info.counts.waived else ""
    return (
        f"snow-preflight: {head} — {failing} of {len(report.results)} result(s) fail the gate{waived} "
        f"(--fail-on {gate})"
    )


def summary(report: RunReport, written: Mapping[str, Path], problem: str | None = None) -> list[str]:
    """The lines to print at the end of a judged run; *problem* is why its reports were not written."""
    info = report.run
    rows = sorted(report.results, key=lambda r: (_ORDER[r.outcome], r.severity.rank))
    lines = ["", _head(report, problem)]
    if info.replayed_from:
        lines.append(
            f"snow-preflight: replayed from {info.replayed_from}: the instance as read at "
            f"{_utc(info.started_at)}, judged offline"
        )
    id_width = min(48, max((len(r.id) for r in rows), default=10))
    for r in rows:
        # A waived row keeps its real outcome in its words; the waiver's note comes first, so it is never clipped.
        said = f"[{r.outcome.value}, {r.waiver.note}] {r.message}" if r.waiver else r.message
        lines.append(
            f"  {'WAIVED' if r.waived else r.outcome.value.upper():<7} {r.severity.value:<8} "
            f"{_clip(r.id, id_width):<{id_width}}  " + _clip(said, _WIDTH - id_width - 22)
        )
    if report.baseline is not None:
        from snow_preflight.diff import describe, summary_line

        lines.append(f"snow-preflight: {summary_line(report.baseline)}")
        lines += describe(report.baseline, detail=False)
    if info.not_run:
        lines.append(f"Not run in this run ({len(info.not_run)}): {', '.join(info.not_run)}")
    if report.unused_waivers:
        lines.append(f"Waivers that waived nothing ({len(report.unused_waivers)}), in {info.waivers}:")
        for unused in report.unused_waivers:
            at = f"line {unused.waiver.line} " if unused.waiver.line else ""
            lines.append(f"  {at}{_clip(unused.waiver.check, 48)}: {unused.why}")
    unverified = [r for r in report.results if r.outcome is Outcome.ERROR]
    if unverified:
        lines.append(f"Could not verify ({len(unverified)}):")
        lines += [
            f"  {_clip(r.id, id_width):<{id_width}}  {_clip(r.message, _WIDTH - id_width - 4)}"
            for r in unverified
        ]
    if problem:
        lines.append(f"snow-preflight: {problem}")
    for name, path in written.items():
        lines.append(f"  {name}: {path}")
    return lines
