"""Waivers: an accepted finding keeps its outcome but not the gate, until it expires; the file is checked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from command import report_json, run_against
from junitparser import Failure, JUnitXml, Skipped

from snow_preflight.errors import ConfigError
from snow_preflight.reports.model import CheckResult, Outcome
from snow_preflight.severity import Severity
from snow_preflight.simulator import Simulator
from snow_preflight.waivers import apply_waivers, load_waivers, names_of, unused_waivers

SCENARIO = "method_without_mid"  # one failure at the gate: rest_method_uses_mid[GET - Projects]
FAILING = "rest_method_uses_mid[GET - Projects]"
TODAY = datetime.now(UTC).date()


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _waiver(check: str, expires: date, **more: str) -> str:
    extra = "".join(f'{key} = "{value}"\n' for key, value in more.items())
    return (
        f'[[waiver]]\ncheck = "{check}"\nreason = "MID Server for GET - Projects comes with CHG0012345"\n'
        f'approved_by = "J. Smith"\nexpires = {expires.isoformat()}\n{extra}\n'
    )


def test_an_active_waiver_turns_no_go_into_go_everywhere(sim: Simulator, tmp_path: Path) -> None:
    """A waiver for the failing check makes the run GO (exit 0); every report shows the result waived, with its
    real outcome and the reason."""
    waivers = _file(tmp_path, _waiver(FAILING, TODAY + timedelta(days=30), change="CHG0012345"))
    result = run_against([sim.url], tmp_path, "--report-dir", "out", "--waivers", str(waivers))
    assert result.returncode == 0, result.stdout
    assert "GO — 0 of" in result.stdout
    assert "1 waived" in result.stdout
    row = next(line for line in result.stdout.splitlines() if FAILING in line)
    assert row.split()[0] == "WAIVED"
    assert "J. Smith" in row

    report = report_json(tmp_path / "out")
    assert report["run"]["verdict"] == "go"
    assert report["run"]["counts"]["waived"] == 1
    waived = next(r for r in report["results"] if r["id"] == FAILING)
    assert waived["outcome"] == "failed"
    assert waived["waiver"]["expired"] is False
    assert waived["waiver"]["change"] == "CHG0012345"

    case = next(
        c
        for suite in JUnitXml.fromfile(str(tmp_path / "out" / "junit.xml"))
        for c in suite
        if c.name == FAILING
    )
    skipped = [entry for entry in case.result if isinstance(entry, Skipped)]
    assert skipped
    assert "comes with CHG0012345" in (skipped[0].message or "")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "WAIVED" in html
    assert "comes with CHG0012345" in html


def test_the_same_waiver_past_its_expiry_does_not_apply_and_says_so(sim: Simulator, tmp_path: Path) -> None:
    """Once expired, the waiver is ignored (NO-GO, exit 1) and every report says "waiver expired on <date>"."""
    expired = TODAY - timedelta(days=1)
    waivers = _file(tmp_path, _waiver(FAILING, expired))
    result = run_against([sim.url], tmp_path, "--report-dir", "out", "--waivers", str(waivers))
    assert result.returncode == 1, result.stdout
    said = f"waiver expired on {expired.isoformat()}"
    row = next(line for line in result.stdout.splitlines() if FAILING in line)
    assert row.split()[0] == "FAILED"
    assert said in row

    report = report_json(tmp_path / "out")
    assert report["run"]["verdict"] == "no-go"
    assert report["run"]["counts"]["waived"] == 0
    assert next(r for r in report["results"] if r["id"] == FAILING)["waiver"]["expired"] is True
    case = next(
        c
        for suite in JUnitXml.fromfile(str(tmp_path / "out" / "junit.xml"))
        for c in suite
        if c.name == FAILING
    )
    assert any(isinstance(entry, Failure) and said in (entry.text or "") for entry in case.result)
    assert said in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_a_waiver_that_waives_nothing_is_reported(sim: Simulator, tmp_path: Path) -> None:
    """A waiver whose pattern names no result, and one whose finding passed, are each listed with why."""
    text = _waiver("mid_server_upp*", TODAY + timedelta(days=5)) + _waiver(
        "app_installed", TODAY + timedelta(days=5)
    )
    result = run_against([sim.url], tmp_path, "--report-dir", "out", "--waivers", str(_file(tmp_path, text)))
    assert result.returncode == 1
    assert "Waivers that waived nothing (2)" in result.stdout
    unused = {u["waiver"]["check"]: u for u in report_json(tmp_path / "out")["unused_waivers"]}
    assert "matches no result" in unused["mid_server_upp*"]["why"]
    assert unused["mid_server_upp*"]["waiver"]["line"] == 1
    assert "none failed" in unused["app_installed"]["why"]
    assert unused["app_installed"]["waiver"]["line"] == 7


def test_a_malformed_waivers_file_is_a_usage_error_before_any_request(sim: Simulator, tmp_path: Path) -> None:
    """A typo in the waivers file stops the run with exit 4 and one line naming the file and the line."""
    waivers = _file(tmp_path, '[[waiver]]\ncheck = "app_installed"\nreson = "typo"\n')
    before = len(sim.requests)
    result = run_against([sim.url], tmp_path, "--waivers", str(waivers))
    assert result.returncode == 4
    assert result.stderr.strip().splitlines() == [
        f"snow-preflight: error: waivers file {waivers} line 3: unknown key 'reson' in [[waiver]]; did you mean "
        "'reason'?"
    ]
    assert len(sim.requests) == before


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[[waiver]]\ncheck = "a"\n', "line 1: this [[waiver]] has no reason, approved_by, expires"),
        (
            '[[waiver]]\ncheck = "a"\nreason = "r"\napproved_by = "b"\nexpires = "soon"\n',
            "line 5: expires = 'soon'",
        ),
        (
            '[[waiver]]\ncheck = "a"\nreason = "r"\napproved_by = "b"\nexpires = 2025-01-01T10:00:00Z\n',
            "line 5: ",
        ),
        ('[[waiver]]\ncheck = "a"\nreason = r\n', "line 3: "),
        (
            '[[waiver]]\ncheck = ""\nreason = "r"\napproved_by = "b"\nexpires = 2025-01-01\n',
            "line 2: check must be",
        ),
        ('check = "a"\n', "unknown key 'check' at the top"),
    ],
    ids=["missing", "not-a-date", "time-of-day", "not-toml", "empty", "outside-a-table"],
)
def test_each_mistake_in_a_waivers_file_names_its_line(tmp_path: Path, text: str, said: str) -> None:
    """Missing keys, a value that is not a date (or has a time), TOML syntax, an empty string: each names its line."""
    with pytest.raises(ConfigError, match="waivers file") as raised:
        load_waivers(_file(tmp_path, text))
    assert said in str(raised.value)
    assert "\n" not in str(raised.value)


def _result(result_id: str, outcome: Outcome = Outcome.FAILED) -> CheckResult:
    check = result_id.partition("[")[0]
    return CheckResult(
        id=result_id, check=check, area="rest", title="t", outcome=outcome, severity=Severity.CRITICAL
    )


def test_waivers_match_like_only_and_may_name_an_instance(tmp_path: Path) -> None:
    """A glob or a result id (brackets literal) matches as --only does; `instance` limits it to that instance."""
    text = _waiver("rest_method_uses_mid[GET*]", date(2999, 1, 1)) + _waiver(
        "login_*", date(2999, 1, 1), instance="prod"
    )
    waivers = load_waivers(_file(tmp_path, text))
    results = [
        _result("rest_method_uses_mid[GET - Projects]"),
        _result("rest_method_uses_mid[POST]"),
        _result("login_ok"),
    ]
    dev = apply_waivers(results, waivers, names_of("https://dev.service-now.com", "dev"), TODAY)
    prod = apply_waivers(results, waivers, names_of("https://acme.service-now.com", "prod"), TODAY)
    assert [r.waived for r in dev] == [True, False, False]
    assert [r.waived for r in prod] == [True, False, True]
    assert (
        unused_waivers(waivers, [(names_of("https://dev.service-now.com", "dev"), dev)])[0].waiver.instance
        == "prod"
    )


def test_expiry_is_a_utc_date_and_only_failures_are_waived(tmp_path: Path) -> None:
    """A waiver applies before its expires date and not on it; a passed result is never marked waived."""
    waivers = load_waivers(_file(tmp_path, _waiver("app_*", date(2025, 7, 1))))
    failed, passed = _result("app_installed"), _result("app_active", Outcome.PASSED)
    before = apply_waivers([failed, passed], waivers, ["acme"], date(2025, 6, 30))
    on_the_day = apply_waivers([failed], waivers, ["acme"], date(2025, 7, 1))
    assert before[0].waived
    assert before[1].waiver is None
    assert on_the_day[0].waiver is not None
    assert on_the_day[0].waiver.expired
    assert not on_the_day[0].waived
    assert on_the_day[0].waiver.note.startswith("waiver expired on 2025-07-01")
