"""The console of the real ``snow-preflight`` command: banner, colour, --quiet, --verbose, --format json, the
wait line and Ctrl-C.

Where colour or Ctrl-C matter the command runs on a real pseudo-terminal (``os.openpty``), as a person sees
it; elsewhere its stdout and stderr are pipes, as a CI job sees them.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from command import DEMO_LOGIN, run_against, snow_preflight

from snow_preflight.simulator import Simulator
from snow_preflight.simulator.faults import Fault

SCENARIO = "healthy"
ESC = "\x1b["
#: pytest's own summary line ("3 failed, 11 passed in 0.03s"): the command never prints one.
PYTEST_SUMMARY = re.compile(r"\b\d+ (passed|failed|skipped|errors?)\b.* in [\d.]+s")


@dataclass
class Seen:
    """What a command printed on its terminal (stdout) and on stderr, and how it ended."""

    terminal: str
    stderr: str
    returncode: int


def _environ(**extra: str) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SN_", "NO_COLOR", "FORCE_COLOR", "PY_COLORS"))
    }
    return clean | {"TERM": "xterm-256color"} | extra


def on_a_terminal(
    args: list[str], cwd: Path, *, env: dict[str, str], interrupt_on: str | None = None
) -> Seen:
    """``snow-preflight ARGS`` with a pseudo-terminal as its controlling terminal, stdin and stdout.

    With *interrupt_on*, Ctrl-C is typed on that terminal (the terminal sends SIGINT, as for a person) once
    stderr shows that text.
    """
    master, slave = os.openpty()

    def controlling_terminal() -> None:  # runs in the child, after setsid()
        import fcntl
        import termios

        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(
        [sys.executable, "-m", "snow_preflight.cli", *args],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        start_new_session=True,
        preexec_fn=controlling_terminal,
    )
    os.close(slave)
    assert child.stderr is not None
    out, err = bytearray(), bytearray()
    deadline = time.monotonic() + 120
    typed = interrupt_on is None
    streams = {master: out, child.stderr.fileno(): err}
    while streams and time.monotonic() < deadline:
        ready, _, _ = select.select(list(streams), [], [], 0.2)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal closed with the child (EIO)
                chunk = b""
            if chunk:
                streams[fd].extend(chunk)
            else:
                del streams[fd]
        if not typed and interrupt_on and interrupt_on.encode() in err:
            os.write(master, b"\x03")  # Ctrl-C, as typed: the terminal turns it into SIGINT
            typed = True
    code = child.wait(timeout=30)
    os.close(master)
    child.stderr.close()
    return Seen(out.decode("utf-8", "replace").replace("\r\n", "\n"), err.decode("utf-8", "replace"), code)


def verdict_line(text: str) -> str:
    [line] = [line for line in text.splitlines() if "fail the gate" in line]
    return line


# -- the banner ------------------------------------------------------------------------------------------


def test_banner_names_instance_login_and_no_config_file(tmp_path: Path) -> None:
    """Before any result the command names the instance, the login and that no config file was read."""
    result = snow_preflight(["demo", "--scenario", "healthy"], tmp_path)
    lines = result.stdout.splitlines()
    url = re.search(r"at (http://127\.0\.0\.1:\d+)", lines[0])
    assert url
    assert lines[1] == f"snow-preflight: checking {url.group(1)} as {DEMO_LOGIN[0]}; no config file"
    assert lines.index(lines[1]) < lines.index(verdict_line(result.stdout))


def test_banner_names_the_config_file_read(tmp_path: Path) -> None:
    """A config file that was read, given or found as ./snow-preflight.toml, is named in the banner."""
    (tmp_path / "snow-preflight.toml").write_text('fail_on = "critical"\n', encoding="utf-8")
    result = snow_preflight(["demo", "--scenario", "healthy"], tmp_path)
    assert "; config file snow-preflight.toml" in result.stdout.splitlines()[1]
    given = tmp_path / "team.toml"
    given.write_text('fail_on = "high"\n', encoding="utf-8")
    result = snow_preflight(["demo", "--scenario", "healthy", "--config", str(given)], tmp_path)
    assert f"; config file {given}" in result.stdout.splitlines()[1]


# -- colour and one count ----------------------------------------------------------------------------------


def test_verdict_is_coloured_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal the NO-GO verdict is bold red and the FAILED words red; nothing else counts failures."""
    seen = on_a_terminal(["demo", "--scenario", "typical"], tmp_path, env=_environ())
    assert seen.returncode == 1
    assert "snow-preflight: \x1b[1;31mNO-GO\x1b[0m — 2 of " in verdict_line(seen.terminal)
    assert "\x1b[31mFAILED \x1b[0m critical mid_server_up[prod-mid-server]" in seen.terminal
    assert not PYTEST_SUMMARY.search(seen.terminal)


