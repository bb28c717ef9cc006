"""The whole checklist against each simulated instance, over sockets: every outcome is as expected."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from snow_preflight.reports.model import Outcome, RunReport
from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.settings import resolve
from snow_preflight.simulator import Simulator

P, F, E, S = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED
MID = "prod-mid-server"
METHODS = ("POST - Run Webhook", "GET - Webhooks", "GET - Projects")
ROLES = ("web_service_admin", "x_pd_process_autom.app_user")
#: The checks that run once per MID Server (the split of what was one mid_server_up row).
MID_CHECKS = ("mid_server_up", "mid_server_release_matches", "mid_server_no_open_issues")
REST_AFTER_MESSAGE = (
    "rest_methods_share_mid",
    "rest_documented_methods_present",
    "rest_probe_traffic_healthy",
)
DELIVERED = "rest_method_delivered"
#: Rundeck is not asked about unless --rundeck-url is given: one skipped row per check.
RUNDECK_OFF = dict.fromkeys(
    ("rundeck_api_reachable", "rundeck_project_present", "rundeck_webhook_enabled"), Outcome.SKIPPED
)
#: The checks that run once per HTTP method, and become one row when the methods cannot be listed.
PER_METHOD = ("rest_method_uses_mid", DELIVERED)


def delivered(post: Outcome, webhooks: Outcome, projects: Outcome) -> dict[str, Outcome]:
    """The rows of rest_method_delivered, one per documented method."""
    return {f"{DELIVERED}[{m}]": o for m, o in zip(METHODS, (post, webhooks, projects), strict=True)}


def mids(label: str, *outcomes: Outcome) -> dict[str, Outcome]:
    """The rows of the MID Server checks for one MID Server (up, release, issues), in that order."""
    return {f"{check}[{label}]": outcome for check, outcome in zip(MID_CHECKS, outcomes, strict=True)}


def healthy(mid: str = MID) -> dict[str, Outcome]:
    """The outcome of every result row on a healthy instance, seen by the demo login (not an admin).

    The demo login cannot read mid.buildstamp (non-admins read sys_properties as empty), so the release
    row is could-not-verify: medium, below the default gate.
    """
    return {
        "instance_reachable": P,
        "login_authenticated": P,
        "app_installed": P,
        **{f"login_has_role[{role}]": P for role in ROLES},
        "integration_user_has_role": S,
        **mids(mid, P, E, P),
        "rest_message_present": P,
        **{f"rest_method_uses_mid[{name}]": P for name in METHODS},
        **dict.fromkeys(REST_AFTER_MESSAGE, P),
        # The healthy ECC queue holds a call of two methods; 'GET - Webhooks' had no traffic.
        **delivered(P, S, P),
        **RUNDECK_OFF,
    }


def without(outcomes: dict[str, Outcome], *prefixes: str) -> dict[str, Outcome]:
    return {k: v for k, v in outcomes.items() if not k.startswith(prefixes)}


def blocked_after_login(first: Outcome) -> dict[str, Outcome]:
    """Reachability decided, everything after it skipped as blocked."""
    outcomes = without(dict.fromkeys(healthy(), S), *(f"{c}[" for c in (*MID_CHECKS, *PER_METHOD)))
    outcomes |= dict.fromkeys((*MID_CHECKS, *PER_METHOD), S)
    return outcomes | first_rows(first)


def first_rows(reachable: Outcome) -> dict[str, Outcome]:
    if reachable is F:
        return {"instance_reachable": F, "login_authenticated": S}
    return {"instance_reachable": P, "login_authenticated": F}


def no_message() -> dict[str, Outcome]:
    """The REST message cannot be judged: every check after it is skipped, and no MID Server is named."""
    return without(healthy(), *(f"{c}[" for c in (*MID_CHECKS, *PER_METHOD))) | {
        **dict.fromkeys(MID_CHECKS, S),
        "rest_message_present": S,
        **dict.fromkeys(PER_METHOD, S),
        **dict.fromkeys(REST_AFTER_MESSAGE, S),
    }


def run(scenario: str, tmp_path: Path, **flags: object) -> RunReport:
    with Simulator(scenario) as sim:
        # A short time budget: the rate-limited scenario asks for 30 s, which must end in a diagnosis.
        settings = simulator_settings(sim, report_dir=tmp_path / "out", time_budget=5, **flags)
        outcome = run_checklist(settings)
    assert outcome.report is not None
    return outcome.report


def outcomes_of(report: RunReport) -> dict[str, Outcome]:
    return {re.sub(r"\[[0-9a-f]{32}\]$", "[<sys_id>]", r.id): r.outcome for r in report.results}


CASES: dict[str, dict[str, Outcome]] = {
    "healthy": healthy(),
    # A method that calls Rundeck directly leaves no ECC queue rows: its delivery row is skipped, saying so.
    "method_without_mid": healthy()
    | {"rest_method_uses_mid[GET - Projects]": F, "rest_methods_share_mid": F}
    | delivered(P, S, S),
    "typical": healthy()
    | {f"mid_server_up[{MID}]": F, "rest_method_uses_mid[GET - Projects]": F, "rest_methods_share_mid": F}
    | delivered(P, S, S),
    "app_inactive": healthy()
    | {
        "app_installed": F,
        "rest_message_present": S,
        **{f"rest_method_uses_mid[{m}]": S for m in METHODS},
        **dict.fromkeys(REST_AFTER_MESSAGE, S),
    }
    | delivered(S, S, S),
    # Only the legacy app: its own message is the one whose MID Servers are judged, as before.
    "legacy_app": healthy()
    | {
        "app_installed": F,
        "login_has_role[x_pd_process_autom.app_user]": F,
        "rest_message_present": S,
        **{f"rest_method_uses_mid[{m}]": S for m in METHODS},
        **dict.fromkeys(REST_AFTER_MESSAGE, S),
    }
    | delivered(S, S, S),
    # An admin login reads mid.buildstamp, so its release row is verified.
    "login_is_admin_only": healthy() | mids(MID, P, P, P) | {f"login_has_role[{role}]": F for role in ROLES},
    "rest_message_missing": no_message()
    | {"rest_message_present": F, **dict.fromkeys(REST_AFTER_MESSAGE, S)},
    # 'GET - Projects' now names prod-mid-server-2, which made none of its calls: no traffic of its own.
    "methods_split_across_mids": healthy()
    | mids("prod-mid-server-2", P, E, P)
    | {"rest_methods_share_mid": F}
    | delivered(P, S, S),
    # The newest call of each method decides: the POST delivered 15 min ago, after its failures.
    "restprobe_failures": healthy() | {"rest_probe_traffic_healthy": F} | delivered(P, F, F),
    # Open issues are their own medium row: the MID Server is still Up, so the gate stays GO.
    "mid_open_issue": healthy() | mids(MID, P, E, F),
    "interstitial": blocked_after_login(F),
    "interstitial_redirect": blocked_after_login(F),
    "server_error": blocked_after_login(F),
    "rate_limited": blocked_after_login(F),
    "mid_down": healthy()
    | {f"mid_server_up[{MID}]": F, **{f"rest_method_uses_mid[{m}]": F for m in METHODS}},
    "mid_not_validated": healthy()
    | {f"mid_server_up[{MID}]": F, **{f"rest_method_uses_mid[{m}]": F for m in METHODS}},
    "mid_stale_heartbeat": healthy() | {f"mid_server_up[{MID}]": F},
    # The demo login cannot read mid.buildstamp: the release row is could-not-verify, never passed.
    "mid_version_mismatch": healthy(),
    "app_missing": no_message() | {"app_installed": F, "login_has_role[x_pd_process_autom.app_user]": F},
    "role_missing": healthy() | {"login_has_role[x_pd_process_autom.app_user]": F},
    "roles_via_group": healthy(),
    "roles_via_contained_role": healthy(),
    # Row ACLs hide the MID record, so even its name is unknown: the row is named by the method's sys_id.
    "mid_table_hidden": without(healthy(), *(f"{c}[" for c in MID_CHECKS))
    | mids("<sys_id>", E, E, E)
    | {f"rest_method_uses_mid[{m}]": E for m in METHODS},
    "roles_table_denied": healthy() | {f"login_has_role[{role}]": E for role in ROLES},
    "hibernating": blocked_after_login(F),
    # A field ACL withholds use_mid_server: which MID Server, if any, is unknown; never "calls directly".
    "field_masked_use_mid_server": without(healthy(), *(f"{c}[" for c in MID_CHECKS))
    | mids("unseen", E, E, E)
    | {f"rest_method_uses_mid[{m}]": E for m in METHODS}
    | {"rest_methods_share_mid": E},
    # A field ACL withholds the MID Server's status: could-not-verify, never "status is empty".
    "field_masked_mid_status": healthy()
    | {f"mid_server_up[{MID}]": E, **{f"rest_method_uses_mid[{m}]": E for m in METHODS}},
    # A row ACL hides one method: it is an error row of its own, and so are the MID Servers it may name.
    "method_row_hidden": without(
        healthy(), "rest_method_uses_mid[GET - Webhooks]", f"{DELIVERED}[GET - Webhooks]"
    )
    | mids("unseen", E, E, E)
    | {"rest_method_uses_mid[unseen]": E, **dict.fromkeys(REST_AFTER_MESSAGE, E), f"{DELIVERED}[unseen]": E},
    # Copies of the message in other scopes are listed, never judged: the app's own methods all pass.
    "legacy_app_beside_new": healthy(),
    "global_copy_of_message": healthy(),
    "buildstamp_unreadable": healthy(),
    # The ECC queue cannot be read: one could-not-verify row stands for every method's delivery.
    "ecc_queue_denied": without(healthy(), f"{DELIVERED}[") | {"rest_probe_traffic_healthy": E, DELIVERED: E},
    # What a least-privilege login cannot read is could-not-verify, below the default gate: still GO.
    "least_privilege_healthy": without(healthy(), f"{DELIVERED}[")
    | mids(MID, P, E, E)
    | {"rest_probe_traffic_healthy": E, DELIVERED: E},
    # Each ECC case of the last call through the MID Server (the causes are asserted in test_delivery.py).
    "delivery_ok": healthy() | delivered(P, P, P),
    "delivery_mid_cannot_connect": healthy() | {"rest_probe_traffic_healthy": F} | delivered(F, S, F),
    "delivery_certificate_refused": healthy() | {"rest_probe_traffic_healthy": F} | delivered(F, S, F),
    "delivery_rundeck_refused": healthy() | {"rest_probe_traffic_healthy": F} | delivered(F, F, F),
    "delivery_unanswered": healthy() | {"rest_probe_traffic_healthy": F} | delivered(F, S, F),
    "delivery_quiet": healthy() | delivered(S, S, S),
    "delivery_unreadable_status": healthy() | delivered(E, E, E),
}

_REPORTS: dict[str, RunReport] = {}


@pytest.fixture(scope="module")
def report_of(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], RunReport]:
    """Each scenario's report, run once for the whole module (both tests below read it)."""

    def get(scenario: str) -> RunReport:
        if scenario not in _REPORTS:
            _REPORTS[scenario] = run(scenario, tmp_path_factory.mktemp(scenario))
        return _REPORTS[scenario]

    return get


