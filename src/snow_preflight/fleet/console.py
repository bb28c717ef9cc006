"""The end of a fleet run on the console: the verdict per instance and overall, and a matrix of the results
that are not passed everywhere (checks down, instances across), then where the reports are.

Each instance's own table was printed by its session just before; this is what a CI log reader needs to
see at a glance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from snow_preflight.reports.model import CheckResult, InstanceReport, RunReport, Verdict

_ID_WIDTH = 48


def cell(result: CheckResult | None) -> str:
    """One matrix cell: the outcome in capitals, WAIVED for a waived result, a dash for no such result."""
    if result is None:
        return "—"
    return "WAIVED" if result.waived else result.outcome.value.upper()


def rows(instances: list[InstanceReport]) -> list[tuple[str, list[CheckResult | None]]]:
    """Every result id of the fleet, in checklist order, with each instance's result (None: none there)."""
    from snow_preflight.reports.fleet import result_ids

    by_member = [{result.id: result for result in member.results} for member in instances]
    return [(result_id, [found.get(result_id) for found in by_member]) for result_id in result_ids(instances)]


def _worth_a_line(cells: list[CheckResult | None]) -> bool:
    """A row to show: something failed or could not be verified, or the instances differ."""
    words = {cell(c) for c in cells}
    return len(words) > 1 or bool(words & {"FAILED", "ERROR", "WAIVED"})


def _counts(member: InstanceReport) -> str:
    if member.problem:
        return member.problem
    c = member.run.counts
    waived = f", {c.waived} waived" if c.waived else ""
    return (
        f"{c.total} results: {c.passed} passed, {c.failed} failed, {c.error} could not verify, "
        f"{c.skipped} skipped{waived}"
    )


def summary(report: RunReport, written: Mapping[str, Path]) -> list[str]:
    """The fleet's closing lines."""
    info, members = report.run, report.instances
    no_go = [m for m in members if m.run.verdict is Verdict.NO_GO or m.problem]
    head = "GO" if info.verdict is Verdict.GO else "NO-GO"
    lines = [
        "",
        f"snow-preflight: fleet {head} — {len(no_go)} of {len(members)} instance(s) no-go (--fail-on {info.gate.value})",
    ]
    width = max(len(m.name) for m in members)
    for member in members:
        verdict = "NO-GO" if member in no_go else "GO"
        lines.append(f"  {member.name:<{width}}  {verdict:<5}  {_counts(member)}")
    not_passed = [(rid, cells) for rid, cells in rows(members) if _worth_a_line(cells)]
    if not_passed:
        id_width = min(_ID_WIDTH, max(len(rid) for rid, _ in not_passed))
        widths = [max(len(m.name), 7) for m in members]
        lines.append("Results that fail somewhere or differ between instances:")
        lines.append(
            f"  {'':<{id_width}}  "
            + "  ".join(f"{m.name:<{w}}" for m, w in zip(members, widths, strict=True))
        )
        for rid, cells in not_passed:
            shown = rid if len(rid) <= id_width else rid[: id_width - 1] + "…"
            lines.append(
                f"  {shown:<{id_width}}  "
                + "  ".join(f"{cell(c):<{w}}" for c, w in zip(cells, widths, strict=True))
            )
    if report.baseline is not None:
        from snow_preflight.diff import describe, summary_line

        lines.append(f"snow-preflight: {summary_line(report.baseline)}")
        lines += describe(report.baseline, detail=False)
    if report.unused_waivers:
        lines.append(f"Waivers that waived nothing ({len(report.unused_waivers)}), in {info.waivers}:")
        for unused in report.unused_waivers:
            at = f"line {unused.waiver.line} " if unused.waiver.line else ""
            lines.append(f"  {at}{unused.waiver.check}: {unused.why}")
    lines += [f"  {name}: {path}" for name, path in written.items()]
    return lines


def json_summary(
    report: RunReport,
    written: Mapping[str, Path],
    judged: Sequence[tuple[Any, Any, int]],
    exit_code: int,
    problem: str | None = None,
) -> str:
    """``--format json`` for a fleet: one JSON object, the fleet's verdict and one summary per instance."""
    from snow_preflight.console import summary_data

    codes = {member.name: code for member, _, code in judged}
    data = summary_data(report, written, exit_code, problem)
    data["instances"] = [
        summary_data(member, {}, codes.get(member.name, exit_code), member.problem) | {"name": member.name}
        for member in report.instances or []
    ]
    return json.dumps(data, ensure_ascii=False)
