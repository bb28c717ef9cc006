"""From what a check did to its result row: outcome, message, evidence, remediation, blockers.

The engine, not the check, decides the outcome:

* the check returned → ``passed``, with the check's pass message filled from its facts;
* it raised :class:`AssertionError` → ``failed`` (verified bad), with the remediation for what failed;
* it raised :class:`CannotVerify` (a view could not see a table, a row or a field) → ``error``, with the
  steps that would let the login see it, never the configuration fix;
* anything else is a bug in the check → ``error`` that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from snow_preflight.errors import CannotVerify, DuplicateResultError
from snow_preflight.judge.catalogue import CheckSpec, Evidence, fill, fill_complete, steps_for
from snow_preflight.reports.model import CheckResult, EvidenceItem, Link, Outcome

#: What an error row advises when the view that could not see gave no steps of its own.
SEE_MORE = (
    "Re-run the pre-flight as a login that can read what is named above (admin, or a role the table's "
    "read ACL names), or ask a ServiceNow administrator to check it for you.",
)
BUG = ("This is a bug in the check, not a finding about the instance: report it with the support bundle.",)


@dataclass(frozen=True)
class Blocker:
    """Why a check was not run: a check it requires did not pass (the root cause, passed on as data)."""

    id: str  # the result id of the root cause, e.g. "instance_reachable"
    outcome: Outcome
    message: str
    judged_aside: bool = False  # the prerequisite was not selected, so the engine judged it on its own

    @property
    def reason(self) -> str:
        aside = ", judged although not selected" if self.judged_aside else ""
        return f"blocked by {self.id} ({self.outcome.value}{aside}): {self.message}"


@dataclass(frozen=True)
class Verdict:
    """What one call of a check came to, before it becomes a result row."""

    outcome: Outcome
    message: str
    fix: tuple[str, ...] | None = None  # None: the check's own remediation applies


def judge_call(spec: CheckSpec, error: BaseException | None, evidence: Evidence) -> Verdict:
    """The outcome of one call of a check that ended with *error* (None: it returned)."""
    if error is None:
        passed = fill_complete(spec.passes, evidence.facts) if spec.passes else None
        return Verdict(Outcome.PASSED, passed or f"{spec.title}.")
    if isinstance(error, CannotVerify):
        return Verdict(Outcome.ERROR, _first_line(str(error)), error.fix or SEE_MORE)
    if isinstance(error, AssertionError):
        return Verdict(Outcome.FAILED, _first_line(str(error)) or f"Not so: {spec.title}.")
    name = type(error).__name__
    return Verdict(
        Outcome.ERROR, f"internal error in check {spec.id}: {name}: {_first_line(str(error))}", BUG
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def build_result(
    spec: CheckSpec,
    item: str | None,
    verdict: Verdict,
    evidence: Evidence,
    *,
    facts: Mapping[str, Any],
    blocker: Blocker | None = None,
    duration_ms: float = 0.0,
) -> CheckResult:
    """The result row for one check (or one item of a parametrised check)."""
    values = {"item": item or "", **facts, **evidence.facts}
    if verdict.outcome is Outcome.FAILED:
        remediation = fill(steps_for(spec, evidence.failing), values)
    elif verdict.outcome is Outcome.ERROR:
        remediation = fill(verdict.fix or SEE_MORE, values)
    else:
        remediation = []
    return CheckResult(
        id=f"{spec.id}[{item}]" if item else spec.id,
        check=spec.id,
        item=item,
        area=spec.area,
        title=spec.title,
        outcome=verdict.outcome,
        severity=spec.severity,
        message=verdict.message,
        evidence=[EvidenceItem(label=label, value=value, link=link) for label, value, link in evidence.rows],
        remediation=remediation,
        links=[Link(label=label, url=url) for label, url in evidence.links],
        blocked_by=blocker.id if blocker else None,
        duration_ms=round(duration_ms, 3),
    )


class Tracker:
    """Results so far; which checks did not pass, so that their dependants are skipped naming the root."""

    def __init__(self, judge_aside: Callable[[str], CheckResult] | None = None) -> None:
        self.results: list[CheckResult] = []
        self._ids: set[str] = set()
        self._roots: dict[str, Blocker] = {}  # check id → the root cause that blocks its dependants
        self._judged: set[str] = set()
        # Judges a prerequisite that was not selected (None: such prerequisites block nothing).
        self._judge_aside = judge_aside
        self.judged_aside: list[CheckResult] = []

    def add(self, spec: CheckSpec, result: CheckResult, blocker: Blocker | None = None) -> None:
        if result.id in self._ids:
            raise DuplicateResultError(
                f"two results have the id {result.id!r}: the item list of {spec.id} names one item twice"
            )
        self._ids.add(result.id)
        self.results.append(result)
        self._note(spec.id, result, blocker)

    def _note(self, check_id: str, result: CheckResult, blocker: Blocker | None) -> None:
        # A check blocks its dependants when it failed or errored. One that was itself blocked passes on
        # its blocker, so every skip names the root cause. A check merely not applicable blocks nothing.
        self._judged.add(check_id)
        if result.outcome in (Outcome.FAILED, Outcome.ERROR):
            self._roots.setdefault(check_id, Blocker(result.id, result.outcome, result.message))
        elif blocker is not None:
            self._roots.setdefault(check_id, blocker)

    def blocker(self, spec: CheckSpec, requires: Mapping[str, CheckSpec]) -> Blocker | None:
        """The root cause when a check that *spec* requires did not pass, else None."""
        for required in spec.requires:
            if required not in self._judged and self._judge_aside is not None:
                self._judge_prerequisite(requires[required], requires)
            root = self._roots.get(required)
            if root is not None:
                return root
        return None

    def _judge_prerequisite(self, spec: CheckSpec, specs: Mapping[str, CheckSpec]) -> None:
        """Judge a prerequisite that was not selected, on its own, so its dependants are judged fairly."""
        assert self._judge_aside is not None
        upstream = self.blocker(spec, specs)
        self._judged.add(spec.id)
        if upstream is not None:
            self._roots[spec.id] = upstream
            return
        result = self._judge_aside(spec.id)
        self.judged_aside.append(result)
        if result.outcome in (Outcome.FAILED, Outcome.ERROR):
            self._roots[spec.id] = Blocker(result.id, result.outcome, result.message, judged_aside=True)
