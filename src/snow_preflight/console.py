"""What a run says on the console: a banner first, one line while it waits, the verdict and its table last.

Everything is built from the redacted result model, like the report files, so it says what they say.

* :func:`banner`: instance, login, and the config file read (or none), before the results.
* :class:`WaitNotice`: while a read waits longer than about two seconds (a ``Retry-After``, a slow answer),
  one line on stderr says what for and how long; waits that overlap it say nothing more.
* :func:`summary`: the verdict line (coloured when the terminal supports it, see :func:`use_color`), one row
  per result (worst first), what was not run, what could not be verified and why, where the reports are.
  ``quiet`` keeps the verdict and the results that decide it; ``verbose`` adds each result's evidence and
  the steps to fix each finding. The count in the verdict line is the only count of failures printed.
* :func:`json_summary`: the same verdict for scripts (``--format json``), one JSON object.

A replayed bundle says so, with the time the instance was read.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

# The result model is imported where a function needs it, not with this module: a run makes its wait
# notice before its reads go out, and they should not wait for the model.
if TYPE_CHECKING:
    from snow_preflight.reports.model import CheckResult, RunReport

_ORDER = {"failed": 0, "error": 1, "skipped": 2, "passed": 3}  # by Outcome (a StrEnum: its values)
_WIDTH = 160
#: Waits shorter than this pass in silence; longer ones get their one line.
WAIT_NOTICE_AFTER = 2.0
#: The version of the --format json summary's shape (its keys are documented in the README).
SUMMARY_VERSION = 1

# ANSI SGR codes: bold green for GO, bold red for NO-GO, and the outcome words in the rows.
_STYLE = {"go": "1;32", "no-go": "1;31", "failed": "31", "error": "33", "skipped": "2", "passed": "32"}


def use_color(choice: str, isatty: bool, environ: Mapping[str, str]) -> bool:
    """Whether to colour: ``yes``/``no`` decide; ``auto`` colours a terminal unless ``NO_COLOR`` is set
    (no-color.org), and ``FORCE_COLOR`` colours even a pipe (force-color.org); ``TERM=dumb`` never."""
    if choice in ("yes", "no"):
        return choice == "yes"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return isatty and environ.get("TERM") != "dumb"


def _paint(text: str, style: str, color: bool) -> str:
    return f"\x1b[{_STYLE[style]}m{text}\x1b[0m" if color else text


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _utc(moment: datetime) -> str:
    # Not reports.html's utc_iso: that module imports jinja2, which a console line should not cost.
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def banner(instance: str, login: str, config_file: Path | None, replayed_from: str | None = None) -> str:
    """The line before the results: what is checked, as whom, and with which config file."""
    config = f"config file {config_file}" if config_file else "no config file"
    if replayed_from:
        return f"snow-preflight: re-judging {replayed_from} offline ({instance} as {login}); {config}"
    return f"snow-preflight: checking {instance} as {login}; {config}"


def decisive(report: RunReport) -> list[CheckResult]:
    """The results that make the run no-go, worst first; empty for a GO."""
    gate = report.run.gate
    return sorted(
        (r for r in report.results if r.fails_gate(gate)), key=lambda r: (r.severity.rank, _ORDER[r.outcome])
    )


def _head(report: RunReport, problem: str | None, color: bool) -> str:
    info = report.run
    gate = info.gate.value
    if problem:
        # The verdict was not delivered: no line may read GO when junit.xml is missing (exit 3).
        word = _paint("NO VERDICT", "no-go", color)
        return f"snow-preflight: {word} — the reports could not be written (--fail-on {gate})"
    from snow_preflight.reports.model import Verdict

    go = info.verdict is Verdict.GO
    word = _paint("GO" if go else "NO-GO", "go" if go else "no-go", color)
    waived = f", {info.counts.waived} waived" if info.counts.waived else ""
    return (
        f"snow-preflight: {word} — {len(decisive(report))} of {len(report.results)} result(s) fail the gate"
        f"{waived} (--fail-on {gate})"
    )


def _row(r: CheckResult, id_width: int, color: bool) -> str:
    # A waived row keeps its real outcome in its words; the waiver's note comes first, so it is never clipped.
    said = f"[{r.outcome.value}, {r.waiver.note}] {r.message}" if r.waiver else r.message
    word = "WAIVED" if r.waived else r.outcome.value.upper()
    styled = _paint(f"{word:<7}", "skipped" if r.waived else r.outcome.value, color)
    return f"  {styled} {r.severity.value:<8} {_clip(r.id, id_width):<{id_width}}  " + _clip(
        said, _WIDTH - id_width - 22
    )


def _evidence(r: CheckResult) -> list[str]:
    """--verbose: what the check saw, and for a finding the steps to fix it."""
    lines = [f"      {_clip(item.label, 40)}: {_clip(item.value, _WIDTH - 50)}" for item in r.evidence]
    if r.gating:
        lines += [f"      fix {n}. {_clip(step, _WIDTH - 14)}" for n, step in enumerate(r.remediation, 1)]
    return lines


def summary(
    report: RunReport,
    written: Mapping[str, Path],
    problem: str | None = None,
    *,
    detail: str = "normal",
    color: bool = False,
) -> list[str]:
    """The lines to print at the end of a judged run; *problem* is why its reports were not written.

    *detail* is ``quiet`` (the verdict and the results that decide it), ``normal`` or ``verbose``.
    """
    info = report.run
    lines = [_head(report, problem, color)]
    if info.replayed_from:
        lines.append(
            f"snow-preflight: replayed from {info.replayed_from}: the instance as read at "
            f"{_utc(info.started_at)}, judged offline"
        )
    rows = (
        decisive(report)
        if detail == "quiet"
        else sorted(report.results, key=lambda r: (_ORDER[r.outcome], r.severity.rank))
    )
    id_width = min(48, max((len(r.id) for r in rows), default=10))
    for r in rows:
        lines.append(_row(r, id_width, color))
        if detail == "verbose":
            lines += _evidence(r)
    if detail == "quiet":
        return [*lines, f"snow-preflight: {problem}"] if problem else lines
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
    from snow_preflight.reports.model import Outcome

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


def json_summary(
    report: RunReport | None, written: Mapping[str, Path], exit_code: int, problem: str | None = None
) -> str:
    """``--format json``: the verdict, the counts and the decisive results as one line of JSON.

    ``verdict`` is null when no verdict was delivered (nothing judged, or the reports not written).
    """
    return json.dumps(summary_data(report, written, exit_code, problem), ensure_ascii=False)


def summary_data(
    report: RunReport | None, written: Mapping[str, Path], exit_code: int, problem: str | None = None
) -> dict[str, Any]:
    """What :func:`json_summary` prints, as data (a fleet's summary holds one per instance)."""
    from snow_preflight.reports.model import Outcome

    data: dict[str, Any] = {"summary_version": SUMMARY_VERSION, "exit_code": exit_code, "verdict": None}
    if report is not None:
        info = report.run
        data.update(
            instance=info.instance,
            login=info.login,
            gate=info.gate.value,
            verdict=None if problem else info.verdict.value,
            counts=info.counts.model_dump(),
            decisive=[_brief(r) for r in decisive(report)],
            could_not_verify=[_brief(r) for r in report.results if r.outcome is Outcome.ERROR],
            not_run=info.not_run,
        )
    data.update(reports={name: str(path) for name, path in written.items()}, problem=problem)
    return data


def _brief(r: CheckResult) -> dict[str, str]:
    return {"id": r.id, "severity": r.severity.value, "outcome": r.outcome.value, "message": r.message}


_TERMINAL_STDERR: TextIO | None = None


def terminal_stderr() -> Callable[[], TextIO]:
    """stderr as it is now, kept for later: pytest captures file descriptor 2 while it runs, and a wait line
    printed by the background read must still reach the person waiting. One copy serves every run."""
    global _TERMINAL_STDERR
    if _TERMINAL_STDERR is None:
        try:
            _TERMINAL_STDERR = open(os.dup(sys.stderr.fileno()), "w", encoding="utf-8", errors="replace")  # noqa: SIM115 - kept open for the process
        except (AttributeError, OSError, ValueError):  # no real file behind sys.stderr (a test's StringIO)
            return lambda: sys.stderr
    stream = _TERMINAL_STDERR
    return lambda: stream


class WaitNotice:
    """Called with what a read waits for and for how long; prints one line when that is long enough.

    Thread-safe: the reads of a wave wait in parallel, often for the same reason (every read of a
    rate-limited instance gets the same ``Retry-After``), so a wait that ends before the last announced one
    says nothing. Nothing here knows about the client stack; it only receives calls.
    """

    def __init__(
        self,
        stream: Callable[[], TextIO] = lambda: sys.stderr,
        clock: Callable[[], float] = time.monotonic,
        after: float = WAIT_NOTICE_AFTER,
    ) -> None:
        self._stream = stream
        self._clock = clock
        self._after = after
        self._until = float("-inf")
        self._lock = threading.Lock()
        self.said: list[str] = []

    def __call__(self, what: str, seconds: float, *, at_most: bool = False) -> None:
        """A wait of *seconds* (*at_most*: of up to *seconds*) for *what* begins now.

        *what* reads after "waiting 30 s for", e.g. "the instance's Retry-After (reading table 'sys_scope')".
        """
        if seconds < self._after:
            return
        now = self._clock()
        with self._lock:
            if now + seconds <= self._until + 0.5:
                return  # inside a wait already announced
            self._until = now + seconds
            how_long = f"up to {seconds:.0f} s" if at_most else f"{seconds:.0f} s"
            line = f"snow-preflight: waiting {how_long} for {what}"
            self.said.append(line)
        print(line, file=self._stream(), flush=True)

    def announced(self) -> bool:
        """True while an announced wait has not ended."""
        with self._lock:
            return self._clock() < self._until
