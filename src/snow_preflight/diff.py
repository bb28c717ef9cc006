"""What changed since an earlier run: ``snow-preflight diff OLD NEW`` and ``run --baseline OLD``.

Two reports are compared by result id (and, in a fleet, by instance name), on outcomes and evidence, never
on prose (messages are worded for people and may change between releases):

- **worse**: a result that now fails or could not be verified and did not (``passed → error`` is visibility
  lost, not an improvement), or a new result that fails or could not be verified;
- **better**: a failed or could-not-verify result that now passes;
- **changed**: the same outcome with different evidence, a result that appeared or went, one that is now
  skipped, or one a waiver now accepts (or no longer does).

Evidence is compared by label, per result. Times and ages ("2026-03-01 14:22 UTC (3 min ago)") and each
report's own instance URL are left out of the comparison: they differ on every run, or between two
instances that are configured alike. ``diff`` exits 0 when nothing got worse, 1 when something did, and 4
when either input cannot be read.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Iterable
from datetime import UTC
from pathlib import Path

from snow_preflight.errors import BundleError, ConfigError, ReportFormatError
from snow_preflight.reports.model import (
    CheckResult,
    Comparison,
    EvidenceChange,
    Outcome,
    ResultChange,
    RunReport,
)

#: Exit statuses of ``diff``.
SAME_OR_BETTER, WORSE = 0, 1

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?UTC|Z|[+-]\d{2}:?\d{2})?")
_AGE = re.compile(r"\s*\((?:about )?[\d.]+ ?(?:s|sec|seconds?|min|minutes?|h|hours?|days?) ago\)")
_BAD = (Outcome.FAILED, Outcome.ERROR)


def load_side(path: Path) -> RunReport:
    """The report in *path*: a report.json, the folder holding one, or a support bundle (zip)."""
    from snow_preflight.reports.json_report import load_report

    if path.is_dir():
        path = path / "report.json"
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                if "report.json" not in archive.namelist():
                    raise BundleError(
                        f"{path} holds no report.json: name a snow-preflight bundle or report.json"
                    )
                text = archive.read("report.json")
        else:
            text = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist: name a report.json, its folder, or a bundle") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"{path} cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return load_report(text)
    except ReportFormatError as exc:
        raise ReportFormatError(f"{path}: {exc}") from None


def members(report: RunReport) -> dict[str | None, RunReport]:
    """The instances of *report* by name: a fleet's members, or the one instance under ``None``."""
    fleet = getattr(report, "instances", None)
    if fleet:
        return {member.name: member for member in fleet}
    return {None: report}


def _pairs(old: RunReport, new: RunReport) -> tuple[list[tuple[str | None, RunReport, RunReport]], list[str]]:
    """Which instance of *old* is compared with which of *new*, and notes on those left alone."""
    before, after = members(old), members(new)
    if list(before) == [None] and list(after) == [None]:
        return [(None, old, new)], []
    if None in before or None in after:  # one instance against a fleet: the member at the same URL
        single, fleet, single_is_old = (old, after, True) if None in before else (new, before, False)
        found = [(n, m) for n, m in fleet.items() if m.run.instance == single.run.instance]
        if not found:
            return [], [f"{single.run.instance} is not an instance of the other report: nothing to compare"]
        name, member = found[0]
        return [(name, single, member) if single_is_old else (name, member, single)], []
    pairs = [(name, before[name], after[name]) for name in after if name in before]
    notes = [f"instance {name} is new since the baseline" for name in after if name not in before]
    notes += [f"instance {name} is not in this run" for name in before if name not in after]
    return pairs, notes


def _plain(value: str, instance: str) -> str:
    """*value* without what differs on every run or between alike instances: times, ages, the instance URL."""
    if instance:
        value = value.replace(instance.rstrip("/"), "<instance>")
    return _AGE.sub("", _TIME.sub("<time>", value))


def _evidence(old: CheckResult, new: CheckResult, old_url: str, new_url: str) -> list[EvidenceChange]:
    """The labels whose values differ (compared without times, ages and the instance URL), as recorded."""

    def values(result: CheckResult) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for item in result.evidence:
            found.setdefault(item.label, []).append(item.value)
        return found

    before, after = values(old), values(new)
    changes = []
    for label in dict.fromkeys([*after, *before]):
        was, now = before.get(label, []), after.get(label, [])
        if [_plain(v, old_url) for v in was] != [_plain(v, new_url) for v in now]:
            changes.append(
                EvidenceChange(label=label, before="; ".join(was) or None, after="; ".join(now) or None)
            )
    return changes