@pytest.mark.parametrize("scenario", sorted(CASES))
def test_every_outcome_matches_the_scenario(scenario: str, report_of: Callable[[str], RunReport]) -> None:
    """Each scenario yields exactly the expected outcome for every result row."""
    assert outcomes_of(report_of(scenario)) == CASES[scenario]


@pytest.mark.parametrize("scenario", sorted(CASES))
def test_every_row_that_did_not_pass_says_why_and_what_to_do(
    scenario: str, report_of: Callable[[str], RunReport]
) -> None:
    """Failed and error rows carry a message and filled-in remediation; skipped rows name their reason."""
    for result in report_of(scenario).results:
        assert result.message, result.id
        if result.outcome in (F, E):
            assert result.remediation, result.id
            assert not any("{" in step for step in result.remediation), (result.id, result.remediation)
        if result.outcome is S and result.blocked_by:
            assert result.message.startswith("blocked by "), result.id


def test_least_privilege_login_on_a_healthy_instance_gets_go(report_of: Callable[[str], RunReport]) -> None:
    """What a least-privilege login cannot read shows as error rows below the default gate, and the run is GO."""
    report = report_of("least_privilege_healthy")
    assert report.run.verdict.value == "go"
    errors = {r.id: r.severity.value for r in report.results if r.outcome is E}
    assert errors == {
        f"mid_server_release_matches[{MID}]": "medium",
        f"mid_server_no_open_issues[{MID}]": "medium",
        "rest_probe_traffic_healthy": "medium",
        DELIVERED: "medium",
    }


