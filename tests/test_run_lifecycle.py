"""Runs that must never look like GO: interrupted, judging nothing, unwritable, replayed; and the one list of
what could not be verified.

The interrupt tests start the real ``snow-preflight`` command against a slow simulated instance, with an
earlier run's GO reports and bundle in the report folder, and signal it while it waits for the instance.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from junitparser import JUnitXml

from snow_preflight.bundle import read_bundle
from snow_preflight.redaction import Redactor
from snow_preflight.reports.writer import BUNDLE_GLOB, write_reports
from snow_preflight.run import INTERRUPTED, NOTHING_JUDGED, run_checklist, simulator_settings
from snow_preflight.simulator import Simulator

SCENARIO = "healthy"
CLI = [sys.executable, "-m", "snow_preflight"]
REPORTS = ("report.json", "report.html", "junit.xml")
FOREIGN_HTML = "<!DOCTYPE html><title>Our own change notes</title><p>GO for Friday.</p>\n"


@pytest.fixture(scope="module")
def earlier(sim: Simulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report folder as a GO run of the checklist left it: the three reports and a support bundle."""
    folder = tmp_path_factory.mktemp("earlier")
    outcome = run_checklist(simulator_settings(sim, report_dir=folder, bundle=True))
    assert outcome.exit_code == 0
    return folder