@pytest.mark.parametrize(
    ("flags", "env"),
    [([], {"NO_COLOR": "1"}), (["--color", "no"], {}), (["--color", "no"], {"FORCE_COLOR": "1"})],
    ids=["NO_COLOR", "--color-no", "--color-no-beats-FORCE_COLOR"],
)
def test_no_colour_when_asked_on_a_terminal(tmp_path: Path, flags: list[str], env: dict[str, str]) -> None:
    """NO_COLOR or --color no: even on a terminal the summary carries no escape sequence."""
    seen = on_a_terminal(["demo", "--scenario", "typical", *flags], tmp_path, env=_environ(**env))
    assert "snow-preflight: NO-GO — 2 of " in verdict_line(seen.terminal)
    summary = seen.terminal[seen.terminal.index("snow-preflight: NO-GO") :]
    assert ESC not in summary


@pytest.mark.parametrize(
    ("flags", "env", "coloured"),
    [([], {}, False), (["--color", "yes"], {}, True), ([], {"FORCE_COLOR": "1"}, True)],
    ids=["pipe", "--color-yes", "FORCE_COLOR"],
)
def test_colour_into_a_pipe_only_when_forced(
    tmp_path: Path, flags: list[str], env: dict[str, str], coloured: bool
) -> None:
    """Into a pipe (a CI log) there is no colour unless --color yes or FORCE_COLOR asks for it; then the GO
    is bold green."""
    result = snow_preflight(["demo", "--scenario", "healthy", *flags], tmp_path, env)
    line = verdict_line(result.stdout)
    assert ("snow-preflight: \x1b[1;32mGO\x1b[0m — 0 of " in line) is coloured
    assert (ESC in result.stdout) is coloured


def test_a_go_with_a_failure_below_the_gate_prints_one_count(tmp_path: Path) -> None:
    """A GO whose run failed a low check prints the verdict line as the one count of failures: no pytest
    summary ("1 failed"), no progress letters."""
    result = snow_preflight(["demo", "--scenario", "methods_split_across_mids"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert verdict_line(result.stdout).startswith("snow-preflight: GO — 0 of ")
    assert "  FAILED  low      rest_methods_share_mid" in result.stdout
    assert not PYTEST_SUMMARY.search(result.stdout + result.stderr)
    assert not re.search(r"^[.sFE]+\s*(\[\d+%\])?$", result.stdout, re.M)


# -- how much it says --------------------------------------------------------------------------------------


def test_quiet_prints_the_verdict_and_what_decides_it(tmp_path: Path) -> None:
    """--quiet: no banner, the verdict line, and one row per result that decides it; nothing else."""
    result = snow_preflight(["demo", "--scenario", "typical", "--quiet"], tmp_path)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines()[1:] if line]  # [0] is the demo's own line
    assert lines[0].startswith("snow-preflight: NO-GO — 2 of ")
    assert [line.split()[:3] for line in lines[1:]] == [
        ["FAILED", "critical", "mid_server_up[prod-mid-server]"],
        ["FAILED", "critical", "rest_method_uses_mid[GET"],
    ]
    assert "checking" not in result.stdout


def test_verbose_adds_evidence_and_the_fix(tmp_path: Path) -> None:
    """--verbose: each row is followed by its evidence, and a finding by its numbered steps to fix it."""
    result = snow_preflight(["demo", "--scenario", "typical", "--verbose"], tmp_path)
    lines = result.stdout.splitlines()
    row = next(i for i, line in enumerate(lines) if "mid_server_up[prod-mid-server]" in line)
    block = lines[row + 1 : row + 12]
    assert "      Name: prod-mid-server" in block
    assert any(line.startswith("      fix 1. ") for line in block)


def test_format_json_writes_only_the_summary_to_stdout(tmp_path: Path) -> None:
    """--format json: stdout is one JSON object (verdict, counts, decisive results, reports); the banner and
    anything else go to stderr; the exit status is the same."""
    result = snow_preflight(["demo", "--scenario", "typical", "--format", "json"], tmp_path)
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    summary = json.loads(line)
    assert summary["verdict"] == "no-go"
    assert summary["exit_code"] == 1
    assert summary["gate"] == "high"
    assert summary["counts"]["failed"] == 3
    assert [d["id"] for d in summary["decisive"]] == [
        "mid_server_up[prod-mid-server]",
        "rest_method_uses_mid[GET - Projects]",
    ]
    assert set(summary["decisive"][0]) == {"id", "severity", "outcome", "message"}
    assert [d["id"] for d in summary["could_not_verify"]] == ["mid_server_release_matches[prod-mid-server]"]
    assert set(summary["reports"]) == {"json", "html", "junit"}
    assert "snow-preflight: checking http://127.0.0.1:" in result.stderr


# -- waiting, and Ctrl-C -----------------------------------------------------------------------------------


def _wait_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("snow-preflight: waiting")]


