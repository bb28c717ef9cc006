"""The whole checklist against each simulated instance, over sockets: every outcome is as expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.runner import run_checklist
from preflight.settings import resolve
from preflight.simulator import Simulator
from reports.model import Outcome, RunReport

P, F, E, S = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED
MID = "prod-mid-server"
METHODS = ("POST - Run Webhook", "GET - Webhooks", "GET - Projects")
ROLES = ("web_service_admin", "x_pd_process_autom.app_user")


def healthy(mid: str = MID) -> dict[str, Outcome]:
    """The outcome of every result row on a healthy instance."""
    outcomes = {
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
    return outcomes


def blocked_after_login(first: Outcome) -> dict[str, Outcome]:
    """Reachability decided, everything after it skipped as blocked."""
    outcomes = {key: S for key in healthy()}
    outcomes = {k: v for k, v in outcomes.items() if not k.startswith(("mid_server_up", "rest_method_uses_mid"))}
    outcomes |= {"mid_server_up": S, "rest_method_uses_mid": S}
    return outcomes | first_rows(first)


def first_rows(reachable: Outcome) -> dict[str, Outcome]:
    if reachable is F:
        return {"instance_reachable": F, "login_authenticated": S}
    return {"instance_reachable": P, "login_authenticated": F}


def run(scenario: str, tmp_path: Path, **flags: object) -> RunReport:
    with Simulator(scenario) as sim:
        creds = sim.credentials
        settings = resolve(
            {"base_url": sim.url, "username": creds["username"], "password": creds["password"],
             "report_dir": tmp_path / "out", **flags},
            environ={},
            config_path=None,
        )  # fmt: skip
        outcome = run_checklist(settings)
    assert outcome.report is not None
    return outcome.report


def outcomes_of(report: RunReport) -> dict[str, Outcome]:
    return {result.id: result.outcome for result in report.results}


CASES: dict[str, dict[str, Outcome]] = {
    "healthy": healthy(),
    "method_without_mid": healthy()
    | {"rest_method_uses_mid[GET - Projects]": F, "rest_methods_share_mid": F},
    "mid_down": healthy() | {f"mid_server_up[{MID}]": F, **{f"rest_method_uses_mid[{m}]": F for m in METHODS}},
    "mid_not_validated": healthy()
    | {f"mid_server_up[{MID}]": F, **{f"rest_method_uses_mid[{m}]": F for m in METHODS}},
    "mid_stale_heartbeat": healthy() | {f"mid_server_up[{MID}]": F},
    "app_missing": healthy()
    | {"app_installed": F, "rest_message_present": S, "rest_method_uses_mid": S,
       "rest_methods_share_mid": S, "rest_documented_methods_present": S, "rest_probe_traffic_healthy": S},
    "role_missing": healthy() | {"login_has_role[x_pd_process_autom.app_user]": F},
    "roles_via_group": healthy(),
    "roles_via_contained_role": healthy(),
    "mid_table_hidden": healthy() | {f"mid_server_up[{MID}]": E, **{f"rest_method_uses_mid[{m}]": E for m in METHODS}},
    "roles_table_denied": healthy() | {f"login_has_role[{role}]": E for role in ROLES},
    "hibernating": blocked_after_login(F),
}  # fmt: skip


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
            {"base_url": sim.url, "username": "svc_preflight", "password": "wrong-pw-123",
             "report_dir": tmp_path / "out"},
            environ={},
            config_path=None,
        )  # fmt: skip
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
