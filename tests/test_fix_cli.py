"""The fix and attach commands explain themselves, and refuse bad input with one line and exit 4."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fix_support import command, fresh, writes

from snow_preflight.cli import main
from snow_preflight.simulator import Simulator

SCENARIO = "typical"


def _help(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SN_")}
    done = subprocess.run(
        [sys.executable, "-m", "snow_preflight.cli", *args, "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_fix_help_gives_exit_statuses_rights_and_examples() -> None:
    """`fix --help` names its flags, terraform's exit-status convention, the rights each step needs, and
    examples of plan, apply and undo."""
    text = _help("fix")
    for word in (
        "--mid NAME",
        "--mid-sys-id",
        "--apply",
        "--undo FILE",
        "--instance",
        "--report-dir",
        "--rest-message",
    ):
        assert word in text
    assert "0 nothing to change, 2 changes pending" in text
    assert "-detailed-exitcode" in text
    assert "web_service_admin" in text
    assert "sys_update_xml" in text
    assert "--undo preflight-report/fix-undo-" in text


def test_attach_help_names_its_own_login_and_exit_statuses() -> None:
    """`attach --help` names --change, --attach-username, SN_ATTACH_PASSWORD, the itil right and exit statuses."""
    text = _help("attach")
    for word in (
        "--change",
        "--attach-username",
        "SN_ATTACH_PASSWORD",
        "itil",
        "exit status",
        "--report-dir",
    ):
        assert word in text
    assert "--expected-mid" not in text  # attach judges nothing


def test_the_top_level_help_lists_both_write_commands() -> None:
    """`snow-preflight --help` lists fix and attach, and says that only they write."""
    text = _help()
    assert "fix" in text
    assert "attach" in text
    assert "only 'fix --apply' and 'attach' write" in text


def test_undo_with_a_target_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--undo with --mid is refused: the undo file says what to restore."""
    assert main(["fix", "--instance", "acme", "--undo", "x.json", "--mid", "m"]) == 4
    assert "--undo restores what its file says" in capsys.readouterr().err


def test_an_undo_file_that_is_missing_foreign_or_not_ours_is_refused(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing file, a file that is not an undo file, and one written for another instance: exit 4 with the
    reason, and no write."""
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    foreign = tmp_path / "foreign.json"
    foreign.write_text(
        json.dumps(
            {
                "tool_version": "0",
                "instance": "https://acme.service-now.com",
                "login": "x",
                "written_at": "2024-01-01T00:00:00Z",
                "rest_message": "Rundeck - API",
                "methods": [],
            }
        )
    )
    expected = {
        str(tmp_path / "missing.json"): "does not exist",
        str(junk): "is not an undo file",
        str(foreign): "was written for https://acme.service-now.com",
    }
    for path, reason in expected.items():
        ran = command(sim, tmp_path / "out", "fix", "--undo", path, capsys=capsys, monkeypatch=monkeypatch)
        assert ran.code == 4, ran.text
        assert reason in ran.err
        assert len(ran.err.strip().splitlines()) == 1
    assert writes(sim) == []


def test_an_unreachable_instance_fails_the_plan_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listening: the plan fails with exit 1 and one line naming the instance."""
    with fresh("typical") as sim:
        url = sim.url
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SN_PASSWORD", "x")
    code = main(["fix", "--instance", url, "--username", "u", "--no-prompt", "--timeout", "1", "--mid", "m"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("snow-preflight fix: failed: ")
    assert len(err.strip().splitlines()) == 1