def test_a_retry_after_wait_is_one_line_on_stderr(sim: Simulator, tmp_path: Path) -> None:
    """A 429 with Retry-After: 3 on one read: one stderr line says what the run waits for and how long."""
    sim.inject(Fault(kind="rate_limit", retry_after=3, times=1, path="/api/now/table/sys_scope"))
    result = run_against([sim.url], tmp_path)
    assert result.returncode == 0, result.stderr
    assert _wait_lines(result.stderr) == [
        "snow-preflight: waiting 3 s for the instance's Retry-After: it answered 429 reading table 'sys_scope'"
    ]


def test_a_slow_answer_is_one_line_on_stderr(sim: Simulator, tmp_path: Path) -> None:
    """A read that takes 3 s: after about 2 s one stderr line says the run waits for the instance to answer,
    and for how long at most."""
    sim.inject(Fault(kind="slow", delay=3.0, times=1, path="/api/now/table/sys_scope"))
    host = sim.url.removeprefix("http://")
    result = run_against([sim.url], tmp_path)
    assert result.returncode == 0, result.stderr
    [line] = _wait_lines(result.stderr)
    assert re.fullmatch(
        rf"snow-preflight: waiting up to 5\d s for {re.escape(host)} to answer \(--timeout 10 s per answer\)",
        line,
    )


def test_a_quick_run_says_nothing_about_waiting(sim: Simulator, tmp_path: Path) -> None:
    """Answers in well under 2 s: no wait line at all, and stderr stays empty."""
    result = run_against([sim.url], tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""


def test_ctrl_c_while_waiting_prints_one_line_and_exits_2(sim: Simulator, tmp_path: Path) -> None:
    """Ctrl-C typed on the terminal while the run waits for a slow instance: exit 2 and one stderr line
    besides the wait line, no traceback, no pytest banner."""
    sim.inject(Fault(kind="slow", delay=8.0, times=1, path="/api/now/table/sys_scope"))
    env = _environ(SN_PASSWORD=DEMO_LOGIN[1])
    args = ["run", "--instance", sim.url, "--username", DEMO_LOGIN[0], "--no-prompt"]
    seen = on_a_terminal(args, tmp_path, env=env, interrupt_on="snow-preflight: waiting")
    assert seen.returncode == 2, seen.terminal + seen.stderr
    others = [line for line in seen.stderr.splitlines() if line not in _wait_lines(seen.stderr)]
    assert others == ["snow-preflight: interrupted; no reports written"]
    assert "Traceback" not in seen.terminal + seen.stderr
    assert "KeyboardInterrupt" not in seen.terminal + seen.stderr
