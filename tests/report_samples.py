"""Sample result models for the renderer tests: a realistic run with every outcome, and nasty strings.

Not a test module (no ``test_`` prefix): the report tests import it by name.
"""

from __future__ import annotations

from datetime import UTC, datetime

from snow_preflight.reports.model import (
    CheckResult,
    EvidenceItem,
    Link,
    Outcome,
    RunInfo,
    RunReport,
    count,
    verdict,
)
from snow_preflight.servicenow.exchange import Exchange
from snow_preflight.severity import Severity

BASE = "https://acme.service-now.com"
FN_SYS_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
MSG_SYS_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
MID_SYS_ID = "5c8e2f0a1b3d4e6f7a8b9c0d1e2f3a4b"
USER_SYS_ID = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"

#: Markup an instance could hold in any field; it must show as text and never run.
IMG_MARKUP = "<img src=x onerror=alert(1)>"
SCRIPT_MARKUP = "<script>alert(1)</script>"

#: Strings an instance may hold that are hard to put into XML or HTML.
NASTY = {
    "nul": "before\x00after",
    "controls": "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A)) + "\x7f",
    "c1": "\x80\x84\x86\x9f",
    "surrogate": "lone \ud800 high and \udfff low",
    "nonchar": "\ufffe\uffff\ufdd0\U0001fffe",
    "emoji": "\U0001f680 launch \U0001f525 \u2705 \U0001f1e9\U0001f1ea",
    "markup": IMG_MARKUP + SCRIPT_MARKUP + "<b>bold</b>&amp;",
    "cdata_end": "a]]>b<![CDATA[c]]>d",
    "quotes": "\"double\" 'single' `back`",
    "crlf": "line one\r\nline two\rline three",
    "long": "x" * 200_000,
}


def deep_link(table: str, sys_id: str) -> str:
    return f"{BASE}/{table}.do?sys_id={sys_id}"


def _result(
    check: str,
    *,
    area: str,
    title: str,
    outcome: Outcome,
    severity: Severity,
    message: str = "",
    item: str | None = None,
    evidence: list[EvidenceItem] | None = None,
    remediation: list[str] | None = None,
    links: list[Link] | None = None,
    blocked_by: str | None = None,
    duration_ms: float = 1.0,
) -> CheckResult:
    return CheckResult(
        id=f"{check}[{item}]" if item is not None else check,
        check=check,
        item=item,
        area=area,
        title=title,
        outcome=outcome,
        severity=severity,
        message=message,
        evidence=evidence or [],
        remediation=remediation or [],
        links=links or [],
        blocked_by=blocked_by,
        duration_ms=duration_ms,
    )


