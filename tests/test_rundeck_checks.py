"""The Rundeck end through the whole checklist: the simulated instance beside the Rundeck stand-in, over
sockets, for each Rundeck scenario; Rundeck's answers travel in the snapshot, so a bundle replays them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from snow_preflight.reports.model import CheckResult, Outcome, RunReport
from snow_preflight.run import read_instance, replay_bundle, run_checklist, simulator_settings
from snow_preflight.rundeck_stand_in import RundeckStandIn
from snow_preflight.simulator import Simulator

P, F, E, S = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED
API, PROJECT, HOOK = "rundeck_api_reachable", "rundeck_project_present", "rundeck_webhook_enabled"
HEALTHY = {
    API: P,
    f"{PROJECT}[ops]": P,
    f"{PROJECT}[infra]": P,
    f"{HOOK}[Restart service]": P,
    f"{HOOK}[Clear disk space]": P,
    f"{HOOK}[Provision VM]": P,
}
_REPORTS: dict[tuple[str, tuple[str, ...] | None], RunReport] = {}
DEMO = (sys.executable, "-m", "snow_preflight", "demo")


def run(
    tmp_path: Path, rundeck: RundeckStandIn, projects: list[str] | None = None, **flags: Any
) -> RunReport:
    with Simulator("healthy") as sim:
        settings = simulator_settings(
            sim,
            report_dir=tmp_path / "out",
            rundeck_url=rundeck.url,
            rundeck_token=rundeck.token,
            rundeck_projects=rundeck.projects if projects is None else projects,
            **flags,
        )
        outcome = run_checklist(settings)
    assert outcome.report is not None
    return outcome.report


@pytest.fixture(scope="module")
def report_of(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The report of the healthy instance beside a Rundeck scenario, run once per module."""

    def get(scenario: str, projects: list[str] | None = None) -> RunReport:
        key = (scenario, tuple(projects) if projects is not None else None)
        if key not in _REPORTS:
            with RundeckStandIn(scenario) as rundeck:
                _REPORTS[key] = run(tmp_path_factory.mktemp(scenario), rundeck, projects)
        return _REPORTS[key]

    return get


def rundeck_rows(report: RunReport) -> dict[str, Outcome]:
    return {r.id: r.outcome for r in report.results if r.area == "rundeck"}


def row(report: RunReport, result_id: str) -> CheckResult:
    return next(r for r in report.results if r.id == result_id)


CASES = {
    "healthy": HEALTHY,
    "webhook_disabled": HEALTHY | {f"{HOOK}[Restart service]": F},
    "old_api_version": {API: F, PROJECT: S, HOOK: S},
    "token_refused": {API: E, PROJECT: S, HOOK: S},
    "webhooks_denied": {key: value for key, value in HEALTHY.items() if key != f"{HOOK}[Provision VM]"}
    | {f"{HOOK}[unseen in infra]": E},
}


@pytest.mark.parametrize("scenario", sorted(CASES))
def test_each_rundeck_scenario_gives_its_outcomes(scenario: str, report_of: Any) -> None:
    """Each Rundeck scenario yields exactly the expected outcome for every Rundeck result row."""
    assert rundeck_rows(report_of(scenario)) == CASES[scenario]


@pytest.mark.parametrize(
    ("scenario", "result_id", "words"),
    [
        ("healthy", API, "answers API version 34 from this host (not through the MID Server); 2 project(s)"),
        ("healthy", f"{PROJECT}[ops]", "Rundeck has project `ops` (checked from this host)"),
        ("healthy", f"{HOOK}[Provision VM]", "Webhook `Provision VM` of project infra is enabled"),
        (
            "webhook_disabled",
            f"{HOOK}[Restart service]",
            "is disabled: Rundeck answers 404 to the app's calls",
        ),
        (
            "old_api_version",
            API,
            "does not support API version 34: HTTP 400 api.error.api-version.unsupported",
        ),
        ("old_api_version", PROJECT, "blocked by rundeck_api_reachable (failed)"),
        ("token_refused", API, "Rundeck refused the token in RD_TOKEN (HTTP 403 unauthorized"),
        ("token_refused", HOOK, "blocked by rundeck_api_reachable (error)"),
        ("webhooks_denied", f"{HOOK}[unseen in infra]", "would not list the webhooks of project infra"),
    ],
)
def test_each_rundeck_row_says_what_it_found(
    scenario: str, result_id: str, words: str, report_of: Any
) -> None:
    """The message of each Rundeck row names what Rundeck answered, on one line."""
    message = row(report_of(scenario), result_id).message
    assert words in message
    assert "\n" not in message


def test_every_rundeck_row_says_it_was_checked_from_this_host(report_of: Any) -> None:
    """The evidence of every Rundeck row that ran says it was checked from this host, not the MID Server."""
    rows = [r for r in report_of("healthy").results if r.area == "rundeck"]
    assert rows
    for result in rows:
        shown = {e.label: e.value for e in result.evidence}
        assert "not through the MID Server" in shown["Checked from"], result.id


def test_the_fixes_name_what_to_do(report_of: Any) -> None:
    """An old Rundeck is told to upgrade; a refused token is told which rights the token needs."""
    assert any("Upgrade Rundeck" in step for step in row(report_of("old_api_version"), API).remediation)
    steps = " ".join(row(report_of("token_refused"), API).remediation)
    assert "read on the projects" in steps
    assert "read on their webhooks" in steps


