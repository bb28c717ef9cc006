"""Configured vs delivered: each HTTP method's last call through the MID Server, judged from the ECC queue.

Every ECC case of the simulator (delivered, MID could not connect, DNS, certificate refused, proxy, 404 from
Rundeck, 401/403, 5xx, unanswered, stuck in processing, unreadable status, no traffic) is run through the
whole checklist over sockets, and each result's outcome and cause in words are asserted one by one.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from snow_preflight.reports.model import CheckResult, Outcome, RunReport
from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.simulator import Simulator

P, F, E, S = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED
POST, HOOKS, PROJECTS = "POST - Run Webhook", "GET - Webhooks", "GET - Projects"
_REPORTS: dict[tuple[str, tuple[tuple[str, object], ...]], RunReport] = {}


@pytest.fixture(scope="module")
def report_of(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., RunReport]:
    """Each scenario's report (with the given settings), run once for the whole module."""

    def get(scenario: str, **flags: object) -> RunReport:
        key = (scenario, tuple(sorted(flags.items())))
        if key not in _REPORTS:
            with Simulator(scenario) as sim:
                out = tmp_path_factory.mktemp(scenario)
                outcome = run_checklist(simulator_settings(sim, report_dir=out, **flags))
            assert outcome.report is not None
            _REPORTS[key] = outcome.report
        return _REPORTS[key]

    return get


def delivery(report: RunReport, method: str) -> CheckResult:
    return next(r for r in report.results if r.id == f"rest_method_delivered[{method}]")


def evidence(result: CheckResult) -> dict[str, str]:
    return {item.label: item.value for item in result.evidence}


#: (scenario, method) → (outcome, words the message must hold, words one remediation step must hold)
CASES = {
    ("delivery_ok", POST): (P, "reached Rundeck 8 min ago through `prod-mid-server`: HTTP 200 in 187 ms", ""),
    ("delivery_ok", HOOKS): (P, "HTTP 200 in under 1 s (between the ECC queue rows)", ""),
    ("delivery_ok", PROJECTS): (P, "reached Rundeck 30 min ago", ""),
    ("delivery_mid_cannot_connect", POST): (
        F,
        "could not connect to Rundeck (refused, timed out or unreachable): java.net.ConnectException",
        "check that Rundeck's host and port answer",
    ),
    ("delivery_mid_cannot_connect", PROJECTS): (
        F,
        "could not resolve Rundeck's host name (DNS): java.net.UnknownHostException",
        "check that Rundeck's host name resolves",
    ),
    ("delivery_certificate_refused", POST): (
        F,
        "refused Rundeck's TLS certificate (it does not trust the issuer, or the name does not match)",
        "Make the MID Server trust Rundeck's certificate",
    ),
    ("delivery_certificate_refused", PROJECTS): (
        F,
        "a proxy between the MID Server host and Rundeck refused or could not pass on the call",
        "glide.http.proxy_host",
    ),
    ("delivery_rundeck_refused", POST): (
        F,
        "Rundeck answered 404: the webhook is disabled or deleted, or its token was regenerated",
        "Populate Webhooks",
    ),
    ("delivery_rundeck_refused", HOOKS): (
        F,
        "Rundeck refused the call with HTTP 403: the app's Rundeck API token is wrong or expired",
        "set a valid Rundeck API token",
    ),
    ("delivery_rundeck_refused", PROJECTS): (F, "Rundeck answered HTTP 500", "service.log"),
    ("delivery_unanswered", POST): (
        F,
        "the MID Server never picked the call up: it has waited 30 min in state ready (limit 5 min)",
        "check that it is Up and validated",
    ),
    ("delivery_unanswered", PROJECTS): (
        F,
        "the MID Server took the call but has not answered after 20 min",
        "restarting the MID Server service",
    ),
    ("delivery_unreadable_status", POST): (
        E,
        "could not read the status of the answer to `POST - Run Webhook`'s call of",
        "read the HTTP status in its payload",
    ),
    ("delivery_unreadable_status", PROJECTS): (E, "is not the XML a MID Server writes", ""),
    ("delivery_unreadable_status", HOOKS): (E, "the answer row's payload names no HTTP status", ""),
    ("delivery_quiet", POST): (
        S,
        "no call of `POST - Run Webhook` went through a MID Server in the last 24 h",
        "",
    ),
    ("healthy", HOOKS): (S, "no call of `GET - Webhooks` went through a MID Server in the last 24 h", ""),
    ("method_without_mid", PROJECTS): (S, "calls Rundeck directly, not through a MID Server", ""),
    ("restprobe_failures", PROJECTS): (F, "could not connect to Rundeck", ""),
    ("restprobe_failures", POST): (P, "reached Rundeck 15 min ago", ""),
}


