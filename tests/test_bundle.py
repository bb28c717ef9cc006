"""The support bundle: named for its instance and time, self-explaining, redacted, and replayed offline."""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from snow_preflight.bundle import BUNDLE_FORMAT, CONTENTS, FORMAT_1_NAME, BundleError, read_bundle
from snow_preflight.cli import main
from snow_preflight.redaction import KINDS, Redactor
from snow_preflight.reports.writer import BUNDLE_GLOB
from snow_preflight.run import RunOutcome, replay_bundle, run_checklist, simulator_settings
from snow_preflight.simulator import Simulator, load_scenario

NAME = re.compile(r"snow-preflight-bundle-127\.0\.0\.1-(\d{8}T\d{6}Z)\.zip")


def _run_with_bundle(scenario: str | Simulator, out: Path, **flags: Any) -> RunOutcome:
    with scenario if isinstance(scenario, Simulator) else Simulator(scenario) as sim:
        outcome = run_checklist(simulator_settings(sim, report_dir=out, bundle=True, **flags))
    assert outcome.report is not None
    return outcome


def _results(outcome: RunOutcome) -> dict[str, tuple[str, str]]:
    assert outcome.report is not None
    return {r.id: (r.outcome.value, r.message) for r in outcome.report.results}


def _read(bundle: Path) -> dict[str, str]:
    with zipfile.ZipFile(bundle) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_bundle_replays_offline_to_identical_verdicts(tmp_path: Path) -> None:
    """A bundle from a misconfigured instance replays, with the simulator gone, to the same results."""
    original = _run_with_bundle("typical", tmp_path / "live")
    replayed = replay_bundle(original.written["bundle"], {"report_dir": tmp_path / "replay"})
    assert _results(replayed) == _results(original)
    assert replayed.exit_code == 1
    assert (tmp_path / "replay" / "report.html").is_file()


def test_bundle_name_carries_the_instance_host_and_the_utc_time(tmp_path: Path) -> None:
    """The bundle is named snow-preflight-bundle-<host>-<run start, UTC>.zip, which the writer recognises."""
    outcome = _run_with_bundle("healthy", tmp_path)
    assert outcome.report is not None
    bundle = outcome.written["bundle"]
    match = NAME.fullmatch(bundle.name)
    assert match, bundle.name
    assert match.group(1) == outcome.report.run.started_at.strftime("%Y%m%dT%H%M%SZ")
    assert fnmatch.fnmatch(bundle.name, BUNDLE_GLOB)
    assert [p.name for p in tmp_path.glob("*.zip")] == [bundle.name]


def test_bundle_holds_reports_snapshot_log_environment_readme_and_redaction_report(tmp_path: Path) -> None:
    """The zip holds the reports, snapshot, exchange log, settings, environment, manifest, README, redaction."""
    files = _read(_run_with_bundle("method_without_mid", tmp_path).written["bundle"])
    assert set(files) == {"README.txt", *CONTENTS}
    assert next(iter(files)) == "README.txt"
    assert {"tool_version", "python", "platform"} <= set(json.loads(files["environment.json"]))
    exchanges = json.loads(files["exchanges.json"])
    assert exchanges
    assert all(e["method"] == "GET" for e in exchanges)
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == BUNDLE_FORMAT
    assert set(manifest["files"]) == set(files) - {"manifest.json"}


def test_readme_says_what_is_inside_and_how_to_replay_it(tmp_path: Path) -> None:
    """README.txt names the instance, the verdict, every file in the bundle, and the replay command."""
    outcome = _run_with_bundle("typical", tmp_path)
    bundle = outcome.written["bundle"]
    files = _read(bundle)
    readme = files["README.txt"]
    assert outcome.report is not None
    assert outcome.report.run.instance in readme
    assert "NO-GO" in readme
    for name in set(files) - {"README.txt"}:
        assert re.search(rf"^  {re.escape(name)} +\S", readme, re.MULTILINE), name
    assert f"snow-preflight replay {bundle.name}\n" in readme
    assert "(none; " in readme  # no ticket was given


