"""The short table at the end of a run, for people and CI logs alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from snow_preflight.reports.model import CheckResult, Outcome, Verdict, verdict
from snow_preflight.severity import Severity

_ORDER = {Outcome.FAILED: 0, Outcome.ERROR: 1, Outcome.SKIPPED: 2, Outcome.PASSED: 3}
_WIDTH = 160


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def summary(
    results: Iterable[CheckResult], gate: Severity, written: Mapping[str, Path], problem: str | None = None
) -> list[str]:
    """Lines: the verdict, one row per result (worst first), and where the reports are."""
    rows = sorted(results, key=lambda r: (_ORDER[r.outcome], r.severity.rank))
    failing = [r for r in rows if r.fails_gate(gate)]
    outcome = verdict(rows, gate)
    head = "GO" if outcome is Verdict.GO else "NO-GO"
    lines = [
        "",
        f"snow-preflight: {head} — {len(failing)} of {len(rows)} result(s) fail the gate "
        f"(--fail-on {gate.value})",
    ]
    id_width = min(48, max((len(r.id) for r in rows), default=10))
    for r in rows:
        lines.append(
            f"  {r.outcome.value.upper():<7} {r.severity.value:<8} {_clip(r.id, id_width):<{id_width}}  "
            + _clip(r.message, _WIDTH - id_width - 22)
        )
    if problem:
        lines.append(f"snow-preflight: {problem}")
    for name, path in written.items():
        lines.append(f"  {name}: {path}")
    return lines
