"""Several instances in one run: read at once, judged apart, one report for the fleet, the worst exit status."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from command import CLI, DEMO_LOGIN, report_json, run_against, snow_preflight
from junitparser import JUnitXml

from snow_preflight.simulator import Simulator, count_waves

NAMES = ("dev", "test", "locked")
LATENCY_MS = 150  # so that waves read one after the other could not overlap by chance


@dataclass
class Fleet:
    folder: Path
    result: subprocess.CompletedProcess[str]
    sims: dict[str, Simulator]
    config: Path


def _config(folder: Path, sims: dict[str, Simulator]) -> Path:
    tables = "".join(f'\n[instances.{name}]\nbase_url = "{sim.url}"\n' for name, sim in sims.items())
    config = folder / "snow-preflight.toml"
    config.write_text(f'[connection]\nusername = "{DEMO_LOGIN[0]}"\n{tables}', encoding="utf-8")
    return config


def _run(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # The unnamed password serves every instance but `locked`, whose own variable is wrong: a 401 there only.
    secrets = {"SN_PASSWORD": DEMO_LOGIN[1], "SN_LOCKED_PASSWORD": "not-the-password"}
    return snow_preflight(["run", "--no-prompt", *args], folder, secrets | (env or {}))


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    """One fleet run through the real command: a healthy instance (dev), one whose MID Server is down
    (test), one that refuses the password (locked), each answering after 150 ms, with a bundle."""
    folder = tmp_path_factory.mktemp("fleet")
    with ExitStack() as stack:
        sims = {
            name: stack.enter_context(Simulator(scenario, latency_ms=LATENCY_MS))
            for name, scenario in zip(NAMES, ("healthy", "mid_down", "healthy"), strict=True)
        }
        config = _config(folder, sims)
        yield Fleet(folder, _run(folder, "--report-dir", "out", "--bundle"), sims, config)


def _outcomes(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {i["name"]: {r["id"]: r["outcome"] for r in i["results"]} for i in report["instances"]}


class _Matrix(HTMLParser):
    """The text of each cell of report.html's matrix table, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "matrix") in attrs:
            self._in = True
        elif self._in and tag == "tr":
            self.rows.append([])
        elif self._in and tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data.strip()


def test_the_fleet_report_opens_with_a_matrix_of_every_instance(fleet: Fleet) -> None:
    """report.html's matrix has a column per instance with its verdict and a row per check with each outcome."""
    parser = _Matrix()
    parser.feed((fleet.folder / "out" / "report.html").read_text(encoding="utf-8"))
    head, verdicts, *rows = parser.rows
    assert head == ["Check", *NAMES]
    assert verdicts == ["Verdict", "GO", "NO-GO", "NO-GO"]
    cells = {row[0]: row[1:] for row in rows}
    assert cells["mid_server_up[prod-mid-server]"] == ["✓ PASSED", "✗ FAILED", "—"]
    assert cells["login_authenticated"] == ["✓ PASSED", "✓ PASSED", "✗ FAILED"]
    assert cells["app_installed"] == ["✓ PASSED", "✓ PASSED", "⊘ SKIPPED"]


def test_junit_has_one_suite_per_instance_named_after_it(fleet: Fleet) -> None:
    """junitparser reads three suites, dev, test and locked, each with its own failures and class names."""
    suites = list(JUnitXml.fromfile(str(fleet.folder / "out" / "junit.xml")))
    assert [suite.name for suite in suites] == list(NAMES)
    assert [suite.failures for suite in suites] == [0, 4, 1]
    assert {case.classname.split(".")[1] for case in suites[1]} == {"test"}


def test_the_exit_status_is_the_worst_instances(fleet: Fleet) -> None:
    """Two instances are NO-GO: the run exits 1 and the console says the fleet is NO-GO, 2 of 3."""
    assert fleet.result.returncode == 1, fleet.result.stderr
    assert "snow-preflight: fleet NO-GO — 2 of 3 instance(s) no-go" in fleet.result.stdout


def test_report_json_holds_every_instance_and_blockers_stay_in_theirs(fleet: Fleet) -> None:
    """report.json lists the three instances with their own results; the 401 on `locked` skips its checks
    as blocked by its own login check, and nowhere else."""
    report = report_json(fleet.folder / "out")
    assert report["results"] == []
    assert [(i["name"], i["run"]["verdict"]) for i in report["instances"]] == [
        ("dev", "go"),
        ("test", "no-go"),
        ("locked", "no-go"),
    ]
    assert report["run"]["verdict"] == "no-go"
    assert report["run"]["counts"]["total"] == sum(i["run"]["counts"]["total"] for i in report["instances"])
    locked, dev = report["instances"][2], report["instances"][0]
    assert (
        next(r for r in locked["results"] if r["id"] == "app_installed")["blocked_by"]
        == "login_authenticated"
    )
    assert all(r["blocked_by"] is None for r in dev["results"])


def test_every_instance_is_read_in_the_same_wave(fleet: Fleet) -> None:
    """The three instances' requests overlap in time: the fleet reads them in one wave, not one after another."""
    records = [record for sim in fleet.sims.values() for record in sim.requests]
    alone = count_waves(fleet.sims["dev"].requests)
    assert count_waves(records) == alone


