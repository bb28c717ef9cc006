"""The command line: bad input gets a one-line diagnosis and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from command import CLI, snow_preflight

from snow_preflight.simulator import Simulator


def _run(
    args: list[str], tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command in *tmp_path*, with no SN_* variable but those in *env* (the suite's shared runner)."""
    return snow_preflight(args, tmp_path, env)


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_help_explains_commands_environment_and_exit_status(tmp_path: Path) -> None:
    """--help lists the commands, the SN_* variables and the exit statuses."""
    result = _run(["--help"], tmp_path)
    assert result.returncode == 0
    for word in ("run", "demo", "simulate", "replay", "SN_HOST", "SN_PASSWORD", "exit status"):
        assert word in result.stdout


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    """An unknown option exits 4 (pytest's usage error) with one error line."""
    result = _run(["run", "--instanse", "acme"], tmp_path)
    assert result.returncode == 4
    assert "unrecognized arguments: --instanse" in result.stderr
    _no_traceback(result)


def test_missing_instance_is_a_usage_error(tmp_path: Path) -> None:
    """Running without an instance says how to give one and exits 4."""
    result = _run(["run", "--no-prompt"], tmp_path)
    assert result.returncode == 4
    assert "--instance" in result.stderr
    _no_traceback(result)


def test_plain_http_to_a_remote_host_is_refused(tmp_path: Path) -> None:
    """http:// to a non-loopback host is refused before any request, with the reason."""
    result = _run(
        ["run", "--instance", "http://acme.example.com", "--username", "u", "--no-prompt"],
        tmp_path,
        env={"SN_PASSWORD": "pw-not-used"},
    )
    assert result.returncode == 4
    assert "http" in result.stderr.lower()
    _no_traceback(result)


def test_unreachable_host_gives_one_line_diagnosis_and_reports(tmp_path: Path, free_port: int) -> None:
    """A closed port ends in a no-go naming the refused connection, and the reports are still written."""
    url = f"http://127.0.0.1:{free_port}"
    result = _run(
        ["run", "--instance", url, "--username", "u", "--report-dir", "out", "--no-prompt"],
        tmp_path,
        env={"SN_PASSWORD": "pw-unreachable"},
    )
    assert result.returncode == 1
    assert "NO-GO" in result.stdout
    line = next(line for line in result.stdout.splitlines() if "instance_reachable" in line)
    assert "FAILED" in line
    assert "refused" in line.lower()
    _no_traceback(result)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    outcomes = {r["id"]: r["outcome"] for r in report["results"]}
    assert outcomes["instance_reachable"] == "failed"
    assert outcomes["app_installed"] == "skipped"
    assert "pw-unreachable" not in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_wrong_password_is_a_failed_login_not_a_missing_role(tmp_path: Path) -> None:
    """A wrong password fails login_authenticated with the likely causes; roles are skipped, not failed."""
    with Simulator("healthy") as sim:
        result = _run(
            [
                "run",
                "--instance",
                sim.url,
                "--username",
                "svc_preflight",
                "--report-dir",
                "out",
                "--no-prompt",
            ],
            tmp_path,
            env={"SN_PASSWORD": "definitely-wrong-pw"},
        )
    assert result.returncode == 1
    _no_traceback(result)
    line = next(line for line in result.stdout.splitlines() if "login_authenticated" in line)
    assert "FAILED" in line
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    outcomes = {r["id"]: r["outcome"] for r in report["results"]}
    assert outcomes["login_has_role[web_service_admin]"] == "skipped"
    assert "definitely-wrong-pw" not in result.stdout + result.stderr
    for name in ("report.json", "report.html", "junit.xml"):
        assert "definitely-wrong-pw" not in (tmp_path / "out" / name).read_text(encoding="utf-8")


def test_non_servicenow_url_is_named_as_such(tmp_path: Path, stand_in: Any) -> None:
    """A URL that serves an ordinary web page is diagnosed as 'not the REST API', not as bad credentials."""
    result = _run(
        ["run", "--instance", stand_in.url, "--username", "u", "--report-dir", "out", "--no-prompt"],
        tmp_path,
        env={"SN_PASSWORD": "pw-html"},
    )
    assert result.returncode == 1
    _no_traceback(result)
    line = next(line for line in result.stdout.splitlines() if "instance_reachable" in line)
    assert "FAILED" in line
    assert "html" in line.lower()