def _change(
    name: str | None, old: CheckResult | None, new: CheckResult | None, urls: tuple[str, str]
) -> tuple[str, ResultChange] | None:
    """(``worse``, ``better`` or ``changed``, the change) for one result id, or None when nothing changed."""
    shown = new or old
    assert shown is not None
    change = ResultChange(
        instance=name,
        id=shown.id,
        title=shown.title,
        severity=shown.severity,
        before=old.outcome if old else None,
        after=new.outcome if new else None,
        why="",
        evidence=_evidence(old, new, *urls) if old and new else [],
    )
    if old is None or new is None:
        outcome = (new or old).outcome.value  # type: ignore[union-attr]
        if new is not None and new.outcome in _BAD:
            return "worse", change.model_copy(update={"why": f"new result, {outcome}"})
        return "changed", change.model_copy(
            update={"why": f"new result, {outcome}" if new else "no longer judged"}
        )
    arrow = f"{old.outcome.value} → {new.outcome.value}"
    if old.outcome != new.outcome and new.outcome in _BAD:
        lost = ": visibility lost" if new.outcome is Outcome.ERROR else ""
        return "worse", change.model_copy(update={"why": arrow + lost})
    if old.outcome != new.outcome and new.outcome is Outcome.PASSED:
        return "better", change.model_copy(update={"why": arrow})
    if old.outcome != new.outcome:
        return "changed", change.model_copy(update={"why": arrow})
    if old.waived != new.waived:
        return "changed", change.model_copy(
            update={"why": "now waived" if new.waived else "no longer waived"}
        )
    if change.evidence:
        return "changed", change.model_copy(update={"why": "evidence changed"})
    return None


def compare(old: RunReport, new: RunReport, baseline: str) -> Comparison:
    """What changed from *old* (the baseline, named *baseline*) to *new*."""
    pairs, notes = _pairs(old, new)
    if old.run.tool_version != new.run.tool_version:
        notes.append(
            f"the baseline was judged by snow-preflight {old.run.tool_version}, this run by "
            f"{new.run.tool_version}: some changes may come from the checklist, not the instance"
        )
    if old.run.gate != new.run.gate:
        notes.append(f"the gate changed from {old.run.gate.value} to {new.run.gate.value}")
    found: dict[str, list[ResultChange]] = {"worse": [], "better": [], "changed": []}
    for name, before, after in pairs:
        was = {r.id: r for r in before.results}
        now = {r.id: r for r in after.results}
        urls = (before.run.instance, after.run.instance)
        for result_id in dict.fromkeys([*now, *was]):
            changed = _change(name, was.get(result_id), now.get(result_id), urls)
            if changed:
                found[changed[0]].append(changed[1])
    return Comparison(
        baseline=baseline,
        baseline_started_at=old.run.started_at,
        baseline_verdict=old.run.verdict,
        notes=notes,
        **found,
    )


def with_baseline(report: RunReport, baseline: Path | None) -> RunReport:
    """*report* with the "since baseline" comparison when a baseline is named (``--baseline``)."""
    if baseline is None:
        return report
    return report.model_copy(update={"baseline": compare(load_side(baseline), report, baseline.name)})


# -- words ---------------------------------------------------------------------------------------------------


def _label(change: ResultChange) -> str:
    return f"{change.instance}: {change.id}" if change.instance else change.id


def describe(comparison: Comparison, detail: bool = True) -> list[str]:
    """The comparison as console lines: worse, better, changed, each with its evidence changes."""
    lines = [f"  note: {note}" for note in comparison.notes]
    groups: Iterable[tuple[str, list[ResultChange]]] = (
        ("Got worse", comparison.worse),
        ("Got better", comparison.better),
        ("Changed", comparison.changed),
    )
    for heading, changes in groups:
        lines.append(f"{heading} ({len(changes)}){':' if changes else ''}")
        width = min(56, max((len(_label(c)) for c in changes), default=0))
        for change in changes:
            lines.append(f"  {_label(change):<{width}}  {change.why} ({change.severity.value})")
            if detail:
                lines += [
                    f"      {item.label}: {item.before or '(not recorded)'} → {item.after or '(not recorded)'}"
                    for item in change.evidence
                ]
    return lines


def summary_line(comparison: Comparison) -> str:
    c = comparison
    return (
        f"since baseline {c.baseline} ({c.baseline_started_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{c.baseline_verdict.value.upper()}): {len(c.worse)} got worse, {len(c.better)} got better, "
        f"{len(c.changed)} changed"
    )


def diff_command(old_path: Path, new_path: Path, as_json: bool = False) -> int:
    """``snow-preflight diff OLD NEW``: print what changed; 1 when something got worse, else 0."""
    old, new = load_side(old_path), load_side(new_path)
    comparison = compare(old, new, old_path.name)
    if as_json:
        sys.stdout.write(comparison.model_dump_json(indent=2) + "\n")
    else:
        when = f"{new.run.started_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC, {new.run.verdict.value.upper()}"
        print(f"snow-preflight diff: {summary_line(comparison)}; now {new_path} ({when})")
        for line in describe(comparison):
            print(line)
        worse = len(comparison.worse)
        print(f"snow-preflight diff: {f'{worse} result(s) got worse' if worse else 'nothing got worse'}")
    return WORSE if comparison.worse else SAME_OR_BETTER
