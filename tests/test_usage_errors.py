"""A configuration mistake is a usage error (exit 4) with its reason on one line, before any request.

Each bad input goes through the real command, ``python -m snow_preflight``, with a clean environment (no
``SN_*`` from the developer's shell) and no terminal, against a simulated instance that records every
request: none may reach it, nothing may be created, and no traceback may appear. The README's exit status
table is checked against what these runs see.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from snow_preflight import run
from snow_preflight.simulator import Simulator

README = Path(__file__).resolve().parents[1] / "README.md"
PASSWORD = "preflight-demo-pw"


def command(
    args: list[str], cwd: Path, env: dict[str, str], *, module: str = "snow_preflight"
) -> subprocess.CompletedProcess[str]:
    """The real command, without a terminal, in *cwd*, with *env* over the environment minus SN_*."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SN_")}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True, text=True, cwd=cwd, env=clean | env, stdin=subprocess.DEVNULL, timeout=120,
        check=False,
    )  # fmt: skip


def usage_error(result: subprocess.CompletedProcess[str], prefix: str = "snow-preflight: error: ") -> str:
    """The one stderr line of a usage error (exit 4, nothing on stdout, no traceback), without *prefix*."""
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 4, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prefix), lines[0]
    return lines[0].removeprefix(prefix)


@dataclass(frozen=True)
class Case:
    """A bad input: what to add to a good ``run`` command line and environment, and the reason to see."""

    reason: str  # the start of the line after "snow-preflight: error: " (a regular expression)
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()  # flags (with their value) or variables to leave out of the good command
    files: dict[str, str] = field(default_factory=dict)  # files to write first: name -> text


CASES = {
    "secret not mapped in CI": Case(
        r"no password: SN_PASSWORD is not set \(in CI, map the secret into the job's environment\) and "
        r"--password was not given; there is no terminal to ask for it at; the login 'svc_preflight' needs one",
        drop=("SN_PASSWORD",), env={"SN_USERNAME": "svc_preflight"}),
    "secret mapped empty": Case(r"no password: SN_PASSWORD is set but empty \(in CI, map the secret", env={"SN_PASSWORD": ""}),
    "no password, --no-prompt": Case(r"no password: .*--no-prompt forbids asking", args=("--no-prompt",), drop=("SN_PASSWORD",)),
    "no user name": Case(r"Basic authentication needs a user name: add --username \(SN_USERNAME\)", drop=("--username",)),
    "client id alone": Case(r"no client secret: SN_CLIENT_SECRET is not set .* OAuth client 'cid' needs one",
                            args=("--client-id", "cid"), drop=("--username", "SN_PASSWORD")),
    "client secret alone": Case(r"OAuth needs both a client id and a client secret: add --client-id \(SN_CLIENT_ID\)",
                                env={"SN_CLIENT_SECRET": "cs-not-used"}, drop=("--username", "SN_PASSWORD")),
    "CA bundle missing": Case(r"--ca-bundle missing\.pem does not exist", args=("--ca-bundle", "missing.pem")),
    "CA bundle not PEM": Case(r"--ca-bundle notes\.txt holds no PEM certificate", args=("--ca-bundle", "notes.txt"),
                              files={"notes.txt": "not a certificate\n"}),
    "client certificate missing": Case(r"--client-cert client\.pem does not exist", args=("--client-cert", "client.pem")),
    "client key alone": Case(r"--client-key was given without --client-cert", args=("--client-key", "key.pem")),
    "timeout nan": Case(r"--timeout \(SN_TIMEOUT\) must be a number of seconds above 0 \(got nan\)", args=("--timeout", "nan")),
    "timeout inf": Case(r"--timeout \(SN_TIMEOUT\) must be a number of seconds above 0 \(got inf\)", args=("--timeout", "inf")),
    "timeout negative": Case(r"--timeout \(SN_TIMEOUT\) must be .* \(got -1\.0\)", args=("--timeout", "-1")),
    "SN_TIMEOUT nan": Case(r"--timeout \(SN_TIMEOUT\) must be .* \(got nan\)", env={"SN_TIMEOUT": "nan"}),
    "SN_TIMEOUT not a number": Case(r"invalid settings: --timeout \(SN_TIMEOUT\): Input should be a valid number",
                                    env={"SN_TIMEOUT": "soon"}),
    "time budget inf": Case(r"--time-budget \(SN_TIME_BUDGET\) must be .* \(got inf\)", args=("--time-budget", "inf")),
    "retries negative": Case(r"--max-retries \(SN_MAX_RETRIES\) must be 0 or more \(got -1\)", args=("--max-retries", "-1")),
    "heartbeat nan": Case(r"invalid settings: --heartbeat-max-age \(SN_HEARTBEAT_MAX_AGE\): Input should be a finite",
                          args=("--heartbeat-max-age", "nan")),
    "malformed instance": Case(r"The instance URL contains a space", args=("--instance", "ht!tp://bad url"), drop=("--instance",)),
    "malformed scheme": Case(r"The instance URL's scheme is not a scheme", args=("--instance", "ht!tp://bad"), drop=("--instance",)),
    "unknown config key": Case(r"snow-preflight\.toml \[expect\]: unknown key 'expected_mids'; did you mean 'expected_mid'\?$",
                               files={"snow-preflight.toml": '[expect]\nexpected_mids = "prod-mid-server"\n'}),
    "config key in the wrong section": Case(r"snow-preflight\.toml: unknown key 'timeout'; it belongs under \[connection\]",
                                            files={"snow-preflight.toml": "timeout = 5\n"}),
    "secret in the config file": Case(r"config file snow-preflight\.toml holds a secret \(password\)",
                                      files={"snow-preflight.toml": '[connection]\npassword = "hunter2-planted"\n'}),
    "report folder under a file": Case(r"--report-dir a-file/out cannot be created: a-file is a file, not a folder",
                                       args=("--report-dir", "a-file/out"), drop=("--report-dir",), files={"a-file": "x"}),
    "report folder is a file": Case(r"--report-dir a-file is a file, not a folder", args=("--report-dir", "a-file"),
                                    drop=("--report-dir",), files={"a-file": "x"}),
}  # fmt: skip