def test_demo_finds_the_typical_scenarios_problems(tmp_path: Path) -> None:
    """`snow-preflight demo` runs the checklist on the simulator and reports a no-go with the problems."""
    result = _run(["demo", "--report-dir", "out"], tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    _no_traceback(result)
    assert "NO-GO" in result.stdout
    assert "rest_method_uses_mid" in result.stdout
    for name in ("report.json", "report.html", "junit.xml"):
        assert (tmp_path / "out" / name).is_file()


def test_unknown_scenario_is_a_usage_error(tmp_path: Path) -> None:
    """An unknown demo scenario exits 4 and names the scenarios that exist."""
    result = _run(["demo", "--scenario", "no-such-scenario"], tmp_path)
    assert result.returncode == 4
    assert "healthy" in result.stderr
    _no_traceback(result)


def test_plain_pytest_runs_the_checklist_with_the_plugin_options(tmp_path: Path) -> None:
    """`pytest checks --sn-instance ...` from the source tree runs the checklist and writes the reports."""
    root = Path(__file__).resolve().parent.parent
    with Simulator("typical") as sim:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SN_")}
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "checks", "-p", "no:cacheprovider", "-q",
             "-o", "python_functions=check_*", "-o", "python_files=*.py",
             "--sn-instance", sim.url, "--sn-username", "svc_preflight", "--sn-report-dir", str(tmp_path / "out")],
            capture_output=True, text=True, cwd=root, env=clean | {"SN_PASSWORD": "preflight-demo-pw"},
            timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "NO-GO" in result.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    outcomes = {r["id"]: r["outcome"] for r in report["results"]}
    assert outcomes["rest_method_uses_mid[GET - Projects]"] == "failed"
    assert outcomes["rest_method_uses_mid[POST - Run Webhook]"] == "passed"


def test_simulate_help_lists_the_scenarios(tmp_path: Path) -> None:
    """`snow-preflight simulate --help` names every scenario with its description."""
    result = _run(["simulate", "--help"], tmp_path)
    assert result.returncode == 0
    for name in ("healthy", "typical", "mid_down", "hibernating", "large"):
        assert f"  {name} " in result.stdout


def test_password_is_prompted_for_on_a_terminal(tmp_path: Path) -> None:
    """With a terminal attached and no password given, the CLI asks for it, without echo, and logs in."""
    with Simulator("healthy") as sim:
        # The simulator's threads make Python 3.12+ warn about fork(); the child only chdirs and execs, which
        # takes no lock another thread could hold, so the warning does not apply here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            pid, fd = pty.fork()
        if pid == 0:  # the child: the CLI, with the pty as its controlling terminal
            os.chdir(tmp_path)
            env = {k: v for k, v in os.environ.items() if not k.startswith("SN_")}
            args = ["run", "--instance", sim.url, "--username", "svc_preflight", "--report-dir", "out"]
            os.execve(sys.executable, [*CLI, *args], env)  # noqa: S606 - our own CLI, fixed arguments
        output = _read_until(fd, b"Password for svc_preflight: ")
        os.write(fd, sim.credentials["password"].encode() + b"\n")
        output += _read_until(fd, None)
        _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert sim.credentials["password"] not in text
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["outcome"] for r in report["results"]}["login_authenticated"] == "passed"


def _read_until(fd: int, marker: bytes | None, timeout: float = 60.0) -> bytes:
    """Read from the pty until *marker* appears (or, with None, until the child closes it)."""
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (marker is None or marker not in data):
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child has exited and closed the terminal
            break
        if not chunk:
            break
        data += chunk
    return data


def test_a_reader_that_goes_away_does_not_stop_the_run(tmp_path: Path) -> None:
    """`snow-preflight demo | head -1`: no traceback, the reports are written, the exit status is the verdict."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SN_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "snow_preflight", "demo", "--report-dir", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # the reader goes away, as `head -1` does
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) == 1, stderr  # typical is a NO-GO
    assert "Traceback" not in stderr
    assert "BrokenPipe" not in stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["junit.xml", "report.html", "report.json"]
