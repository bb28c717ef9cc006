"""What changed since the last run: `snow-preflight diff OLD NEW` and `run --baseline OLD`."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from command import report_json, run_against, snow_preflight
from report_samples import sample_run

from snow_preflight.diff import compare
from snow_preflight.reports.model import CheckResult, EvidenceItem, Outcome, RunReport
from snow_preflight.simulator import Simulator

FIXED_METHOD = "rest_method_uses_mid[GET - Projects]"
FIXED_MID = "mid_server_up[prod-mid-server]"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder holding a run of `typical` (typical/), one of `healthy` (healthy/, with a bundle), and a
    second run of `healthy` on another simulator (healthy-again/)."""
    folder = tmp_path_factory.mktemp("runs")
    for scenario, out, extra in (
        ("typical", "typical", ()),
        ("healthy", "healthy", ("--bundle",)),
        ("healthy", "healthy-again", ()),
    ):
        with Simulator(scenario) as sim:
            run_against([sim.url], folder, "--report-dir", out, *extra)
    return folder


def test_typical_then_healthy_lists_the_fixed_method_and_mid_server(runs: Path) -> None:
    """From typical to healthy, diff lists the method that got its MID Server and the MID Server whose
    heartbeat came back as better, with the evidence that changed, and exits 0."""
    result = snow_preflight(["diff", "typical/report.json", "healthy"], runs)
    assert result.returncode == 0
    better = result.stdout.split("Got better")[1].split("Changed")[0]
    assert re.search(rf"{re.escape(FIXED_METHOD)} +failed → passed", better)  # ids are padded to one width
    assert f"{FIXED_MID}" in better
    assert "Use MID Server: (empty) → prod-mid-server" in better
    assert result.stdout.rstrip().endswith("nothing got worse")


def test_getting_worse_exits_1_and_names_what(runs: Path) -> None:
    """From healthy to typical the same results got worse: diff lists them under "Got worse" and exits 1."""
    result = snow_preflight(["diff", "healthy", "typical", "--json"], runs)
    assert result.returncode == 1
    comparison = json.loads(result.stdout)
    worse = {change["id"]: change for change in comparison["worse"]}
    assert {FIXED_METHOD, FIXED_MID} <= set(worse)
    assert worse[FIXED_METHOD]["why"] == "passed → failed"
    assert comparison["better"] == []


def test_two_runs_of_the_same_state_show_no_change(runs: Path) -> None:
    """Two runs of healthy on two simulators differ only in times and URL: nothing is listed, exit 0."""
    result = snow_preflight(["diff", "healthy", "healthy-again", "--json"], runs)
    assert result.returncode == 0
    comparison = json.loads(result.stdout)
    assert (comparison["worse"], comparison["better"], comparison["changed"]) == ([], [], [])


def test_a_bundle_is_an_input_like_its_report(runs: Path) -> None:
    """A support bundle is read for its report.json: diff of the bundle against its own run is empty."""
    bundle = next((runs / "healthy").glob("snow-preflight-bundle-*.zip"))
    result = snow_preflight(["diff", str(bundle), "healthy/report.json", "--json"], runs)
    assert result.returncode == 0
    assert json.loads(result.stdout)["changed"] == []


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "does not exist"),
        ("not json", "is not valid JSON"),
        ('{"schema_version": 99}', "newer than the 1"),
        (b"PK-zip", "holds no report.json"),
    ],
    ids=["missing", "not-json", "newer", "zip-without-report"],
)
def test_an_unreadable_input_is_exit_4_naming_it(
    runs: Path, tmp_path: Path, content: str | bytes | None, said: str
) -> None:
    """A missing file, a file that is not report.json, a newer format or a zip without a report: exit 4,
    one line naming the file."""
    path = tmp_path / "old.json"
    if isinstance(content, bytes):
        path = tmp_path / "old.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("other.txt", "x")
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = snow_preflight(["diff", str(path), "healthy"], runs)
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(path) in lines[0]
    assert said in lines[0]


def test_run_with_a_baseline_opens_with_what_changed(runs: Path, tmp_path: Path) -> None:
    """`run --baseline` puts "Since baseline" right after the verdict in report.html and `baseline` in
    report.json; the console says it too, and the exit status is still the verdict's."""
    with Simulator("healthy") as sim:
        result = run_against([sim.url], tmp_path, "--report-dir", "out", "--baseline", str(runs / "typical"))
    assert result.returncode == 0
    assert "since baseline typical" in result.stdout
    baseline = report_json(tmp_path / "out")["baseline"]
    assert {FIXED_METHOD, FIXED_MID} <= {change["id"] for change in baseline["better"]}
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert html.index('id="verdict"') < html.index('id="baseline"') < html.index('id="checks-heading"')


def test_an_unreadable_baseline_is_a_usage_error_before_any_request(tmp_path: Path) -> None:
    """`run --baseline` naming no report stops with exit 4 before the instance is read."""
    with Simulator("healthy") as sim:
        result = run_against([sim.url], tmp_path, "--baseline", "missing/report.json")
        assert sim.requests == []
    assert result.returncode == 4
    assert "missing/report.json does not exist" in result.stderr


def _report(*results: CheckResult) -> RunReport:
    return sample_run().model_copy(update={"results": list(results)})


def _result(outcome: Outcome, *evidence: tuple[str, str]) -> CheckResult:
    return CheckResult(
        id="mid_server_up[mid1]",
        check="mid_server_up",
        item="mid1",
        area="mid",
        title="t",
        outcome=outcome,
        severity="critical",
        evidence=[EvidenceItem(label=label, value=value) for label, value in evidence],
    )


@pytest.mark.parametrize(
    ("before", "after", "kind", "why"),
    [
        (Outcome.PASSED, Outcome.ERROR, "worse", "passed → error: visibility lost"),
        (Outcome.FAILED, Outcome.ERROR, "worse", "failed → error: visibility lost"),
        (Outcome.ERROR, Outcome.FAILED, "worse", "error → failed"),
        (Outcome.ERROR, Outcome.PASSED, "better", "error → passed"),
        (Outcome.PASSED, Outcome.SKIPPED, "changed", "passed → skipped"),
    ],
)
def test_outcome_changes_are_sorted_by_what_they_mean(
    before: Outcome, after: Outcome, kind: str, why: str
) -> None:
    """Could-not-verify after a verdict is worse (visibility lost); a pass after anything is better."""
    comparison = compare(_report(_result(before)), _report(_result(after)), "old")
    assert [change.why for change in getattr(comparison, kind)] == [why]


def test_a_changed_mid_server_is_an_evidence_change_and_times_are_not() -> None:
    """Same outcome, another MID Server: listed as changed with both values; a new heartbeat time is not."""
    old = _result(
        Outcome.PASSED, ("Use MID Server", "mid1"), ("Last heartbeat", "2026-01-01 10:00:00 UTC (2 min ago)")
    )
    new = _result(
        Outcome.PASSED, ("Use MID Server", "mid2"), ("Last heartbeat", "2026-01-02 11:00:00 UTC (5 min ago)")
    )
    (change,) = compare(_report(old), _report(new), "old").changed
    assert [(e.label, e.before, e.after) for e in change.evidence] == [("Use MID Server", "mid1", "mid2")]
