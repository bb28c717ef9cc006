"""The result model: one run of the checklist, as every renderer sees it.

``report.json`` is this model serialised; ``report.html`` and ``junit.xml`` are pure functions of it.
Its JSON Schema (``reports/report.schema.json``, printed by ``snow-preflight schema``) is generated from
these classes, so the descriptions below are the published documentation of every field. Removing or
renaming a field, or changing what it means, bumps :data:`SCHEMA_VERSION`; adding an optional one does not.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from snow_preflight.reports.waiver import AppliedWaiver, UnusedWaiver
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
    waiver: AppliedWaiver | None = Field(
        default=None,
        description="The waiver that matched this failed or error result; unless expired, it keeps the "
        "outcome but does not fail the gate.",
    )

    @property
    def gating(self) -> bool:
        """True for outcomes that can fail the gate (failed or error)."""
        return self.outcome in (Outcome.FAILED, Outcome.ERROR)

    @property
    def waived(self) -> bool:
        """True when an active waiver accepts this result: it keeps its outcome but never fails the gate."""
        return self.waiver is not None and not self.waiver.expired and self.gating

    def fails_gate(self, gate: Severity) -> bool:
        """True when this result alone makes the run no-go at *gate*."""
        return self.gating and not self.waived and self.severity.at_least(gate)


class Counts(BaseModel):
    """How many results had each outcome."""

    passed: int = 0
    failed: int = 0
    error: int = 0
    skipped: int = 0
    total: int = 0
    waived: int = Field(default=0, description="Failed or error results an active waiver accepts.")


class Expected(BaseModel):
    """What a run held the instance against: the expectations it was given (flags, config file, defaults)."""

    app_scope: str = Field(description="Scope of the app, e.g. x_pd_process_autom.")
    rest_message: str = Field(description="Name of the app's REST message, e.g. Rundeck - API.")
    required_roles: list[str] = Field(description="Roles the login (and the integration user) must hold.")
    expected_mid: str | None = Field(
        default=None,
        description="The MID Server every HTTP method must use; null: any MID Server that is up.",
    )
    heartbeat_max_age_minutes: float = Field(description="Minutes a MID Server heartbeat may be old.")
    integration_user: str | None = Field(default=None, description="The integration account also checked.")


class RunInfo(BaseModel):
    """The facts of one run."""

    instance: str = Field(
        description="The instance's base URL, e.g. https://acme.service-now.com; in a fleet report, every "
        "instance's, comma-separated."
    )
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
    waivers: str | None = Field(default=None, description="The waivers file this run applied (--waivers).")
    os_user: str = Field(default="", description="Who ran it: the operating-system user name.")
    host: str = Field(default="", description="Where it ran: the host name of the machine.")
    ci_job_url: str | None = Field(
        default=None,
        description="The CI job that ran it (Jenkins, GitLab, GitHub Actions or Azure Pipelines); null: not CI.",
    )
    config_file: str | None = Field(default=None, description="The config file it read; null: none.")
    expected: Expected | None = Field(default=None, description="The expectations it judged against.")
    junit_below_gate: Literal["failure", "skipped"] = Field(
        default="failure",
        description="How junit.xml shows failed or error results below the gate (--junit-below-gate).",
    )


class EvidenceChange(BaseModel):
    """One evidence label whose values differ between the baseline and this run."""

    label: str
    before: str | None = Field(default=None, description="Its value(s) in the baseline; null: not recorded.")
    after: str | None = Field(default=None, description="Its value(s) now; null: not recorded.")


class ResultChange(BaseModel):
    """How one result differs from the baseline: its outcome, its evidence, or both."""

    instance: str | None = Field(default=None, description="The fleet instance; null for a single instance.")
    id: str = Field(description="The result id, as in results[].id.")
    title: str
    severity: Severity
    before: Outcome | None = Field(
        default=None, description="The outcome in the baseline; null: no such result."
    )
    after: Outcome | None = Field(default=None, description="The outcome now; null: no such result now.")
    why: str = Field(description='What changed, in words, e.g. "passed → error: visibility lost".')
    evidence: list[EvidenceChange] = Field(default_factory=list)


class Comparison(BaseModel):
    """What changed since a baseline report (``--baseline``, ``snow-preflight diff``), by result id.

    Worse: a result now failed or could not be verified that was not (passed → error is visibility lost), or
    a new result that fails. Better: a failed or error result that now passes. Changed: evidence that
    differs (times and the instance's own URL aside), a result that appeared or went, or was skipped.
    """

    baseline: str = Field(description="The baseline report or bundle, by name.")
    baseline_started_at: datetime = Field(description="When the baseline run started (UTC).")
    baseline_verdict: Verdict
    worse: list[ResultChange] = Field(default_factory=list)
    better: list[ResultChange] = Field(default_factory=list)
    changed: list[ResultChange] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list,
        description="What else differs: the tool version, the gate, instances found in only one report.",
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
    unused_waivers: list[UnusedWaiver] = Field(
        default_factory=list, description="Waivers of the waivers file that waived nothing in this run."
    )
    baseline: Comparison | None = Field(
        default=None, description="What changed since the baseline report named by --baseline."
    )
    instances: list[InstanceReport] = Field(
        default_factory=list,
        description="A fleet run (several instances in one run): each instance's report, in the order given. "
        "Then `run` speaks for the fleet (verdict no-go when any instance is, counts summed) and `results` "
        "and `exchanges` are empty. Empty for a single instance, whose results are above.",
    )


class InstanceReport(RunReport):
    """One instance of a fleet run: its name, and its run as a single-instance report holds it."""

    name: str = Field(description="The instance's name in the fleet: [instances.NAME] or from its host.")
    problem: str | None = Field(
        default=None,
        description="Why this instance has no results (the judging failed; exit 3); null when it was judged.",
    )


RunReport.model_rebuild()


def count(results: list[CheckResult]) -> Counts:
    counts = Counts(total=len(results))
    for result in results:
        setattr(counts, result.outcome.value, getattr(counts, result.outcome.value) + 1)
        counts.waived += result.waived
    return counts


def verdict(results: list[CheckResult], gate: Severity) -> Verdict:
    """No-go when any failed or error result at or above the gate severity is not waived."""
    blocking = any(r.fails_gate(gate) for r in results)
    return Verdict.NO_GO if blocking else Verdict.GO
