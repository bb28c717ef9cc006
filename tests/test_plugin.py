"""The pytest plugin, driven by pytester as a person driving pytest would: site checks, the gate, reports.

Each test runs pytest on a site's checks folder (a passing and a failing check written with the public
check API) against this module's simulated instance, in-process unless state would leak between runs.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from junitparser import JUnitXml

from snow_preflight.simulator import Simulator

SCENARIO = "healthy"

SITE_CHECKS = '''
"""A site's own checks, beside the built-in checklist."""

from snow_preflight.judge import Evidence, Severity, check


@check(
    title="The site's runbook names an on-call owner for Rundeck",
    severity=Severity.HIGH,
    remediation=["Name an on-call owner in the site's runbook."],
)
def check_site_owner_named(view: object, evidence: Evidence) -> None:
    evidence.record("Owner", "rundeck-oncall")


@check(
    title="The site's change freeze is lifted",
    severity=Severity.LOW,
    remediation=["Lift the change freeze in the site's change calendar."],
)
def check_site_freeze_lifted(view: object, evidence: Evidence) -> None:
    evidence.record("Change freeze", "on")
    assert False, "The site's change freeze is still on."
'''

VAGUE_TITLE = """
from snow_preflight.judge import Evidence, Severity, check


@check(title="Check the owner", severity=Severity.LOW, remediation=["Name one."])
def check_site_vague(view: object, evidence: Evidence) -> None:
    evidence.record("Owner", "someone")
"""

BUILT_IN = {"instance_reachable", "login_authenticated", "app_installed", "rest_message_present"}


@pytest.fixture
def site(pytester: pytest.Pytester) -> Path:
    """A site's checks folder holding one passing and one failing check."""
    folder = pytester.mkdir("site")
    (folder / "site_checks.py").write_text(SITE_CHECKS, encoding="utf-8")
    return folder


@pytest.fixture
def login(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The --sn-* options that point at the simulator; its password comes from SN_PASSWORD."""
    for name in ("SN_HOST", "SN_USERNAME", "SN_CLIENT_ID", "SN_CLIENT_SECRET", "SN_CONFIG", "SN_FAIL_ON"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SN_PASSWORD", sim.credentials["password"])
    return ["--sn-instance", sim.url, "--sn-username", sim.credentials["username"]]


def _report(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return data


def _outcomes(folder: Path) -> dict[str, str]:
    results = _report(folder)["results"]
    assert isinstance(results, list)
    return {r["id"]: r["outcome"] for r in results}


def _junit_properties(folder: Path) -> dict[str, str]:
    [suite] = list(JUnitXml.fromfile(str(folder / "junit.xml")))
    return {p.name: p.value for p in suite.properties()}


def test_site_checks_are_judged_with_their_prerequisites(
    pytester: pytest.Pytester, site: Path, login: list[str]
) -> None:
    """A site's passing and failing checks get their outcomes; the prerequisites they need are judged too."""
    out = pytester.path / "out"
    result = pytester.runpytest(str(site), "--sn-checks", str(site), *login, "--sn-report-dir", str(out))
    result.assert_outcomes(passed=1, failed=1)
    outcomes = _outcomes(out)
    assert outcomes["site_owner_named"] == "passed"
    assert outcomes["site_freeze_lifted"] == "failed"
    # Selected by path, the site checks still need a login: judged aside, and part of the verdict.
    assert outcomes["login_authenticated"] == "passed"


def test_the_gate_decides_the_exit_status(pytester: pytest.Pytester, site: Path, login: list[str]) -> None:
    """A failed low check passes the default gate (exit 0, GO) and fails --sn-fail-on low (exit 1, NO-GO)."""
    args = [str(site), "--sn-checks", str(site), *login, "--sn-report-dir", str(pytester.path / "out")]
    lenient = pytester.runpytest(*args)
    assert lenient.ret == 0
    lenient.stdout.fnmatch_lines(["snow-preflight: GO *(--fail-on high)"])
    strict = pytester.runpytest(*args, "--sn-fail-on", "low")
    assert strict.ret == 1
    strict.stdout.fnmatch_lines(["snow-preflight: NO-GO — 1 of * fail the gate (--fail-on low)"])


def test_reports_are_written_where_asked_and_list_what_was_not_run(
    pytester: pytest.Pytester, site: Path, login: list[str]
) -> None:
    """--sn-report-dir gets the three reports; each names the built-in checks this subset did not run."""
    out = pytester.path / "reports"
    pytester.runpytest(str(site), "--sn-checks", str(site), *login, "--sn-report-dir", str(out))
    assert sorted(p.name for p in out.iterdir()) == ["junit.xml", "report.html", "report.json"]
    run = _report(out)["run"]
    assert isinstance(run, dict)
    not_run = set(run["not_run"])
    assert {"app_installed", "mid_server_up", "rest_method_uses_mid"} <= not_run
    assert not not_run & {"site_owner_named", "site_freeze_lifted", "login_authenticated"}
    assert set(_junit_properties(out)["not_run"].split(",")) == not_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Not run in this run" in html
    assert "<code>mid_server_up</code>" in html


def test_a_vague_title_is_a_usage_error(pytester: pytest.Pytester, login: list[str]) -> None:
    """A site check whose title does not state the good state stops the run with exit 4 and the reason."""
    folder = pytester.mkdir("vague")
    (folder / "vague_checks.py").write_text(VAGUE_TITLE, encoding="utf-8")
    out = pytester.path / "out"
    result = pytester.runpytest(str(folder), "--sn-checks", str(folder), *login, "--sn-report-dir", str(out))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*site_vague*the title states the good state*"])
    assert not out.exists()


def test_collect_only_writes_nothing(pytester: pytest.Pytester, site: Path, login: list[str]) -> None:
    """--collect-only lists the checks, judges none, exits 5, and creates no report folder."""
    out = pytester.path / "out"
    result = pytester.runpytest(
        "--pyargs", "snow_preflight.checks", "--sn-checks", str(site), *login, "--sn-report-dir", str(out),
        "--collect-only", "-q",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(
        ["*check_site_owner_named*", "snow-preflight: --collect-only judges nothing*"]
    )
    assert not out.exists()


def test_a_k_that_selects_nothing_writes_no_report(
    pytester: pytest.Pytester, sim: Simulator, login: list[str]
) -> None:
    """`python -m pytest --pyargs snow_preflight.checks ... -k nothing` exits 5 and writes no report."""
    out = pytester.path / "out"
    result = pytester.runpytest_subprocess(
        "--pyargs", "snow_preflight.checks", *login, "--sn-report-dir", str(out), "-k", "no_such_check",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["snow-preflight: no check was judged (every check deselected)*"])
    assert not out.exists()


def test_a_subset_whose_prerequisite_fails_is_no_go(pytester: pytest.Pytester, login: list[str]) -> None:
    """-k rest_method_uses_mid on an inactive app skips each method naming app_installed, and is NO-GO."""
    out = pytester.path / "out"
    with Simulator("app_inactive") as inactive:
        args = ["--sn-instance", inactive.url, *login[2:], "--sn-report-dir", str(out)]
        result = pytester.runpytest("--pyargs", "snow_preflight.checks", *args, "-k", "rest_method_uses_mid")
    assert result.ret == 1
    result.assert_outcomes(skipped=3)
    results = _report(out)["results"]
    assert isinstance(results, list)
    by_id = {r["id"]: r for r in results}
    assert by_id["app_installed"]["outcome"] == "failed"
    for name in ("POST - Run Webhook", "GET - Projects", "GET - Webhooks"):
        skipped = by_id[f"rest_method_uses_mid[{name}]"]
        assert skipped["outcome"] == "skipped"
        assert skipped["blocked_by"] == "app_installed"
        assert "judged although not selected" in skipped["message"]


def test_markers_select_by_area_and_severity(pytester: pytest.Pytester, login: list[str]) -> None:
    """-m "mid and critical" judges only the critical MID Server checks; the reports say the rest were not run."""
    out = pytester.path / "out"
    pytester.runpytest(
        "--pyargs", "snow_preflight.checks", *login, "--sn-report-dir", str(out), "-m", "mid and critical"
    )
    selected = {r.split("[")[0] for r in _outcomes(out)} - BUILT_IN
    assert selected
    assert all(check.startswith("mid_") for check in selected)
    not_run = _report(out)["run"]["not_run"]  # type: ignore[index]
    assert "rest_method_uses_mid" in not_run


def test_sigterm_handler_is_restored_after_a_run(
    pytester: pytest.Pytester, site: Path, login: list[str]
) -> None:
    """The plugin handles SIGTERM only while a run is active: the handler before is the handler after."""
    before = signal.getsignal(signal.SIGTERM)
    pytester.runpytest(
        str(site), "--sn-checks", str(site), *login, "--sn-report-dir", str(pytester.path / "o")
    )
    assert signal.getsignal(signal.SIGTERM) is before


def test_plugin_is_inert_in_an_ordinary_session(
    pytester: pytest.Pytester, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project's own tests, with SN_* variables set, run untouched: no request, no report, no line of ours."""
    monkeypatch.setenv("SN_HOST", sim.url)
    monkeypatch.setenv("SN_USERNAME", sim.credentials["username"])
    monkeypatch.setenv("SN_PASSWORD", sim.credentials["password"])
    pytester.makepyfile(test_mine="def test_mine():\n    assert 1 + 1 == 2\n")
    sim.clear_requests()
    before = signal.getsignal(signal.SIGTERM)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    assert sim.requests == []
    assert not (pytester.path / "preflight-report").exists()
    assert not [line for line in result.outlines + result.errlines if line.startswith("snow-preflight")]
    assert signal.getsignal(signal.SIGTERM) is before