@pytest.mark.parametrize(("scenario", "method"), sorted(CASES))
def test_each_ecc_case_gives_its_outcome_and_its_cause_in_words(
    scenario: str, method: str, report_of: Callable[..., RunReport]
) -> None:
    """Each method's last call gives the outcome of its case, a message naming the cause, and the steps for it."""
    outcome, words, step = CASES[scenario, method]
    result = delivery(report_of(scenario), method)
    assert (result.outcome, result.severity.value) == (outcome, "medium")
    assert words in result.message
    assert "\n" not in result.message
    if step:
        assert any(step in line for line in result.remediation), result.remediation


def test_a_failed_call_gets_only_the_steps_for_its_cause(report_of: Callable[..., RunReport]) -> None:
    """A refused certificate is told about trust stores, not about DNS, proxies or webhook tokens."""
    steps = " ".join(delivery(report_of("delivery_certificate_refused"), POST).remediation)
    assert "trust store" in steps
    assert not [other for other in ("nslookup", "proxy_host", "Populate Webhooks") if other in steps]


def test_a_delivered_call_records_when_which_mid_status_and_round_trip(
    report_of: Callable[..., RunReport],
) -> None:
    """The evidence of a delivered call names when, through which MID Server, the status and the round trip."""
    seen = evidence(delivery(report_of("delivery_ok"), POST))
    assert seen["Through MID Server"] == "prod-mid-server"
    assert seen["HTTP status"] == "200"
    assert seen["Round trip"] == "187 ms"
    assert seen["Last finished call"].endswith("UTC (8 min ago)")
    # The newer call still waiting for the MID Server is counted, not judged.
    assert seen["Calls in the last 24 h"] == "3 (1 still in flight)"


def test_a_call_without_an_answer_has_no_status(report_of: Callable[..., RunReport]) -> None:
    """An unanswered call's evidence says there was no HTTP answer, never a status of its own."""
    seen = evidence(delivery(report_of("delivery_unanswered"), POST))
    assert seen["HTTP status"] == "(none: no HTTP answer)"
    assert "Round trip" not in seen


def test_a_quiet_instance_stays_go(report_of: Callable[..., RunReport]) -> None:
    """With no RESTProbe traffic at all, every delivery row is skipped and the run is GO."""
    report = report_of("delivery_quiet")
    rows = [r for r in report.results if r.check == "rest_method_delivered"]
    assert {r.outcome for r in rows} == {S}
    assert len(rows) == 3
    assert report.run.verdict.value == "go"


def test_failed_deliveries_stay_below_the_default_gate(report_of: Callable[..., RunReport]) -> None:
    """A failed delivery is medium: the run is still GO at the default gate and NO-GO at --fail-on medium."""
    assert report_of("delivery_rundeck_refused").run.verdict.value == "go"
    assert report_of("delivery_rundeck_refused", fail_on="medium").run.verdict.value == "no-go"


def test_an_unreadable_ecc_queue_is_one_could_not_verify_row(report_of: Callable[..., RunReport]) -> None:
    """A login that may not read ecc_queue gets one error row with the steps to read it, never 'no traffic'."""
    rows = [r for r in report_of("ecc_queue_denied").results if r.check == "rest_method_delivered"]
    assert [(r.id, r.outcome) for r in rows] == [("rest_method_delivered", E)]
    assert any("ecc_queue" in step and "ACL" in step for step in rows[0].remediation)


def test_the_window_is_a_setting(report_of: Callable[..., RunReport]) -> None:
    """--delivery-window 1 leaves out the call of two hours ago and says '1 h', as the traffic row does."""
    result = delivery(report_of("healthy", delivery_window_hours=1), PROJECTS)
    assert result.outcome is S
    assert "in the last 1 h" in result.message
    assert delivery(report_of("healthy", delivery_window_hours=1), POST).outcome is P
    traffic = next(
        r
        for r in report_of("healthy", delivery_window_hours=1).results
        if r.id == "rest_probe_traffic_healthy"
    )
    assert "of the last 1 h" in traffic.message


def test_the_endpoint_is_shown_without_its_webhook_token(report_of: Callable[..., RunReport]) -> None:
    """The endpoint in the evidence keeps its host and path but not the webhook token."""
    seen = evidence(delivery(report_of("delivery_ok"), POST))
    assert seen["Endpoint"] == "https://rundeck.corp.example.com:4440/api/41/webhook/[REDACTED]"


def test_the_report_links_the_call_in_the_ecc_queue(report_of: Callable[..., RunReport]) -> None:
    """The result links the ECC queue row of the judged call and of its answer."""
    links = [link.url for link in delivery(report_of("delivery_ok"), POST).links]
    assert len(links) == 2
    assert all("/ecc_queue.do?sys_id=" in url for url in links)
