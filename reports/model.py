"""The result model: one run of the checklist, as every renderer sees it.

``report.json`` is this model serialised; ``report.html`` and ``junit.xml`` are pure functions of it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from snow_preflight.servicenow.exchange import Exchange
from snow_preflight.severity import Severity

SCHEMA_VERSION = 1


class Outcome(StrEnum):
    """What a check found. See DESIGN.md, "Outcomes"."""

    PASSED = "passed"  # verified good
    FAILED = "failed"  # verified bad: the instance shows the misconfiguration
    ERROR = "error"  # could not verify: denied, hidden by ACL, unreachable, unexpected answer
    SKIPPED = "skipped"  # not applicable, or blocked by an earlier check


class Verdict(StrEnum):
    GO = "go"
    NO_GO = "no-go"


class EvidenceItem(BaseModel):
    """One fact a check saw, pass or fail."""

    label: str
    value: str
    link: str | None = None


class Link(BaseModel):
    label: str
    url: str


class CheckResult(BaseModel):
    """One result row: a check, or one item of a parametrised check."""

    id: str  # stable id, e.g. "rest_method_uses_mid[POST - Run Webhook]"
    check: str  # the check's id without the item, e.g. "rest_method_uses_mid"
    item: str | None = None  # the item, e.g. "POST - Run Webhook"
    area: str  # "instance", "app", "roles", "mid", "rest"
    title: str  # the good state, e.g. "Every HTTP method ... routes through a MID Server"
    outcome: Outcome
    severity: Severity
    message: str = ""  # one sentence: what was seen
    evidence: list[EvidenceItem] = Field(default_factory=list)
    remediation: list[str] = Field(default_factory=list)  # numbered steps, in ServiceNow's UI words
    links: list[Link] = Field(default_factory=list)  # deep links into the instance
    blocked_by: str | None = None  # id of the check whose outcome skipped this one
    duration_ms: float = 0.0

    @property
    def gating(self) -> bool:
        """True for outcomes that can fail the gate (failed or error)."""
        return self.outcome in (Outcome.FAILED, Outcome.ERROR)

    def fails_gate(self, gate: Severity) -> bool:
        """True when this result alone makes the run no-go at *gate*."""
        return self.gating and self.severity.at_least(gate)


class Counts(BaseModel):
    passed: int = 0
    failed: int = 0
    error: int = 0
    skipped: int = 0
    total: int = 0


class RunInfo(BaseModel):
    """The facts of one run."""

    instance: str  # base URL, e.g. https://acme.service-now.com
    login: str  # user name of the login (never a secret)
    tool_version: str
    started_at: datetime  # UTC
    duration_s: float
    gate: Severity  # failed or error at or above this severity means no-go
    verdict: Verdict
    counts: Counts
    python: str = ""
    platform: str = ""
    # Checks of the checklist that this run did not judge (deselected with -k, -m, a file path, --only).
    not_run: list[str] = Field(default_factory=list)
    # The support bundle this run re-judged offline; started_at is then the original run's time.
    replayed_from: str | None = None


class RunReport(BaseModel):
    """Everything one run produced; the only input of the renderers."""

    schema_version: int = SCHEMA_VERSION
    run: RunInfo
    results: list[CheckResult]
    exchanges: list[Exchange] = Field(default_factory=list)


def count(results: list[CheckResult]) -> Counts:
    counts = Counts(total=len(results))
    for result in results:
        setattr(counts, result.outcome.value, getattr(counts, result.outcome.value) + 1)
    return counts


def verdict(results: list[CheckResult], gate: Severity) -> Verdict:
    """No-go when any failed or error result is at or above the gate severity."""
    blocking = any(r.fails_gate(gate) for r in results)
    return Verdict.NO_GO if blocking else Verdict.GO
