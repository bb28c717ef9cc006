"""The result model: one run of the checklist, as every renderer sees it.

``report.json`` is this model serialised; ``report.html`` and ``junit.xml`` are pure functions of it.
Its JSON Schema (``reports/report.schema.json``, printed by ``snow-preflight schema``) is generated from
these classes, so the descriptions below are the published documentation of every field. Removing or
renaming a field, or changing what it means, bumps :data:`SCHEMA_VERSION`; adding an optional one does not.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from snow_preflight.servicenow.exchange import Exchange
from snow_preflight.severity import Severity

#: The format version of report.json (see the README, "report.json and its schema").
SCHEMA_VERSION = 1


class Outcome(StrEnum):
    """What a check found. See DESIGN.md, "Outcomes"."""

    PASSED = "passed"  # verified good
    FAILED = "failed"  # verified bad: the instance shows the misconfiguration
    ERROR = "error"  # could not verify: denied, hidden by ACL, unreachable, unexpected answer
    SKIPPED = "skipped"  # not applicable, or blocked by an earlier check


class Verdict(StrEnum):
    """The run's go/no-go decision at its gate."""

    GO = "go"
    NO_GO = "no-go"


class EvidenceItem(BaseModel):
    """One fact a check saw, pass or fail."""

    label: str
    value: str
    link: str | None = None


class Link(BaseModel):
    """A deep link into the instance."""

    label: str
    url: str


class CheckResult(BaseModel):
    """One result row: a check, or one item of a parametrised check."""

    id: str = Field(
        description='Unique within the run and stable between runs, e.g. "rest_method_uses_mid[POST - Run Webhook]".'
    )
    check: str = Field(description='The check\'s id without the item, e.g. "rest_method_uses_mid".')
    item: str | None = Field(
        default=None, description='The item of a parametrised check, e.g. "POST - Run Webhook".'
    )
    area: str = Field(
        description='The part of the setup checked: "instance", "app", "roles", "mid", "rest", ...'
    )
    title: str = Field(description="The good state the check verifies, as a sentence.")
    outcome: Outcome
    severity: Severity
    message: str = Field(default="", description="One sentence: what was seen.")
    evidence: list[EvidenceItem] = Field(
        default_factory=list, description="What the check saw, pass or fail."
    )
    remediation: list[str] = Field(
        default_factory=list, description="Numbered steps to fix it, in ServiceNow's own UI words."
    )
    links: list[Link] = Field(default_factory=list, description="Deep links into the instance.")
    blocked_by: str | None = Field(
        default=None,
        description="Id of the check whose outcome skipped this one, when it was skipped as blocked.",
    )
    duration_ms: float = Field(default=0.0, description="How long judging took, in milliseconds.")

    @property
    def gating(self) -> bool:
        """True for outcomes that can fail the gate (failed or error)."""
        return self.outcome in (Outcome.FAILED, Outcome.ERROR)

    def fails_gate(self, gate: Severity) -> bool:
        """True when this result alone makes the run no-go at *gate*."""
        return self.gating and self.severity.at_least(gate)


class Counts(BaseModel):
    """How many results had each outcome."""

    passed: int = 0
    failed: int = 0
    error: int = 0
    skipped: int = 0
    total: int = 0


class RunInfo(BaseModel):
    """The facts of one run."""

    instance: str = Field(description="The instance's base URL, e.g. https://acme.service-now.com.")
    login: str = Field(description="User name of the login that read the instance (never a secret).")
    tool_version: str = Field(description="The snow-preflight version that judged the run.")
    started_at: datetime = Field(description="When the run started (UTC, ISO 8601).")
    duration_s: float = Field(description="How long the run took, in seconds.")
    gate: Severity = Field(description="A failed or error result at or above this severity means no-go.")
    verdict: Verdict
    counts: Counts
    python: str = Field(default="", description="The Python version that ran it.")
    platform: str = Field(default="", description="The operating system that ran it.")
    not_run: list[str] = Field(
        default_factory=list,
        description="Checks of the checklist this run did not judge (deselected with -k, -m, a file path, --only).",
    )
    replayed_from: str | None = Field(
        default=None,
        description="The support bundle this run re-judged offline; started_at is then the original run's time.",
    )


class RunReport(BaseModel):
    """Everything one run produced; the only input of the renderers."""

    schema_version: int = Field(
        default=SCHEMA_VERSION,
        description="The format version of this file; a reader refuses a version newer than it knows.",
    )
    run: RunInfo
    results: list[CheckResult] = Field(description="One row per check, or per item of a parametrised check.")
    exchanges: list[Exchange] = Field(
        default_factory=list,
        description="Every HTTP request the run made, redacted (no header, no credential).",
    )


def count(results: list[CheckResult]) -> Counts:
    counts = Counts(total=len(results))
    for result in results:
        setattr(counts, result.outcome.value, getattr(counts, result.outcome.value) + 1)
    return counts


def verdict(results: list[CheckResult], gate: Severity) -> Verdict:
    """No-go when any failed or error result is at or above the gate severity."""
    blocking = any(r.fails_gate(gate) for r in results)
    return Verdict.NO_GO if blocking else Verdict.GO