def test_ticket_flag_records_the_ticket_and_implies_a_bundle(tmp_path: Path) -> None:
    """`demo --ticket ID` writes a bundle whose manifest and README.txt carry the ticket id."""
    result = subprocess.run(
        [sys.executable, "-m", "snow_preflight", "demo", "--report-dir", "out", "--ticket", "CS0012345"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    [bundle] = (tmp_path / "out").glob(BUNDLE_GLOB)
    files = _read(bundle)
    assert json.loads(files["manifest.json"])["ticket"] == "CS0012345"
    assert "Ticket:    CS0012345\n" in files["README.txt"]


def test_a_ticket_id_on_several_lines_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A ticket id that is not one printable line exits 4 with one line naming --ticket's setting."""
    code = main(["run", "--instance", "acme", "--username", "u", "--no-prompt", "--ticket", "CS1\nrm"])
    err = capsys.readouterr().err
    assert code == 4
    assert "ticket" in err
    assert len(err.strip().splitlines()) == 1


PASSWORD = "Planted-PW-7731!x"


def _echoing_simulator() -> Simulator:
    """An instance whose MID issue messages echo the login's password, raw and as a Basic pair."""
    scenario = load_scenario("mid_open_issue")
    login = scenario.login
    scenario.users[login] = PASSWORD
    pair = base64.b64encode(f"{login}:{PASSWORD}".encode()).decode()
    for row in scenario.tables["ecc_agent_issue"]:
        row["message"] = f"MID login failed with {PASSWORD}; header Basic {pair}"
    return Simulator(scenario)


def test_redaction_report_counts_replacements_by_kind_never_values(tmp_path: Path) -> None:
    """redaction.json counts each kind of secret replaced (password, Basic pair, ...) and holds no value."""
    files = _read(_run_with_bundle(_echoing_simulator(), tmp_path).written["bundle"])
    report = json.loads(files["redaction.json"])
    assert set(KINDS) <= set(report["replacements"])
    assert report["replacements"]["password"] > 0
    assert report["replacements"]["basic_pair"] > 0
    assert report["replacements"]["api_key"] == 0
    assert report["total"] == sum(report["replacements"].values())
    assert {"password", "basic_pair"} <= set(report["known_secrets"])
    assert all(PASSWORD not in text for text in files.values())
    assert "[REDACTED]" in files["snapshot.json"]


def test_redactor_counts_each_kind_it_replaces() -> None:
    """The redactor tallies replacements by kind, also values under secret-named keys and learned tokens."""
    redactor = Redactor({"password": "pw-1234", "api_key": "key-5678"}, username="svc")
    later = redactor.add("tok-9012")
    basic = base64.b64encode(b"svc:pw-1234").decode()
    later.data({"a": f"pw-1234 key-5678 {basic} tok-9012", "Authorization": "Bearer x", "b": "pw-1234"})
    assert redactor.counts == {
        "password": 2,
        "api_key": 1,
        "basic_pair": 1,
        "token": 1,
        "secret_named_key": 1,
    }
    assert redactor.known == ["api_key", "basic_pair", "password"]


def _as_format_1(bundle: Path, target: Path) -> Path:
    """*bundle* rewritten as the previous format wrote it: no README.txt or redaction.json, a fixed name."""
    old = target / FORMAT_1_NAME
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(old, "w") as dst:
        for name in src.namelist():
            if name in ("README.txt", "redaction.json"):
                continue
            data = src.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["format"] = 1
                for key in ("instance", "ticket"):
                    del manifest[key]
                for gone in ("README.txt", "redaction.json"):
                    del manifest["files"][gone]
                data = json.dumps(manifest).encode()
            dst.writestr(name, data)
    return old


def test_bundle_of_the_previous_format_still_replays(tmp_path: Path) -> None:
    """A format-1 bundle (fixed name, no README.txt or redaction report) replays to the same results."""
    original = _run_with_bundle("typical", tmp_path / "live")
    old = _as_format_1(original.written["bundle"], tmp_path)
    replayed = replay_bundle(old, {"report_dir": tmp_path / "replay"})
    assert _results(replayed) == _results(original)
    assert replayed.exit_code == 1


def test_bundle_from_a_newer_format_says_why_it_cannot_replay(tmp_path: Path) -> None:
    """A bundle in a format newer than this version is refused with a message saying to upgrade."""
    bundle = _run_with_bundle("healthy", tmp_path).written["bundle"]
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(newer, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["format"] = BUNDLE_FORMAT + 1
                data = json.dumps(manifest).encode()
            dst.writestr(name, data)
    with pytest.raises(BundleError, match="upgrade"):
        read_bundle(newer)


def test_replaying_a_file_that_is_not_a_bundle_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`snow-preflight replay` on a non-bundle exits 4 with one line naming the file."""
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip", encoding="utf-8")
    assert main(["replay", str(junk)]) == 4
    err = capsys.readouterr().err
    assert "junk.zip" in err
    assert len(err.strip().splitlines()) == 1
