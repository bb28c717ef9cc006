"""Unseen items are results: methods, MID Servers and role rows hidden from the login become error rows of
their own, so the gate can never be GO over something nobody saw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from snow_preflight.reports.model import Outcome, RunReport
from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.simulator import Simulator


def scenario_file(tmp_path: Path, name: str, **patch: Any) -> str:
    """A scenario of our own that patches ``healthy`` (the simulator takes a .json path as a scenario)."""
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"extends": "healthy", "description": name, **patch}), encoding="utf-8")
    return str(path)


def run(scenario: str, tmp_path: Path) -> tuple[int, RunReport]:
    with Simulator(scenario) as sim:
        outcome = run_checklist(simulator_settings(sim, report_dir=tmp_path / "out"))
    assert outcome.report is not None
    return outcome.exit_code, outcome.report


def test_a_method_hidden_by_acl_is_an_error_row_of_its_own(tmp_path: Path) -> None:
    """A row ACL hiding one method adds rest_method_uses_mid[unseen]: error, the visibility fix, NO-GO."""
    code, report = run("method_row_hidden", tmp_path)
    row = next(r for r in report.results if r.id == "rest_method_uses_mid[unseen]")
    assert row.outcome is Outcome.ERROR
    assert row.message == "1 HTTP method(s) of Rundeck - API could not be seen: hidden from this login by ACL"
    assert any("Name = sys_rest_message_fn" in step for step in row.remediation)
    assert not any("Use MID Server" in step for step in row.remediation)
    assert code == 1
    assert report.run.verdict.value == "no-go"


def test_mid_servers_named_by_unseen_methods_are_unseen(tmp_path: Path) -> None:
    """The MID Server checks get an unseen row too: a hidden method may name a MID Server nobody checked."""
    _, report = run("method_row_hidden", tmp_path)
    rows = {r.id: r for r in report.results}
    for check in ("mid_server_up", "mid_server_release_matches", "mid_server_no_open_issues"):
        assert rows[f"{check}[unseen]"].outcome is Outcome.ERROR
        assert "1 HTTP method(s) of Rundeck - API" in rows[f"{check}[unseen]"].message


def test_lists_that_need_every_method_cannot_pass_over_a_hidden_one(tmp_path: Path) -> None:
    """'All methods share a MID Server' and the documented-methods check are error when a method is hidden."""
    _, report = run("method_row_hidden", tmp_path)
    rows = {r.id: r.outcome for r in report.results}
    assert rows["rest_methods_share_mid"] is Outcome.ERROR
    assert rows["rest_documented_methods_present"] is Outcome.ERROR


def test_a_mid_record_hidden_by_acl_is_could_not_verify_not_absent(tmp_path: Path) -> None:
    """A MID Server record the login cannot see is error ('hidden ... or deleted'), never 'does not exist'."""
    _, report = run("mid_table_hidden", tmp_path)
    rows = [r for r in report.results if r.check == "mid_server_up"]
    assert [r.outcome for r in rows] == [Outcome.ERROR]
    assert "could not be read: hidden from this login by ACL, or deleted" in rows[0].message
    assert not any("exist" in r.message for r in report.results if r.outcome is Outcome.FAILED)


def test_a_dangling_mid_reference_is_could_not_verify(tmp_path: Path) -> None:
    """use_mid_server pointing at no readable record is error: dangling and hidden look the same over REST."""
    dangling = scenario_file(
        tmp_path,
        "dangling_mid",
        update={
            "sys_rest_message_fn": {"get_projects": {"use_mid_server": "0123456789abcdef0123456789abcdef"}}
        },
    )
    _, report = run(dangling, tmp_path)
    rows = {r.id: r.outcome for r in report.results}
    assert rows["rest_method_uses_mid[GET - Projects]"] is Outcome.ERROR
    assert rows["mid_server_up[0123456789abcdef0123456789abcdef]"] is Outcome.ERROR
    assert rows["rest_method_uses_mid[POST - Run Webhook]"] is Outcome.PASSED


def test_hidden_role_rows_leave_a_role_unverified_unless_a_visible_row_grants_it(tmp_path: Path) -> None:
    """With the app role's row hidden, that role is error; web_service_admin, granted by a visible row, passes."""
    hidden = scenario_file(
        tmp_path,
        "role_row_hidden",
        acl={"svc_preflight": {"hide_rows": {"sys_user_has_role": "role.name=x_pd_process_autom.app_user"}}},
    )
    _, report = run(hidden, tmp_path)
    rows = {r.id: r for r in report.results}
    unseen = rows["login_has_role[x_pd_process_autom.app_user]"]
    assert unseen.outcome is Outcome.ERROR
    assert "hidden from this login by ACL" in unseen.message
    assert any("Name = sys_user_has_role" in step for step in unseen.remediation)
    assert rows["login_has_role[web_service_admin]"].outcome is Outcome.PASSED
