"""Only the app's own records are judged: copies of the REST message in other scopes are listed as evidence,
their methods never judged under the app's ids, and every result id is unique."""

from __future__ import annotations

import json
from pathlib import Path

from snow_preflight.reports.model import CheckResult, Outcome, RunReport
from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.simulator import Simulator

APP_METHODS = {"POST - Run Webhook", "GET - Webhooks", "GET - Projects"}


def run(scenario: str, tmp_path: Path) -> tuple[int, RunReport]:
    with Simulator(scenario) as sim:
        outcome = run_checklist(simulator_settings(sim, report_dir=tmp_path / "out"))
    assert outcome.report is not None
    return outcome.exit_code, outcome.report


def method_rows(report: RunReport) -> dict[str, Outcome]:
    return {r.item or "": r.outcome for r in report.results if r.check == "rest_method_uses_mid"}


def present(report: RunReport) -> CheckResult:
    return next(r for r in report.results if r.id == "rest_message_present")


def test_a_global_copy_is_listed_and_never_judged(tmp_path: Path) -> None:
    """The customer's copy in scope global shows as evidence; its method without a MID Server fails nothing."""
    code, report = run("global_copy_of_message", tmp_path)
    copies = [e.value for e in present(report).evidence if e.label == "Copy, not judged"]
    assert copies == ["Rundeck - API (scope global)"]
    assert "1 copy(ies) in other scopes listed, not judged" in present(report).message
    assert method_rows(report) == dict.fromkeys(APP_METHODS, Outcome.PASSED)
    assert code == 0


def test_the_legacy_apps_message_beside_the_new_one_is_listed_and_never_judged(tmp_path: Path) -> None:
    """With both apps installed, only the new app's methods are judged; the legacy message is evidence."""
    code, report = run("legacy_app_beside_new", tmp_path)
    copies = [e.value for e in present(report).evidence if e.label == "Copy, not judged"]
    assert copies == ["Rundeck - API (scope x_runde_rundeck_it)"]
    assert method_rows(report) == dict.fromkeys(APP_METHODS, Outcome.PASSED)
    assert code == 0


def test_two_methods_with_one_name_get_distinct_stable_labels(tmp_path: Path) -> None:
    """A second 'GET - Projects' is labelled with its sys_id, so each method has its own result id."""
    path = tmp_path / "twin_method.json"
    twin = {
        "_id": "get_projects_twin",
        "rest_message": "@sys_rest_message:rundeck_api",
        "function_name": "GET - Projects",
        "http_method": "GET",
        "rest_endpoint": "https://rundeck.corp.example.com:4440/api/41/projects",
        "use_mid_server": "",
        "sys_scope": "@sys_scope:x_pd_process_autom",
    }
    path.write_text(
        json.dumps({"extends": "healthy", "description": "twin", "insert": {"sys_rest_message_fn": [twin]}}),
        encoding="utf-8",
    )
    code, report = run(str(path), tmp_path)
    twins = {
        item: outcome for item, outcome in method_rows(report).items() if item.startswith("GET - Projects")
    }
    assert len(twins) == 2
    assert all(item.startswith("GET - Projects (") and item.endswith(")") for item in twins)
    assert sorted(twins.values()) == sorted([Outcome.PASSED, Outcome.FAILED])
    assert code == 1
