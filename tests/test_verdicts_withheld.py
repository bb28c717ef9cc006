"""Unread is never empty: a field the instance withholds reaches any check as could-not-verify, with the fix for
the login, never as an empty value and never with the configuration fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from snow_preflight.errors import Withheld
from snow_preflight.judge.views import View
from snow_preflight.reports.model import Outcome, RunReport
from snow_preflight.run import read_instance, run_checklist, simulator_settings
from snow_preflight.simulator import Simulator

MID = "prod-mid-server"


def view_of(scenario: str) -> View:
    with Simulator(scenario) as sim:
        settings = simulator_settings(sim)
        return View(read_instance(settings), settings.expect)


def run(scenario: str, tmp_path: Path, **flags: object) -> RunReport:
    with Simulator(scenario) as sim:
        outcome = run_checklist(simulator_settings(sim, report_dir=tmp_path / "out", **flags))
    assert outcome.report is not None
    return outcome.report


def test_a_withheld_reference_raises_withheld_naming_table_and_field() -> None:
    """A method whose use_mid_server key is absent raises Withheld(sys_rest_message_fn, use_mid_server)."""
    method = view_of("field_masked_use_mid_server").methods()[0]
    with pytest.raises(Withheld) as caught:
        _ = method.mid
    assert (caught.value.table, caught.value.field) == ("sys_rest_message_fn", "use_mid_server")
    assert str(caught.value).startswith(
        "the login cannot read field `use_mid_server` of `sys_rest_message_fn`: field ACL"
    )


def test_a_withheld_dot_walked_field_is_a_field_of_the_table_it_lives_in() -> None:
    """With ecc_agent.status withheld, the MID Server seen through a method has a name but no status."""
    mid = view_of("field_masked_mid_status").methods()[0].mid
    assert mid is not None
    assert mid.name == MID
    with pytest.raises(Withheld, match=r"`status` of `ecc_agent`"):
        _ = mid.status


def test_an_empty_reference_is_a_value_not_a_gap() -> None:
    """A use_mid_server that came back empty means the method calls Rundeck directly: None, no exception."""
    direct = next(m for m in view_of("method_without_mid").methods() if m.label == "GET - Projects")
    assert direct.mid_sys_id == ""
    assert direct.mid is None


def test_withheld_use_mid_server_is_an_error_row_with_the_logins_fix(tmp_path: Path) -> None:
    """A withheld use_mid_server is never 'calls Rundeck directly': error, with the ACL steps for the login."""
    report = run("field_masked_use_mid_server", tmp_path)
    row = next(r for r in report.results if r.id == "rest_method_uses_mid[GET - Projects]")
    assert row.outcome is Outcome.ERROR
    assert "directly" not in row.message
    assert "`use_mid_server` of `sys_rest_message_fn`" in row.message
    assert any("System Security > Access Control (ACL)" in step for step in row.remediation)
    assert not any("set 'Use MID Server'" in step for step in row.remediation)
    assert report.run.verdict.value == "no-go"


def test_withheld_mid_status_is_an_error_row_not_an_empty_status(tmp_path: Path) -> None:
    """A withheld MID Server status is could-not-verify, never 'status is empty', in every row that needs it."""
    report = run("field_masked_mid_status", tmp_path)
    rows = {r.id: r for r in report.results}
    for row_id in (f"mid_server_up[{MID}]", "rest_method_uses_mid[POST - Run Webhook]"):
        assert rows[row_id].outcome is Outcome.ERROR, row_id
        assert "empty" not in rows[row_id].message
        assert "`status` of `ecc_agent`" in rows[row_id].message
        assert not any("start the service" in step for step in rows[row_id].remediation)


SITE_CHECK = """
from snow_preflight.judge import Evidence, Read, Severity, View, check

AGENTS = Read(name="site_agents", table="ecc_agent", query="name=prod-mid-server", fields=("sys_id", "name", "status"))


@check(title="The site's MID Server is Up", severity=Severity.LOW, reads=[AGENTS], remediation=["Start it."])
def check_site_mid_up(view: View, evidence: Evidence) -> None:
    assert all(agent.get("status") == "Up" for agent in view.records(AGENTS.name))
"""


def test_a_site_check_that_touches_a_withheld_field_cannot_verify(tmp_path: Path) -> None:
    """Any check, ours or a site's, that reads a withheld field gets error with the login's fix, not failed."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "site_mid.py").write_text(SITE_CHECK, encoding="utf-8")
    report = run("field_masked_mid_status", tmp_path, checks_dirs=(folder,))
    row = next(r for r in report.results if r.id == "site_mid_up")
    assert row.outcome is Outcome.ERROR
    assert "`status` of `ecc_agent`" in row.message
    assert "Start it." not in row.remediation
