"""The whole checklist against each simulated instance, over sockets: every outcome is as expected."""

from __future__ import annotations

import re
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


def healthy(mid: str = MID) -> dict[str, Outcome]:
    """The outcome of every result row on a healthy instance."""
    return {
        "instance_reachable": P,
        "login_authenticated": P,
        "app_installed": P,
        **{f"login_has_role[{role}]": P for role in ROLES},
        "integration_user_has_role": S,
        f"mid_server_up[{mid}]": P,
        "rest_message_present": P,
        **{f"rest_method_uses_mid[{name}]": P for name in METHODS},
        "rest_methods_share_mid": P,
        "rest_documented_methods_present": P,
        "rest_probe_traffic_healthy": P,
    }


def blocked_after_login(first: Outcome) -> dict[str, Outcome]:
    """Reachability decided, everything after it skipped as blocked."""
    outcomes = dict.fromkeys(healthy(), S)
    outcomes = {
        k: v for k, v in outcomes.items() if not k.startswith(("mid_server_up", "rest_method_uses_mid"))
    }
    outcomes |= {"mid_server_up": S, "rest_method_uses_mid": S}
    return outcomes | first_rows(first)


def first_rows(reachable: Outcome) -> dict[str, Outcome]:
    if reachable is F:
        return {"instance_reachable": F, "login_authenticated": S}
    return {"instance_reachable": P, "login_authenticated": F}


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
    "method_without_mid": healthy()
    | {"rest_method_uses_mid[GET - Projects]": F, "rest_methods_share_mid": F},
    "typical": healthy()
    | {f"mid_server_up[{MID}]": F, "rest_method_uses_mid[GET - Projects]": F, "rest_methods_share_mid": F},
    "app_inactive": healthy()
    | {
        "app_installed": F,
        "rest_message_present": S,
        **{f"rest_method_uses_mid[{m}]": S for m in METHODS},
        "rest_methods_share_mid": S,
        "rest_documented_methods_present": S,
        "rest_probe_traffic_healthy": S,
    },
    "legacy_app": healthy()
    | {
        "app_installed": F,
        "login_has_role[x_pd_process_autom.app_user]": F,
        "rest_message_present": S,
        **{f"rest_method_uses_mid[{m}]": S for m in METHODS},
        "rest_methods_share_mid": S,
        "rest_documented_methods_present": S,
        "rest_probe_traffic_healthy": S,
    },
    "login_is_admin_only": healthy() | {f"login_has_role[{role}]": F for role in ROLES},
    "rest_message_missing": {
        k: v for k, v in healthy().items() if "[" not in k or k.startswith("login_has_role")
    }
    | {
        "rest_message_present": F,
        "mid_server_up": S,
        "rest_method_uses_mid": S,
        "rest_methods_share_mid": S,
        "rest_documented_methods_present": S,
        "rest_probe_traffic_healthy": S,
    },
    "methods_split_across_mids": healthy()
    | {"mid_server_up[prod-mid-server-2]": P, "rest_methods_share_mid": F},
    "restprobe_failures": healthy() | {"rest_probe_traffic_healthy": F},
    "mid_open_issue": healthy() | {f"mid_server_up[{MID}]": F},
    "interstitial": blocked_after_login(F),
    "interstitial_redirect": blocked_after_login(F),
    "server_error": blocked_after_login(F),
    "rate_limited": blocked_after_login(F),
    "mid_down": healthy()
    | {f"mid_server_up[{MID}]": F, **{f"rest_method_uses_mid[{m}]": F for m in METHODS}},
    "mid_not_validated": healthy()
    | {f"mid_server_up[{MID}]": F, **{f"rest_method_uses_mid[{m}]": F for m in METHODS}},
    "mid_stale_heartbeat": healthy() | {f"mid_server_up[{MID}]": F},
    "app_missing": {k: v for k, v in healthy().items() if "[" not in k or k.startswith("login_has_role")}
    | {
        "app_installed": F,
        "login_has_role[x_pd_process_autom.app_user]": F,
        "mid_server_up": S,
        "rest_message_present": S,
        "rest_method_uses_mid": S,
        "rest_methods_share_mid": S,
        "rest_documented_methods_present": S,
        "rest_probe_traffic_healthy": S,
    },
    "role_missing": healthy() | {"login_has_role[x_pd_process_autom.app_user]": F},
    "roles_via_group": healthy(),
    "roles_via_contained_role": healthy(),
    # Row ACLs hide the MID record, so even its name is unknown: the row is named by the method's sys_id.
    "mid_table_hidden": {k: v for k, v in healthy().items() if not k.startswith("mid_server_up")}
    | {"mid_server_up[<sys_id>]": E, **{f"rest_method_uses_mid[{m}]": E for m in METHODS}},
    "roles_table_denied": healthy() | {f"login_has_role[{role}]": E for role in ROLES},
    "hibernating": blocked_after_login(F),
}


@pytest.mark.parametrize("scenario", sorted(CASES))
def test_every_outcome_matches_the_scenario(scenario: str, tmp_path: Path) -> None:
    """Each scenario yields exactly the expected outcome for every result row."""
    report = run(scenario, tmp_path)
    expected = CASES[scenario]
    assert outcomes_of(report) == expected


@pytest.mark.parametrize("scenario", sorted(CASES))
def test_every_row_that_did_not_pass_says_why_and_what_to_do(scenario: str, tmp_path: Path) -> None:
    """Failed and error rows carry a message and filled-in remediation; skipped rows name their reason."""
    report = run(scenario, tmp_path)
    for result in report.results:
        assert result.message, result.id
        if result.outcome in (F, E):
            assert result.remediation, result.id
            assert not any("{" in step for step in result.remediation), (result.id, result.remediation)
        if result.outcome is S and result.blocked_by:
            assert result.message.startswith("blocked by "), result.id


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
    """An admin login reads mid.buildstamp, so a MID of another release fails mid_server_up."""
    report = run("mid_version_mismatch", tmp_path, username="admin", password="admin-demo-pw")
    row = next(r for r in report.results if r.id == f"mid_server_up[{MID}]")
    assert row.outcome is F
    assert "release" in row.message


def test_mid_version_is_not_judged_when_buildstamp_is_unreadable(tmp_path: Path) -> None:
    """A non-admin login cannot read mid.buildstamp: the evidence says so instead of guessing."""
    report = run("mid_version_mismatch", tmp_path)
    row = next(r for r in report.results if r.id == f"mid_server_up[{MID}]")
    assert row.outcome is P
    assert any("not readable" in e.value for e in row.evidence if e.label == "Instance mid.buildstamp")


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