def test_the_bundle_replays_to_the_same_fleet_report(fleet: Fleet) -> None:
    """`replay` of the fleet's bundle re-judges each instance offline: the same outcomes, instance by instance."""
    bundle = next((fleet.folder / "out").glob("snow-preflight-bundle-fleet-*.zip"))
    result = snow_preflight(["replay", str(bundle), "--report-dir", "replayed"], fleet.folder)
    assert result.returncode == 1
    replayed = report_json(fleet.folder / "replayed")
    assert _outcomes(replayed) == _outcomes(report_json(fleet.folder / "out"))
    assert replayed["run"]["replayed_from"] == bundle.name
    diff = snow_preflight(["diff", "out", "replayed", "--json"], fleet.folder)
    assert diff.returncode == 0
    assert json.loads(diff.stdout)["worse"] == []


def test_a_waiver_for_one_instance_turns_only_that_instance_go(fleet: Fleet, tmp_path: Path) -> None:
    """A waiver naming instance `test` accepts its MID Server findings there: test is GO, locked stays NO-GO."""
    expires = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        "".join(
            f'[[waiver]]\ncheck = "{check}"\ninstance = "test"\nreason = "MID Server swap"\n'
            f'approved_by = "J. Smith"\nexpires = {expires}\n'
            for check in ("mid_server_up[*]", "rest_method_uses_mid[*]")
        ),
        encoding="utf-8",
    )
    result = _run(fleet.folder, "--report-dir", str(tmp_path / "out"), "--waivers", str(waivers))
    report = report_json(tmp_path / "out")
    assert [i["run"]["verdict"] for i in report["instances"]] == ["go", "go", "no-go"]
    assert report["instances"][1]["run"]["counts"]["waived"] == 4
    assert result.returncode == 1


def test_instances_picks_named_instances_and_refuses_unknown_ones(fleet: Fleet, tmp_path: Path) -> None:
    """--instances dev,test runs those two; a name the config file lacks is exit 4, naming the ones it has."""
    result = _run(fleet.folder, "--instances", "dev,test", "--report-dir", str(tmp_path / "two"))
    assert result.returncode == 1
    assert [i["name"] for i in report_json(tmp_path / "two")["instances"]] == ["dev", "test"]
    unknown = _run(fleet.folder, "--instances", "dev,prod")
    assert unknown.returncode == 4
    assert "--instances names prod, not in the config file (it names dev, test, locked)" in unknown.stderr


def test_a_missing_secret_names_the_instances_own_variable(fleet: Fleet) -> None:
    """Without any password, the usage error (exit 4, before any request) names SN_DEV_PASSWORD first."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SN_")}
    result = subprocess.run(
        [*CLI, "run", "--no-prompt"],
        capture_output=True, text=True, cwd=fleet.folder, env=clean, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 4
    assert "instance dev: no password: SN_DEV_PASSWORD (or SN_PASSWORD) is not set" in result.stderr


def test_an_unreachable_instance_hides_nothing_of_the_others(tmp_path: Path, free_port: int) -> None:
    """--instance twice (one login for both): the unreachable one fails its own checks, the healthy one is GO."""
    with Simulator("healthy") as sim:
        result = run_against([sim.url, f"http://127.0.0.1:{free_port}"], tmp_path, "--report-dir", "out")
    assert result.returncode == 1
    report = report_json(tmp_path / "out")
    healthy, unreachable = report["instances"]
    assert healthy["run"]["verdict"] == "go"
    assert healthy["name"] == f"127.0.0.1:{sim.url.rsplit(':', 1)[1]}"
    assert _outcomes(report)[unreachable["name"]]["instance_reachable"] == "failed"


def _texts(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every file in *path*, and every file inside each zip there (bundles within bundles too)."""
    import io
    import zipfile

    def walk(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
        yield name, data
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for inner in archive.namelist():
                    yield from walk(f"{name}!{inner}", archive.read(inner))

    for file in sorted(path.iterdir()):
        yield from walk(file.name, file.read_bytes())


def test_no_instance_secret_reaches_the_fleet_reports_or_bundle(fleet: Fleet) -> None:
    """Neither the shared password nor an instance's own (wrong) one is in any report, nor in the bundle or
    the bundles inside it, nor on the console."""
    assert DEMO_LOGIN[1] not in fleet.result.stdout + fleet.result.stderr
    for name, data in _texts(fleet.folder / "out"):
        for secret in (DEMO_LOGIN[1], "not-the-password"):
            assert secret.encode() not in data, f"{secret} in {name}"


def test_format_json_prints_one_fleet_summary_on_stdout(fleet: Fleet, tmp_path: Path) -> None:
    """`--format json` on a fleet: stdout is one JSON object, the fleet's verdict with one summary per instance;
    the instance lines and the matrix go to stderr."""
    result = _run(fleet.folder, "--report-dir", str(tmp_path / "out"), "--format", "json")
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert summary["verdict"] == "no-go"
    assert summary["exit_code"] == 1
    verdicts = {member["name"]: member["verdict"] for member in summary["instances"]}
    assert verdicts == {"dev": "go", "test": "no-go", "locked": "no-go"}
    assert "snow-preflight: instance dev" in result.stderr
