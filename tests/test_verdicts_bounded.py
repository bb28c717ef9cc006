"""Bounded by what is referenced: the MID Servers are read through the methods that name them (and the
expected one by name), never as the whole ecc_agent table, so the requests do not grow with the instance."""

from __future__ import annotations

from pathlib import Path

from snow_preflight.reports.model import Outcome, RunReport
from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.simulator import RequestRecord, Simulator


def run(scenario: str, tmp_path: Path, **flags: object) -> tuple[RunReport, list[RequestRecord]]:
    with Simulator(scenario) as sim:
        outcome = run_checklist(simulator_settings(sim, report_dir=tmp_path / "out", **flags))
        requests = sim.requests
    assert outcome.report is not None
    return outcome.report, requests


def tables(requests: list[RequestRecord]) -> list[str]:
    return sorted(r.path.rsplit("/", 1)[-1] for r in requests)


def test_twelve_thousand_mid_servers_cost_no_more_requests_than_three(tmp_path: Path) -> None:
    """healthy (2 MID Servers) and huge_mids (12,000) are read with the same requests, none of them ecc_agent."""
    _, small = run("healthy", tmp_path / "small")
    report, huge = run("huge_mids", tmp_path / "huge")
    assert tables(small) == tables(huge)
    assert "ecc_agent" not in tables(huge)
    assert len([r for r in report.results if r.check == "mid_server_up"]) == 11


def test_the_expected_mid_server_is_one_read_by_name(tmp_path: Path) -> None:
    """--expected-mid adds exactly one read, of ecc_agent by that name; a MID Server the methods use is one row."""
    plain_report, plain = run("healthy", tmp_path / "plain")
    report, named = run("healthy", tmp_path / "named", expected_mid="prod-mid-server")
    extra = [r for r in named if r.path.endswith("/ecc_agent")]
    assert len(named) == len(plain) + 1
    assert len(extra) == 1
    assert "name=prod-mid-server" in extra[0].query["sysparm_query"]
    assert [r.id for r in report.results if r.check == "mid_server_up"] == ["mid_server_up[prod-mid-server]"]
    assert [r.id for r in plain_report.results if r.check == "mid_server_up"] == [
        "mid_server_up[prod-mid-server]"
    ]


def test_an_expected_mid_server_that_does_not_exist_fails(tmp_path: Path) -> None:
    """An expected MID Server with no record (and no row hidden) is verified absent: failed, beside the used one."""
    report, _ = run("healthy", tmp_path, expected_mid="dr-mid-server")
    rows = {r.id: r for r in report.results if r.check == "mid_server_up"}
    assert set(rows) == {"mid_server_up[dr-mid-server]", "mid_server_up[prod-mid-server]"}
    assert rows["mid_server_up[dr-mid-server]"].outcome is Outcome.FAILED
    assert "No MID Server record 'dr-mid-server'" in rows["mid_server_up[dr-mid-server]"].message
    methods = [r.outcome for r in report.results if r.check == "rest_method_uses_mid"]
    assert methods == [Outcome.FAILED] * 3
