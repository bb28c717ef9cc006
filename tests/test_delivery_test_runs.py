"""Each method's latest manual Test ("Test Runs") is evidence beside its delivery result, never a verdict."""

from __future__ import annotations

from pathlib import Path

from snow_preflight.reports.model import CheckResult, Outcome, RunReport
from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.simulator import Fault, Simulator

SCENARIO = "healthy"  # POST - Run Webhook was tested 3 days ago (HTTP 200); the others never were
LABEL = "Last manual Test (Test Runs)"


def _judge(sim: Simulator, out: Path) -> RunReport:
    report = run_checklist(simulator_settings(sim, report_dir=out)).report
    assert report is not None
    return report


def _row(report: RunReport, result_id: str) -> CheckResult:
    return next(r for r in report.results if r.id == result_id)


def _evidence(result: CheckResult) -> str:
    return next(item.value for item in result.evidence if item.label == LABEL)


def test_the_latest_test_run_is_shown_beside_the_delivery(sim: Simulator, tmp_path: Path) -> None:
    """A delivered method shows when it was last tested by hand, the HTTP status and who ran it."""
    report = _judge(sim, tmp_path / "out")
    webhook = _row(report, "rest_method_delivered[POST - Run Webhook]")
    assert webhook.outcome is Outcome.PASSED
    assert _evidence(webhook).endswith("UTC: HTTP 200, by admin")
    assert _evidence(_row(report, "rest_method_delivered[GET - Projects]")) == "none recorded"


def test_a_quiet_method_names_its_last_test_in_the_skip(sim: Simulator, tmp_path: Path) -> None:
    """A method with no traffic to judge is skipped, and the skip says what its last manual Test was."""
    quiet = _row(_judge(sim, tmp_path / "out"), "rest_method_delivered[GET - Webhooks]")
    assert quiet.outcome is Outcome.SKIPPED
    assert quiet.message.endswith("its last manual Test: none recorded")


def test_unreadable_test_runs_change_no_outcome(sim: Simulator, tmp_path: Path) -> None:
    """Test Runs the login cannot read are said in the evidence; the delivery is judged as before."""
    sim.inject(Fault(status=403, path="/api/now/table/sys_rest_message_fn_test"))
    report = _judge(sim, tmp_path / "out")
    webhook = _row(report, "rest_method_delivered[POST - Run Webhook]")
    assert webhook.outcome is Outcome.PASSED
    assert _evidence(webhook).startswith("not readable by this login")
