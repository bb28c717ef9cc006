"""The support bundle: written with the reports, redacted, and replayed offline to the same verdicts."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from snow_preflight.bundle import BUNDLE_NAME, BundleError, read_bundle
from snow_preflight.cli import main
from snow_preflight.run import replay_bundle, run_checklist, simulator_settings
from snow_preflight.simulator import Simulator


def _run_with_bundle(scenario: str, out: Path) -> dict[str, tuple[str, str]]:
    with Simulator(scenario) as sim:
        settings = simulator_settings(sim, report_dir=out, bundle=True)
        outcome = run_checklist(settings)
    assert outcome.report is not None
    return {r.id: (r.outcome.value, r.message) for r in outcome.report.results}


def test_bundle_replays_offline_to_identical_verdicts(tmp_path: Path) -> None:
    """A bundle from a misconfigured instance replays, with the simulator gone, to the same results."""
    original = _run_with_bundle("typical", tmp_path / "live")
    bundle = tmp_path / "live" / BUNDLE_NAME
    assert bundle.is_file()
    replayed = replay_bundle(bundle, {"report_dir": tmp_path / "replay"})
    assert replayed.report is not None
    assert {r.id: (r.outcome.value, r.message) for r in replayed.report.results} == original
    assert replayed.exit_code == 1
    assert (tmp_path / "replay" / "report.html").is_file()


def test_bundle_holds_reports_snapshot_log_and_environment(tmp_path: Path) -> None:
    """The zip holds the three reports, the snapshot, the exchange log, settings, environment, manifest."""
    _run_with_bundle("method_without_mid", tmp_path)
    with zipfile.ZipFile(tmp_path / BUNDLE_NAME) as archive:
        names = set(archive.namelist())
        environment = json.loads(archive.read("environment.json"))
        exchanges = json.loads(archive.read("exchanges.json"))
    assert names == {
        "manifest.json",
        "report.json",
        "report.html",
        "junit.xml",
        "snapshot.json",
        "exchanges.json",
        "settings.json",
        "environment.json",
    }
    assert {"tool_version", "python", "platform"} <= set(environment)
    assert exchanges
    assert all(e["method"] == "GET" for e in exchanges)


def test_bundle_from_a_newer_format_says_why_it_cannot_replay(tmp_path: Path) -> None:
    """A bundle in a format newer than this version is refused with a message saying to upgrade."""
    _run_with_bundle("healthy", tmp_path)
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(tmp_path / BUNDLE_NAME) as src, zipfile.ZipFile(newer, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["format"] = 99
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