def test_wrong_password_fails_login_and_blocks_the_rest(tmp_path: Path) -> None:
    """A wrong password is a failed login; no role is reported missing."""
    with Simulator("healthy") as sim:
        settings = resolve(
            {
                "base_url": sim.url,
                "username": "svc_preflight",
                "password": "wrong-pw-123",
                "report_dir": tmp_path / "out",
            },
            environ={},
            config_path=None,
        )
        outcome = run_checklist(settings)
    assert outcome.report is not None
    assert outcomes_of(outcome.report) == blocked_after_login(P)
    assert outcome.exit_code == 1


def test_gate_severity_decides_the_exit_status(tmp_path: Path) -> None:
    """A low-severity failure alone passes the default gate and fails --fail-on low."""
    high = run("methods_split_across_mids", tmp_path)
    assert outcomes_of(high)["rest_methods_share_mid"] is F
    assert high.run.verdict.value == "go"
    low = run("methods_split_across_mids", tmp_path, fail_on="low")
    assert low.run.verdict.value == "no-go"


def test_integration_user_roles_are_checked_when_named(tmp_path: Path) -> None:
    """Naming the integration user adds one result row per required role for it."""
    report = run("healthy", tmp_path, integration_user="rundeck.integration")
    rows = {k: v for k, v in outcomes_of(report).items() if k.startswith("integration_user_has_role")}
    assert set(rows) == {f"integration_user_has_role[{role}]" for role in ROLES}