def _folder_with_earlier_go(earlier: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    shutil.copytree(earlier, folder)
    (folder / "notes.txt").write_text("not ours", encoding="utf-8")
    return folder


def _env(**extra: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SN_")} | extra


def _connected(port: int) -> bool:
    """True once a client holds an open TCP connection to *port* on this machine (Linux /proc)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text(encoding="ascii").splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def _interrupt_while_reading(
    command: list[str], slow: Simulator, sig: signal.Signals, cwd: Path
) -> tuple[int, str, str]:
    """Start *command*, send *sig* once it waits on *slow*'s answer; its exit status, stdout and stderr."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=_env(SN_PASSWORD=slow.credentials["password"]),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not _connected(slow.port):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never reached the instance"
        time.sleep(0.02)
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    # The slow instance earns its wait line (tests/test_console.py); what the interrupt prints is the rest.
    err = "".join(line for line in err.splitlines(True) if not line.startswith("snow-preflight: waiting"))
    return process.returncode, out, err


def _run_command(slow: Simulator, folder: Path) -> list[str]:
    login = slow.credentials["username"]
    return [
        *CLI,
        "run",
        "--instance",
        slow.url,
        "--username",
        login,
        "--report-dir",
        str(folder),
        "--no-prompt",
    ]


def _assert_nothing_current(folder: Path, keep: set[str]) -> None:
    left = {path.name for path in folder.iterdir()}
    assert left == keep, left
    assert not list(folder.glob(BUNDLE_GLOB))


@pytest.mark.parametrize(
    ("sig", "cause"), [(signal.SIGINT, "interrupted"), (signal.SIGTERM, "interrupted by SIGTERM")]
)
def test_an_interrupted_run_leaves_no_earlier_report_looking_current(
    earlier: Path, tmp_path: Path, sig: signal.Signals, cause: str
) -> None:
    """Ctrl-C or SIGTERM while reading: exit 2, one line naming what was removed; only foreign files stay."""
    folder = _folder_with_earlier_go(earlier, tmp_path)
    (folder / "index.html").write_text(FOREIGN_HTML, encoding="utf-8")
    bundle = next(folder.glob(BUNDLE_GLOB)).name
    with Simulator("healthy", latency_ms=3000) as slow:
        code, out, err = _interrupt_while_reading(_run_command(slow, folder), slow, sig, tmp_path)
    assert code == INTERRUPTED, (out, err)
    assert err.splitlines() == [
        f"snow-preflight: {cause}; no reports written (removed the earlier report.json, report.html, "
        f"junit.xml, {bundle} from {folder})"
    ]
    for noise in ("KeyboardInterrupt", "Traceback", "!!!", "Interrupted"):
        assert noise not in out + err
    _assert_nothing_current(folder, {"notes.txt", "index.html"})
    assert (folder / "index.html").read_text(encoding="utf-8") == FOREIGN_HTML


def test_a_foreign_report_named_like_ours_survives_an_interrupt(tmp_path: Path) -> None:
    """A report.html that snow-preflight did not write stays; the one line says nothing was removed."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "report.html").write_text(FOREIGN_HTML, encoding="utf-8")
    with Simulator("healthy", latency_ms=3000) as slow:
        code, out, err = _interrupt_while_reading(_run_command(slow, folder), slow, signal.SIGINT, tmp_path)
    assert code == INTERRUPTED, (out, err)
    assert err.splitlines() == ["snow-preflight: interrupted; no reports written"]
    assert (folder / "report.html").read_text(encoding="utf-8") == FOREIGN_HTML


def test_plain_pytest_handles_sigterm_like_ctrl_c(earlier: Path, tmp_path: Path) -> None:
    """`pytest --pyargs snow_preflight.checks` stopped by SIGTERM: exit 2, the one line, no pytest banner."""
    folder = _folder_with_earlier_go(earlier, tmp_path)
    with Simulator("healthy", latency_ms=3000) as slow:
        command = [
            sys.executable, "-m", "pytest", "--pyargs", "snow_preflight.checks", "-p", "no:cacheprovider",
            "--sn-instance", slow.url, "--sn-username", slow.credentials["username"],
            "--sn-report-dir", str(folder),
        ]  # fmt: skip
        code, out, err = _interrupt_while_reading(command, slow, signal.SIGTERM, tmp_path)
    assert code == INTERRUPTED, (out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(
        "snow-preflight: interrupted by SIGTERM; no reports written (removed the earlier"
    )
    assert "KeyboardInterrupt" not in out + err
    assert "!!!" not in out
    _assert_nothing_current(folder, {"notes.txt"})


def test_a_run_that_judges_nothing_exits_5_and_writes_nothing(sim: Simulator, tmp_path: Path) -> None:
    """Every check deselected, or --collect-only: exit 5, and the report folder is not even created."""
    for extra in (["-k", "no_such_check"], ["--collect-only"]):
        folder = tmp_path / extra[-1].strip("-")
        outcome = run_checklist(simulator_settings(sim, report_dir=folder), extra=extra)
        assert outcome.exit_code == NOTHING_JUDGED, extra
        assert outcome.report is None
        assert not folder.exists(), extra


def _demo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "demo", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(),
        timeout=120,
        check=False,
    )


def test_the_command_that_selects_nothing_exits_5_and_writes_nothing(tmp_path: Path) -> None:
    """`snow-preflight demo --only` matching no check: exit 5, one line saying so, no report folder."""
    folder = tmp_path / "out"
    result = _demo(tmp_path, "--only", "no_such_check", "--report-dir", str(folder))
    assert result.returncode == NOTHING_JUDGED, result.stdout + result.stderr
    assert "snow-preflight: no check was judged (every check deselected); no reports written" in result.stdout
    assert not folder.exists()


def test_a_subset_names_what_was_not_run_on_the_console_and_in_every_report(tmp_path: Path) -> None:
    """`demo --only 'app_*'`: one console line and each report list the checks that were not run."""
    folder = tmp_path / "out"
    result = _demo(tmp_path, "--only", "app_*", "--report-dir", str(folder))
    not_run = json.loads((folder / "report.json").read_text(encoding="utf-8"))["run"]["not_run"]
    assert "mid_server_up" in not_run
    assert "app_installed" not in not_run
    assert f"Not run in this run ({len(not_run)}): {', '.join(not_run)}" in result.stdout.splitlines()
    [suite] = list(JUnitXml.fromfile(str(folder / "junit.xml")))
    assert {p.name: p.value for p in suite.properties()}["not_run"] == ",".join(not_run)
    html = (folder / "report.html").read_text(encoding="utf-8")
    section = html.split('<section id="not-run"', 1)[1].split("</section>", 1)[0]
    assert all(f"<li><code>{check}</code></li>" in section for check in not_run)


def test_an_unwritable_junit_fails_the_run_and_leaves_no_go(earlier: Path, tmp_path: Path) -> None:
    """junit.xml is a folder: exit 3, the reason in one stderr line, and no report of ours says GO."""
    folder = _folder_with_earlier_go(earlier, tmp_path)
    (folder / "junit.xml").unlink()
    (folder / "junit.xml").mkdir()
    result = _demo(tmp_path, "--scenario", "healthy", "--report-dir", str(folder))
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"snow-preflight: reports not written to {folder}: junit.xml: Is a directory; choose a writable "
        "folder with --report-dir"
    ]
    assert "Traceback" not in result.stdout + result.stderr
    assert "snow-preflight: GO" not in result.stdout
    assert "snow-preflight: NO VERDICT" in result.stdout
    _assert_nothing_current(folder, {"notes.txt", "junit.xml"})


def test_a_failed_write_removes_the_reports_it_had_written(tmp_path: Path, sim: Simulator) -> None:
    """The writer leaves no new report.json beside a junit.xml it could not write."""
    outcome = run_checklist(simulator_settings(sim, report_dir=tmp_path / "first"))
    assert outcome.report is not None
    (tmp_path / "junit.xml").mkdir()
    (tmp_path / "mine.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(IsADirectoryError):
        write_reports(outcome.report, tmp_path, Redactor())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first", "junit.xml", "mine.txt"]


def test_a_replayed_bundle_says_so_everywhere_and_keeps_the_read_time(earlier: Path, tmp_path: Path) -> None:
    """Replay: every report and the console name the bundle; started_at is when the instance was read."""
    bundle = next(earlier.glob(BUNDLE_GLOB))
    _, snapshot = read_bundle(bundle)
    out = tmp_path / "replay"
    result = subprocess.run(
        [*CLI, "replay", str(bundle), "--report-dir", str(out)],
        capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    read_at = snapshot.taken_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert f"snow-preflight: replayed from {bundle.name}: the instance as read at {read_at}" in result.stdout
    run = json.loads((out / "report.json").read_text(encoding="utf-8"))["run"]
    assert run["replayed_from"] == bundle.name
    original = json.loads((earlier / "report.json").read_text(encoding="utf-8"))["run"]
    assert abs(_when(run["started_at"]) - _when(original["started_at"])) < 5
    assert _when(run["started_at"]) == snapshot.taken_at.timestamp()
    [suite] = list(JUnitXml.fromfile(str(out / "junit.xml")))
    properties = {p.name: p.value for p in suite.properties()}
    assert properties["replayed_from"] == bundle.name
    html = (out / "report.html").read_text(encoding="utf-8")
    assert re.search(rf'id="replayed"[^>]*>.*Replayed offline.*{re.escape(bundle.name)}', html)


def _when(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def test_every_result_not_verified_is_listed_in_one_place(tmp_path: Path) -> None:
    """The HTML's "Could not verify" section and the console's list name each error result and its reason."""
    out = tmp_path / "out"
    result = _demo(tmp_path, "--scenario", "roles_table_denied", "--report-dir", str(out))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    errors = [r for r in report["results"] if r["outcome"] == "error"]
    assert errors
    html = (out / "report.html").read_text(encoding="utf-8")
    section = html.split('<section id="unverified"', 1)[1].split("</section>", 1)[0]
    for error in errors:
        anchor = re.search(rf'<a href="#(result-\d+)"><code>{re.escape(error["id"])}</code></a>', section)
        assert anchor, error["id"]
        card = html.split(f'id="{anchor.group(1)}"', 1)[1].split("</article>", 1)[0]
        assert f"<code>{error['id']}</code>" in card
    console = result.stdout.split(f"Could not verify ({len(errors)}):", 1)[1].splitlines()
    for error in errors:
        assert any(line.split()[0] == error["id"] for line in console if line.strip()), error["id"]