def sample_results(*, planted: bool = False) -> list[CheckResult]:
    """A checklist run with every outcome; *planted* puts markup into instance-derived fields."""
    mid_value = IMG_MARKUP if planted else "(empty)"
    method_message = (
        f"HTTP method 'POST - Run Webhook' calls Rundeck directly, not through a MID Server {SCRIPT_MARKUP}."
        if planted
        else "HTTP method 'POST - Run Webhook' calls Rundeck directly, not through a MID Server."
    )
    fn_link = deep_link("sys_rest_message_fn", FN_SYS_ID)
    return [
        _result(
            "instance_reachable",
            area="instance",
            title="The instance answers the Table API over HTTPS",
            outcome=Outcome.PASSED,
            severity=Severity.CRITICAL,
            message="GET /api/now/table/sys_properties answered 200 in 212 ms.",
            evidence=[
                EvidenceItem(label="URL", value=BASE, link=BASE),
                EvidenceItem(label="Build", value="glide-xanadu-07-02-2024__patch4"),
            ],
            duration_ms=212.4,
        ),
        _result(
            "login_authenticated",
            area="instance",
            title="The login authenticates",
            outcome=Outcome.PASSED,
            severity=Severity.CRITICAL,
            message="The login rundeck.integration authenticated with basic auth.",
            evidence=[
                EvidenceItem(
                    label="User",
                    value="rundeck.integration",
                    link=deep_link("sys_user", USER_SYS_ID),
                )
            ],
        ),
        _result(
            "app_installed",
            area="app",
            title="The PagerDuty Process Automation app is installed and active",
            outcome=Outcome.PASSED,
            severity=Severity.CRITICAL,
            message="Scope x_pd_process_autom version 2.3.1 is installed and active.",
            evidence=[
                EvidenceItem(label="Scope", value="x_pd_process_autom"),
                EvidenceItem(label="Version", value="2.3.1"),
            ],
        ),
        _result(
            "login_has_role",
            item="web_service_admin",
            area="roles",
            title="The login holds the role web_service_admin",
            outcome=Outcome.ERROR,
            severity=Severity.HIGH,
            message="sys_user_has_role answered 200 with no rows while X-Total-Count is 3: hidden by ACL.",
            evidence=[
                EvidenceItem(label="Table", value="sys_user_has_role"),
                EvidenceItem(label="X-Total-Count", value="3"),
                EvidenceItem(label="Rows returned", value="0"),
            ],
            remediation=[
                "Grant the login read access to sys_user_has_role (role snc_read_only, or an ACL on it).",
                "Re-run the pre-flight.",
            ],
        ),
        _result(
            "login_has_role",
            item="x_pd_process_autom.app_user",
            area="roles",
            title="The login holds the role x_pd_process_autom.app_user",
            outcome=Outcome.SKIPPED,
            severity=Severity.HIGH,
            message="Blocked: login_has_role[web_service_admin] could not read the role rows.",
            blocked_by="login_has_role[web_service_admin]",
        ),
        _result(
            "mid_server_up",
            item="mid-prod-01",
            area="mid",
            title="The MID Server mid-prod-01 is Up and validated",
            outcome=Outcome.FAILED,
            severity=Severity.CRITICAL,
            message="MID Server mid-prod-01 is Up but not validated.",
            evidence=[
                EvidenceItem(label="Name", value="mid-prod-01", link=deep_link("ecc_agent", MID_SYS_ID)),
                EvidenceItem(label="Status", value="Up"),
                EvidenceItem(label="Validated", value="false"),
                EvidenceItem(label="Last refreshed", value="2024-05-01 09:29:41"),
            ],
            remediation=[
                "MID Server > Servers > mid-prod-01: open the record.",
                "Under Related Links, select Validate, then wait for Validated to show true.",
                "Re-run the pre-flight.",
            ],
            links=[Link(label="MID Server mid-prod-01", url=deep_link("ecc_agent", MID_SYS_ID))],
        ),
        _result(
            "rest_message_present",
            area="rest",
            title="The REST Message Rundeck - API exists",
            outcome=Outcome.PASSED,
            severity=Severity.CRITICAL,
            message="REST Message 'Rundeck - API' found with 2 HTTP methods.",
            evidence=[
                EvidenceItem(
                    label="REST Message",
                    value="Rundeck - API",
                    link=deep_link("sys_rest_message", MSG_SYS_ID),
                ),
                EvidenceItem(label="Endpoint", value="https://rundeck.acme.internal:4443"),
            ],
        ),
        _result(
            "rest_method_uses_mid",
            item="POST - Run Webhook",
            area="rest",
            title="Every HTTP method of Rundeck - API routes through a MID Server",
            outcome=Outcome.FAILED,
            severity=Severity.CRITICAL,
            message=method_message,
            evidence=[
                EvidenceItem(label="Method", value="POST - Run Webhook", link=fn_link),
                EvidenceItem(label="Use MID Server", value=mid_value),
                EvidenceItem(
                    label="Endpoint", value="https://rundeck.acme.internal:4443/api/webhook/${token}"
                ),
            ],
            remediation=[
                "System Web Services > REST Message > Rundeck - API > HTTP Methods > POST - Run Webhook >"
                " HTTP Request tab: set Use MID Server to mid-prod-01, then Update.",
                "Re-run the pre-flight.",
            ],
            links=[Link(label="HTTP method POST - Run Webhook", url=fn_link)],
        ),
        _result(
            "rest_method_uses_mid",
            item="GET - Job Status",
            area="rest",
            title="Every HTTP method of Rundeck - API routes through a MID Server",
            outcome=Outcome.PASSED,
            severity=Severity.CRITICAL,
            message="HTTP method 'GET - Job Status' uses MID Server mid-prod-01.",
            evidence=[
                EvidenceItem(label="Method", value="GET - Job Status"),
                EvidenceItem(label="Use MID Server", value="mid-prod-01"),
            ],
        ),
        _result(
            "rest_endpoint_https",
            area="rest",
            title="The REST Message endpoint uses HTTPS",
            outcome=Outcome.FAILED,
            severity=Severity.LOW,
            message="The endpoint names port 4443 instead of the default.",
            evidence=[EvidenceItem(label="Endpoint", value="https://rundeck.acme.internal:4443")],
            remediation=["Nothing to do if port 4443 is intended."],
        ),
    ]