def good_run(sim: Simulator) -> tuple[list[str], dict[str, str]]:
    """A ``run`` command line and environment that would log in to *sim* and judge it."""
    args = ["run", "--instance", sim.url, "--username", "svc_preflight", "--report-dir", "out"]
    return args, {"SN_PASSWORD": PASSWORD}


def _apply(case: Case, args: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    for name in case.drop:
        if name in args:
            index = args.index(name)
            del args[index : index + 2]
        env.pop(name, None)
    return [*args, *case.args], env | case.env


@pytest.mark.parametrize("name", CASES)
def test_a_bad_setting_is_a_usage_error_found_before_any_request(
    sim: Simulator, tmp_path: Path, name: str
) -> None:
    """Each configuration mistake exits 4 with one line naming the cause and the fix: no request is sent,
    no report folder created, no traceback shown, and no secret echoed."""
    case = CASES[name]
    for file, text in case.files.items():
        (tmp_path / file).write_text(text, encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    sim.clear_requests()
    args, env = _apply(case, *good_run(sim))
    line = usage_error(command(args, tmp_path, env))
    assert re.match(case.reason, line), line
    assert sim.requests == []
    assert sorted(tmp_path.rglob("*")) == before
    assert PASSWORD not in line
    assert "hunter2-planted" not in line


PYTEST_CASES = {
    "secret not mapped in CI": (
        (), {"SN_USERNAME": "svc_preflight"},
        r"no password: SN_PASSWORD is not set \(in CI, map the secret into the job's environment\) and "
        r"--sn-password was not given; pytest does not prompt",
    ),
    "timeout nan": (("--sn-timeout", "nan"), {}, r"--sn-timeout \(SN_TIMEOUT\) must be a number of seconds above 0"),
    "report folder under a file": (("--sn-report-dir", "a-file/out"), {}, r"--sn-report-dir a-file/out cannot be created"),
    "unknown config key": (("--sn-config", "site.toml"), {}, r"site\.toml \[expect\]: unknown key 'expected_mids'"),
}  # fmt: skip


@pytest.mark.parametrize("name", PYTEST_CASES)
def test_the_plugin_gives_the_same_reasons_as_a_pytest_usage_error(
    sim: Simulator, tmp_path: Path, name: str
) -> None:
    """`pytest --pyargs snow_preflight.checks --sn-...` gives the same one-line reason, naming the --sn-*
    options pytest knows, as a pytest usage error (exit 4), before any request."""
    args, env, reason = PYTEST_CASES[name]
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    (tmp_path / "site.toml").write_text('[expect]\nexpected_mids = "x"\n', encoding="utf-8")
    sim.clear_requests()
    base = ["-p", "no:cacheprovider", "--pyargs", "snow_preflight.checks", "--sn-instance", sim.url]
    if "SN_USERNAME" not in env:
        base += ["--sn-username", "svc_preflight"]
        env = env | {"SN_PASSWORD": PASSWORD}
    result = command([*base, *args], tmp_path, env, module="pytest")
    line = usage_error(result, prefix="ERROR: snow-preflight: ")
    assert re.match(reason, line), line
    assert not re.search(r"(?<![\w-])--(password|timeout|report-dir|config)\b", line)
    assert sim.requests == []


def test_reports_that_cannot_be_written_fail_the_run_with_the_reason(tmp_path: Path) -> None:
    """A report that cannot be written after the run (report.json is a folder) exits 3 with the reason on
    stderr, and leaves no junit.xml or report.html that a CI server could read as a result."""
    (tmp_path / "out" / "report.json").mkdir(parents=True)
    result = command(["demo", "--report-dir", "out"], tmp_path, {})
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert re.match(
        r"snow-preflight: reports not written to out: report\.json: Is a directory; choose a writable", line
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.json"]


def _exit_table() -> dict[int, str]:
    """The README's exit status table: status -> meaning."""
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\| \*\*(\d)\*\* \| (.+?) \|$", text, flags=re.MULTILINE)
    return {int(status): meaning for status, meaning in rows}


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (run.GO, "go"),
        (run.NO_GO, "no-go"),
        (run.INTERRUPTED, "interrupted"),
        (run.INTERNAL_ERROR, "reports could not be written"),
        (run.USAGE_ERROR, "found before any request"),
        (run.NOTHING_JUDGED, "nothing judged"),
    ],
)
def test_the_readme_exit_table_says_what_the_command_does(status: int, words: str) -> None:
    """Each exit status the command uses has its row in the README, saying what these tests see."""
    table = _exit_table()
    assert sorted(table) == [0, 1, 2, 3, 4, 5]
    assert words in table[status]
