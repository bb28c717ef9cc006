"""``snow-preflight attach --change``: both reports on the change request, a work note with the verdict, its
own login; a change request that is missing or cannot be written is one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fix_support import ADMIN, Ran, admin_get, command, fresh, load, writes

from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.simulator import Simulator

SCENARIO = "fixable"
CHANGE = "CHG0030001"
JANE = {"SN_ATTACH_PASSWORD": "jane-demo-pw"}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, sim: Simulator) -> Path:
    """A report folder of a run against the module's instance (no-go: GET - Projects has no MID Server)."""
    folder = tmp_path_factory.mktemp("run") / "out"
    outcome = run_checklist(simulator_settings(sim, report_dir=folder))
    assert outcome.exit_code == 1
    return folder


def _attach(sim: Simulator, folder: Path, *args: str, **kw: object) -> Ran:
    return command(sim, folder, "attach", *args, **kw)  # type: ignore[arg-type]


def _as_jane(sim: Simulator, folder: Path, change: str, capsys: Any, monkeypatch: Any) -> Ran:
    """attach --change *change* logged in as jane.doe (itil), her password in SN_ATTACH_PASSWORD."""
    return _attach(
        sim,
        folder,
        "--change",
        change,
        "--attach-username",
        "jane.doe",
        capsys=capsys,
        monkeypatch=monkeypatch,
        env=JANE,
    )


def _change(sim: Simulator) -> str:
    [row] = admin_get(sim, "/api/now/table/change_request", sysparm_query=f"number={CHANGE}")
    return str(row["sys_id"])


def test_attach_puts_both_reports_and_a_work_note_with_the_verdict_on_the_change(
    tmp_path: Path, reports: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As jane.doe (itil), attach uploads report.html and report.json byte for byte with their Content-Type,
    then a work note naming the verdict, the instance, the run's time and the tool version."""
    with fresh(SCENARIO) as sim:
        ran = _as_jane(sim, reports, CHANGE, capsys, monkeypatch)
        change = _change(sim)
        files = admin_get(sim, "/api/now/table/sys_attachment", sysparm_query=f"table_sys_id={change}")
        contents = {row["file_name"]: _download(sim, row["sys_id"]) for row in files}
        notes = admin_get(sim, "/api/now/table/sys_journal_field", sysparm_query=f"element_id={change}")
        sent = [(r.method, r.path, r.username) for r in writes(sim)]
    assert ran.code == 0, ran.text
    assert {row["file_name"]: row["content_type"] for row in files} == {
        "report.html": "text/html; charset=utf-8",
        "report.json": "application/json",
    }
    assert contents == {name: (reports / name).read_bytes() for name in ("report.html", "report.json")}
    [note] = notes
    assert note["element"] == "work_notes"
    assert note["sys_created_by"] == "jane.doe"
    judged = load(reports / "report.json")["run"]["instance"]  # the run's instance, not the change's
    assert note["value"].startswith(f"snow-preflight NO-GO for {judged} (run ")
    assert "UTC as svc_preflight" in note["value"]
    assert "Judged by snow-preflight " in note["value"]
    assert sent == [
        ("POST", "/api/now/attachment/file", "jane.doe"),
        ("POST", "/api/now/attachment/file", "jane.doe"),
        ("PATCH", f"/api/now/table/change_request/{change}", "jane.doe"),
    ]
    assert ran.out.count("POST /api/now/attachment/file") == 2
    assert "work_notes: done" in ran.out


def _download(sim: Simulator, sys_id: str) -> bytes:
    import requests

    answer = requests.get(f"{sim.url}/api/now/attachment/{sys_id}/file", auth=ADMIN, timeout=10)
    answer.raise_for_status()
    return answer.content


def test_a_change_request_is_found_by_sys_id_too(
    tmp_path: Path, reports: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--change takes the change request's sys_id as well as its number."""
    with fresh(SCENARIO) as sim:
        ran = _as_jane(sim, reports, _change(sim), capsys, monkeypatch)
    assert ran.code == 0, ran.text
    assert f"Attached to {CHANGE}: report.html, report.json" in ran.out


def test_the_pre_flight_login_that_cannot_write_the_change_gets_one_line(
    tmp_path: Path, reports: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --attach-username the pre-flight login (no itil) is refused with 403: one line naming the
    change, the login and the flags to use; exit 1; nothing attached."""
    with fresh(SCENARIO) as sim:
        ran = _attach(sim, reports, "--change", CHANGE, capsys=capsys, monkeypatch=monkeypatch)
        assert admin_get(sim, "/api/now/table/sys_attachment") == []
    assert ran.code == 1
    [line] = ran.err.strip().splitlines()
    assert f"the login svc_preflight may not write change request {CHANGE}" in line
    assert "ACL Exception Insert Failed" in line
    assert "--attach-username USER with SN_ATTACH_PASSWORD" in line


def test_a_missing_change_request_is_one_line(
    sim: Simulator, reports: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change number that does not exist: one line saying so, exit 1, no write sent."""
    sim.clear_requests()
    ran = _as_jane(sim, reports, "CHG0099999", capsys, monkeypatch)
    assert ran.code == 1
    assert writes(sim) == []
    [line] = ran.err.strip().splitlines()
    assert "change request CHG0099999 does not exist, or jane.doe may not see it" in line


def test_no_reports_to_attach_is_a_usage_error(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report folder without report.html/report.json: exit 4 before any request, saying what to run."""
    sim.clear_requests()
    ran = _attach(sim, tmp_path / "empty", "--change", CHANGE, capsys=capsys, monkeypatch=monkeypatch)
    assert ran.code == 4
    assert sim.requests == []
    assert "no report.html in" in ran.err
    assert "snow-preflight run --report-dir" in ran.err


def test_an_attach_login_without_its_password_is_a_usage_error(
    sim: Simulator, reports: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--attach-username without SN_ATTACH_PASSWORD never falls back to the pre-flight password: exit 4."""
    sim.clear_requests()
    ran = _attach(
        sim,
        reports,
        "--change",
        CHANGE,
        "--attach-username",
        "jane.doe",
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert ran.code == 4
    assert sim.requests == []
    assert "no password for --attach-username jane.doe: SN_ATTACH_PASSWORD is not set" in ran.err


def test_attach_shows_no_secret(
    tmp_path: Path, reports: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither the console nor attach-result.json holds the attach login's password; the result lists the
    writes with their path and file names."""
    with fresh(SCENARIO) as sim:
        ran = _as_jane(sim, reports, CHANGE, capsys, monkeypatch)
    result = (reports / "attach-result.json").read_text()
    assert "jane-demo-pw" not in ran.text + result
    assert '"source": "attach: report.html"' in result
    assert '"source": "attach: work_notes"' in result