def test_mid_version_out_of_step_is_found_by_a_login_that_can_read_properties(tmp_path: Path) -> None:
    """An admin login reads mid.buildstamp, so a MID Server of another release fails its release row only."""
    report = run("mid_version_mismatch", tmp_path, username="admin", password="admin-demo-pw")
    rows = {r.id: r for r in report.results}
    assert rows[f"mid_server_release_matches[{MID}]"].outcome is F
    assert "release vancouver" in rows[f"mid_server_release_matches[{MID}]"].message
    assert rows[f"mid_server_up[{MID}]"].outcome is P


def test_mid_version_is_not_judged_when_buildstamp_is_unreadable(tmp_path: Path) -> None:
    """A login that cannot read mid.buildstamp gets could-not-verify for the release, with the login's fix."""
    report = run("buildstamp_unreadable", tmp_path)
    row = next(r for r in report.results if r.id == f"mid_server_release_matches[{MID}]")
    assert row.outcome is E
    assert "mid.buildstamp" in row.message
    assert any("sys_properties" in step and "ACL" in step for step in row.remediation)
    assert not any("Upgrade" in step for step in row.remediation)
    assert report.run.verdict.value == "go"


def test_evidence_says_how_each_role_is_held(tmp_path: Path) -> None:
    """Roles held through a group or a containing role say so in the evidence."""
    group = run("roles_via_group", tmp_path)
    held = [
        e.value for r in group.results if r.check == "login_has_role" for e in r.evidence if e.label == "Held"
    ]
    assert held
    assert all(v.startswith("through group") for v in held)
    contained = run("roles_via_contained_role", tmp_path)
    held = [
        e.value
        for r in contained.results
        if r.check == "login_has_role"
        for e in r.evidence
        if e.label == "Held"
    ]
    assert held
    assert all(v.startswith("contained in role") for v in held)