def test_no_webhook_auth_token_is_shown(report_of: Any) -> None:
    """A webhook's authToken appears in no result, whatever Rundeck answered."""
    text = report_of("healthy").model_dump_json()
    assert "rd-webhook-token" not in text


def test_a_refused_token_is_below_no_gate_it_was_asked_for(report_of: Any) -> None:
    """Asked and not verifiable counts like any could-not-verify: the high Rundeck row makes the run NO-GO."""
    assert report_of("token_refused").run.verdict.value == "no-go"
    assert report_of("webhook_disabled").run.verdict.value == "go"  # a disabled webhook is medium


def test_a_project_rundeck_does_not_list_fails(report_of: Any) -> None:
    """A project Rundeck does not list to the token fails, naming those it does list; the others are judged."""
    report = report_of("healthy", ["ops", "nope"])
    result = row(report, f"{PROJECT}[nope]")
    assert result.outcome is F
    assert "lists no project `nope`" in result.message
    assert "ops, infra" in result.message
    assert rundeck_rows(report)[f"{HOOK}[Restart service]"] is P


def test_without_projects_only_the_api_is_checked(report_of: Any) -> None:
    """With no --rundeck-project, the API row runs and the project and webhook rows say what to add."""
    rows = rundeck_rows(report_of("healthy", []))
    assert rows == {API: P, PROJECT: S, HOOK: S}


def test_a_rundeck_nobody_answers_for_is_could_not_verify(tmp_path: Path, free_port: int) -> None:
    """A Rundeck URL nothing listens on is could-not-verify from this host, never 'Rundeck is down'."""
    with Simulator("healthy") as sim:
        settings = simulator_settings(
            sim,
            report_dir=tmp_path / "out",
            rundeck_url=f"http://127.0.0.1:{free_port}",
            rundeck_token="t-1234",
        )
        report = run_checklist(settings).report
    assert report is not None
    result = row(report, API)
    assert result.outcome is E
    assert "refused the connection from this host" in result.message
    assert rundeck_rows(report)[PROJECT] is S


def test_rundeck_costs_one_call_plus_one_per_project_and_no_servicenow_request(tmp_path: Path) -> None:
    """Rundeck is asked once for the projects and once per project's webhooks; the instance still sees 9."""
    with Simulator("healthy") as sim, RundeckStandIn() as rundeck:
        settings = simulator_settings(
            sim, rundeck_url=rundeck.url, rundeck_token=rundeck.token, rundeck_projects=["ops", "infra"]
        )
        snapshot = read_instance(settings)
        asked = [(method, path) for method, path, _ in rundeck.seen]
        servicenow = len(sim.requests)
    assert asked.count(("GET", "/api/34/projects")) == 1
    assert sorted(asked) == sorted(
        [
            ("GET", "/api/34/projects"),
            ("GET", "/api/34/project/ops/webhooks"),
            ("GET", "/api/34/project/infra/webhooks"),
        ]
    )
    assert servicenow == 9
    assert snapshot.rundeck is not None
    assert sorted(snapshot.rundeck.answers) == ["projects", "webhooks:infra", "webhooks:ops"]
    assert [e.source for e in snapshot.exchanges if (e.source or "").startswith("rundeck:")] != []


def test_rundeck_is_read_in_parallel_with_the_instance() -> None:
    """With half a second of latency on each side, the wave takes about half a second, not one."""
    with Simulator("healthy", latency_ms=500) as sim, RundeckStandIn(latency_ms=500) as rundeck:
        settings = simulator_settings(
            sim, rundeck_url=rundeck.url, rundeck_token=rundeck.token, rundeck_projects=["ops", "infra"]
        )
        started = time.monotonic()
        read_instance(settings)
        took = time.monotonic() - started
    assert took < 0.95


def test_a_bundle_replays_rundecks_answers_offline(tmp_path: Path) -> None:
    """The bundle keeps what Rundeck answered: replayed with Rundeck gone, the Rundeck rows are the same."""
    with RundeckStandIn("webhook_disabled") as rundeck:
        first = run(tmp_path, rundeck, bundle=True)
    bundle = next((tmp_path / "out").glob("snow-preflight-bundle-*.zip"))
    replayed = replay_bundle(bundle, {"report_dir": tmp_path / "replay"})
    assert replayed.report is not None
    assert rundeck_rows(replayed.report) == rundeck_rows(first) == CASES["webhook_disabled"]


def test_demo_runs_both_stand_ins_and_reports_rundeck(tmp_path: Path) -> None:
    """`snow-preflight demo --rundeck` starts the Rundeck stand-in beside the simulator; the report shows it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SN_", "RD_"))}
    result = subprocess.run(
        [*DEMO, "--scenario", "healthy", "--rundeck", "--report-dir", "out"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "snow-preflight demo: Rundeck stand-in 'healthy' at http://127.0.0.1:" in result.stdout
    report = RunReport.model_validate_json((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert rundeck_rows(report) == HEALTHY
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "rundeck_webhook_enabled[Provision VM]" in html


def test_demo_with_an_unknown_rundeck_scenario_is_a_usage_error(tmp_path: Path) -> None:
    """An unknown Rundeck scenario is exit 4 with one line naming the known ones, and no traceback."""
    result = subprocess.run(
        [*DEMO, "--rundeck", "nope", "--report-dir", "out"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 4
    assert "unknown Rundeck scenario 'nope'; known: healthy" in result.stderr
    assert "Traceback" not in result.stderr
