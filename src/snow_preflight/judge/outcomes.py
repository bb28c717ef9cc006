"""From pytest's reports to result rows: outcome, message, evidence, remediation, blockers."""

from __future__ import annotations

from typing import Any

import pytest

from snow_preflight.judge.catalogue import CannotVerify, CheckSpec, Evidence, fill
from snow_preflight.judge.views import Unavailable, View
from snow_preflight.reports.model import CheckResult, EvidenceItem, Link, Outcome

#: Areas in the order they run and are listed: a later area's checks may depend on an earlier one's.
AREAS = ("instance", "app", "roles", "mid", "rest")

BLOCKED_PREFIX = "blocked by "


class Tracker:
    """Results so far, and which check ids did not pass (so that their dependants are skipped)."""

    def __init__(self) -> None:
        self.results: list[CheckResult] = []
        self._not_passed: dict[str, CheckResult] = {}
        self._roots: dict[str, CheckResult] = {}

    def add(self, spec: CheckSpec, result: CheckResult) -> None:
        self.results.append(result)
        # A check blocks its dependants when it failed or errored. One that was itself blocked passes on
        # its blocker, so every skip names the root cause. A check that is merely not applicable (skipped
        # for its own reason) blocks nothing.
        if result.outcome in (Outcome.FAILED, Outcome.ERROR):
            self._roots[result.id] = result
            self._not_passed.setdefault(spec.id, result)
        elif result.blocked_by in self._roots:
            self._not_passed.setdefault(spec.id, self._roots[result.blocked_by])

    def blocker(self, spec: CheckSpec) -> str | None:
        """The skip reason when a check that *spec* requires did not pass, else None."""
        for required in spec.requires:
            result = self._not_passed.get(required)
            if result is not None:
                return f"{BLOCKED_PREFIX}{result.id} ({result.outcome.value}): {result.message}"
        return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


class ResultBuilder:
    """Builds the result row for one check item from its pytest report."""

    def __init__(self, spec: CheckSpec, param: Any, view: View | None) -> None:
        self.spec = spec
        self.param = param
        self.view = view

    def build(
        self, report: pytest.TestReport, call: pytest.CallInfo[None], evidence: Evidence
    ) -> CheckResult:
        outcome, message = self._outcome(report, call)
        blocked_by = None
        if outcome is Outcome.SKIPPED and message.startswith(BLOCKED_PREFIX):
            blocked_by = message.removeprefix(BLOCKED_PREFIX).split(" (", 1)[0]
        item = None
        if self.spec.each is not None and self.param is not None and not isinstance(self.param, Unavailable):
            item = str(self.param) or None
        facts: dict[str, Any] = {"item": item or ""}
        if self.view is not None:
            facts["instance"] = self.view.snapshot.instance
        facts.update(evidence.facts)
        remediation = (
            [] if outcome in (Outcome.PASSED, Outcome.SKIPPED) else fill(self.spec.remediation, facts)
        )
        return CheckResult(
            id=f"{self.spec.id}[{item}]" if item else self.spec.id,
            check=self.spec.id,
            item=item,
            area=self.spec.area,
            title=self.spec.title,
            outcome=outcome,
            severity=self.spec.severity,
            message=message,
            evidence=[
                EvidenceItem(label=label, value=value, link=link) for label, value, link in evidence.rows
            ],
            remediation=remediation,
            links=[Link(label=label, url=url) for label, url in evidence.links],
            blocked_by=blocked_by,
            duration_ms=round(report.duration * 1000, 3),
        )

    def _outcome(self, report: pytest.TestReport, call: pytest.CallInfo[None]) -> tuple[Outcome, str]:
        if report.skipped:
            excinfo = call.excinfo
            reason = str(getattr(excinfo.value, "msg", "")) if excinfo else ""
            return Outcome.SKIPPED, reason or "skipped"
        if report.passed:
            return Outcome.PASSED, f"{self.spec.title}."
        excinfo = call.excinfo
        if excinfo is None:  # pragma: no cover - pytest always has excinfo for a failed phase
            return Outcome.ERROR, "the check failed without saying why"
        if isinstance(excinfo.value, CannotVerify):
            return Outcome.ERROR, _first_line(str(excinfo.value))
        if isinstance(excinfo.value, AssertionError) and report.when == "call":
            return Outcome.FAILED, _first_line(str(excinfo.value)) or f"Not so: {self.spec.title}."
        # Anything else is a bug in the check, not a finding about the instance: say so plainly.
        return Outcome.ERROR, f"internal error in check {self.spec.id}: {type(excinfo.value).__name__}: " + (
            _first_line(str(excinfo.value))
        )