def sample_exchanges() -> list[Exchange]:
    return [
        Exchange(
            method="GET",
            path="/api/now/table/sys_properties",
            status=200,
            elapsed_ms=212.4,
            source="instance",
        ),
        Exchange(method="GET", path="/api/now/table/sys_user", status=200, elapsed_ms=98.0, source="login"),
        Exchange(
            method="GET",
            path="/api/now/table/sys_user_has_role",
            status=200,
            elapsed_ms=101.5,
            source="roles",
        ),
        Exchange(method="GET", path="/api/now/table/ecc_agent", status=200, elapsed_ms=87.2, source="mids"),
        Exchange(
            method="GET",
            path="/api/now/table/sys_rest_message_fn",
            status=None,
            elapsed_ms=30000.0,
            retries=2,
            error="timeout",
            source="rest_methods",
        ),
    ]


def sample_run(
    *, planted: bool = False, gate: Severity = Severity.HIGH, results: list[CheckResult] | None = None
) -> RunReport:
    """A whole RunReport: every outcome, a no-go verdict at the default gate, a request log."""
    rows = sample_results(planted=planted) if results is None else results
    return RunReport(
        run=RunInfo(
            instance=BASE,
            login="rundeck.integration",
            tool_version="0.1.0",
            started_at=datetime(2024, 5, 1, 9, 30, 0, tzinfo=UTC),
            duration_s=1.84,
            gate=gate,
            verdict=verdict(rows, gate),
            counts=count(rows),
            python="3.11.7",
            platform="Linux-6.1.0-x86_64-with-glibc2.36",
        ),
        results=rows,
        exchanges=sample_exchanges(),
    )


def passing_run() -> RunReport:
    """A run where every check passed: the verdict is go."""
    rows = [r.model_copy(update={"outcome": Outcome.PASSED}) for r in sample_results()]
    return sample_run(results=rows)


def nasty_run() -> RunReport:
    """A run whose every instance-derived field holds each nasty string."""
    rows: list[CheckResult] = []
    for name, text in NASTY.items():
        rows.append(
            _result(
                "nasty",
                item=f"{name} {text[:64]}",
                area="rest",
                title=f"Title {text}",
                outcome=Outcome.FAILED if name != "emoji" else Outcome.ERROR,
                severity=Severity.HIGH,
                message=f"Message {text}",
                evidence=[EvidenceItem(label=f"Label {text}", value=text, link=f"{BASE}/x.do?q={text[:32]}")],
                remediation=[f"Step {text}"],
                links=[Link(label=f"Link {text[:40]}", url=f"javascript:alert('{text[:16]}')")],
                blocked_by=None,
            )
        )
    rows.append(
        _result(
            "nasty_skip",
            area="app",
            title="Skipped",
            outcome=Outcome.SKIPPED,
            severity=Severity.INFO,
            message=NASTY["controls"] + NASTY["surrogate"],
        )
    )
    return sample_run(results=rows)
