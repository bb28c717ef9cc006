"""Messages that fit the finding: a passing row says what was verified for its item, "How to fix" shows the
steps for the condition that failed, and a could-not-verify row gets visibility steps only."""

from __future__ import annotations

import json
from pathlib import Path

from snow_preflight.judge.loading import load_catalogue
from snow_preflight.judge.views import ITEM_KINDS
from snow_preflight.reports.model import CheckResult, Outcome, RunReport
from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.simulator import Simulator

MID = "prod-mid-server"
START = "start the service"
HEARTBEAT = "The heartbeat is stale"


def run(scenario: str, tmp_path: Path, **flags: object) -> RunReport:
    with Simulator(scenario) as sim:
        outcome = run_checklist(simulator_settings(sim, report_dir=tmp_path / "out", **flags))
    assert outcome.report is not None
    return outcome.report


def row(report: RunReport, result_id: str) -> CheckResult:
    return next(r for r in report.results if r.id == result_id)


def test_every_check_declares_a_pass_message() -> None:
    """Each check of the checklist says, with its metadata, what a passing row states."""
    specs = load_catalogue(item_kinds=ITEM_KINDS, entry_points=False).specs
    assert all(spec.passes for spec in specs.values())


def test_passing_rows_say_what_was_verified_for_their_item(tmp_path: Path) -> None:
    """On a healthy instance seen by a login that also holds admin (so every condition is readable), every
    row passes and none repeats its title."""
    admin_too = tmp_path / "admin_too.json"
    grant = {
        "_id": "svc_admin",
        "user": "@sys_user:svc_preflight",
        "role": "@sys_user_role:admin",
        "inherited": False,
    }
    admin_too.write_text(
        json.dumps(
            {"extends": "healthy", "description": "admin too", "insert": {"sys_user_has_role": [grant]}}
        ),
        encoding="utf-8",
    )
    report = run(str(admin_too), tmp_path)
    passed = [r for r in report.results if r.outcome is Outcome.PASSED]
    # 15 rows of configuration, and the two methods the healthy ECC queue shows a call of.
    assert len(passed) == 17
    assert not [r.id for r in passed if r.message == f"{r.title}."]
    message = row(report, "rest_method_uses_mid[GET - Projects]").message
    assert message == "`GET - Projects` routes through `prod-mid-server` (Up, validated)"


def test_evidence_names_the_method_once(tmp_path: Path) -> None:
    """The method's evidence reads 'GET - Projects', never 'GET GET - Projects'."""
    report = run("healthy", tmp_path)
    evidence = row(report, "rest_method_uses_mid[GET - Projects]").evidence
    assert [e.value for e in evidence if e.label == "Method"] == ["GET - Projects"]
    assert not [e for r in report.results for e in r.evidence if e.value.startswith("GET GET")]


def test_a_stale_heartbeat_gets_the_heartbeat_steps_not_the_start_steps(tmp_path: Path) -> None:
    """A MID Server that is Up with a stale heartbeat is told about connectivity, not to start its service."""
    steps = row(run("mid_stale_heartbeat", tmp_path), f"mid_server_up[{MID}]").remediation
    assert any(HEARTBEAT in step for step in steps)
    assert not any(START in step for step in steps)


def test_a_down_mid_server_gets_the_start_steps(tmp_path: Path) -> None:
    """A MID Server that is Down (its heartbeat stale too) gets the start steps and the heartbeat steps."""
    steps = row(run("mid_down", tmp_path), f"mid_server_up[{MID}]").remediation
    assert any(START in step for step in steps)
    assert any(HEARTBEAT in step for step in steps)
    assert not any("Validate" in step for step in steps)


def test_a_method_without_a_mid_server_gets_only_the_steps_to_set_one(tmp_path: Path) -> None:
    """'Calls Rundeck directly' advises setting Use MID Server, not validating or starting one."""
    steps = row(run("method_without_mid", tmp_path), "rest_method_uses_mid[GET - Projects]").remediation
    assert any("set 'Use MID Server' to your MID Server" in step for step in steps)
    assert not any("Validate" in step or "not Up" in step for step in steps)


def test_could_not_verify_rows_carry_visibility_steps_only(tmp_path: Path) -> None:
    """An error row for an unreadable ECC queue tells the login how to see it, not how to fix traffic."""
    result = row(run("ecc_queue_denied", tmp_path), "rest_probe_traffic_healthy")
    assert result.outcome is Outcome.ERROR
    assert any("Name = ecc_queue" in step for step in result.remediation)
    assert not any("Error string" in step or "proxy" in step for step in result.remediation)
