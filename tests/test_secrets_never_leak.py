"""Planted secrets never reach a report, the bundle, the console or the exchange log, in any login mode.

The simulator is given known secrets as the login's password, OAuth client secret, bearer token and API key,
and echoes them back through every channel it has: an error message of a denied read, and instance data
that the checks record as evidence. Every artifact of the run, unzipped, and everything printed, is then
searched for each secret and for the encodings it travels in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from snow_preflight.simulator import Fault, Simulator, load_scenario

PASSWORD = "Planted-PW-7731!x"
CLIENT_SECRET = "planted-client-secret-5512"
TOKEN = "planted-bearer-token-9941"
API_KEY = "planted-api-key-3307"
SECRETS = (PASSWORD, CLIENT_SECRET, TOKEN, API_KEY)
LOGIN = "svc_preflight"


def _planted_simulator() -> Simulator:
    scenario = load_scenario("mid_open_issue")
    scenario.users[LOGIN] = PASSWORD
    scenario.oauth_clients = [{"client_id": "planted-client", "client_secret": CLIENT_SECRET, "user": LOGIN}]
    scenario.tokens = {TOKEN: LOGIN}
    scenario.api_keys = {API_KEY: LOGIN}
    # Instance data that echoes every secret; the MID issue message lands in the evidence of mid_server_up.
    echo = " ".join(SECRETS)
    for row in scenario.tables["ecc_agent_issue"]:
        row["message"] = f"MID login failed, password was {echo}"
    for row in scenario.tables["ecc_agent"]:
        row["host_name"] = f"mid01 ({echo})"
    sim = Simulator(scenario)
    # An error message that echoes them too: a denied read of the REST message table.
    sim.inject(Fault(status=403, path="/api/now/table/sys_rest_message", message=f"denied for {echo}"))
    return sim


MODES = {
    "basic": {"SN_USERNAME": LOGIN, "SN_PASSWORD": PASSWORD},
    "oauth_password": {
        "SN_USERNAME": LOGIN,
        "SN_PASSWORD": PASSWORD,
        "SN_CLIENT_ID": "planted-client",
        "SN_CLIENT_SECRET": CLIENT_SECRET,
    },
    "oauth_client_credentials": {"SN_CLIENT_ID": "planted-client", "SN_CLIENT_SECRET": CLIENT_SECRET},
    "bearer": {"SN_ACCESS_TOKEN": TOKEN},
    "api_key": {"SN_API_KEY": API_KEY},
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_no_secret_in_any_artifact_or_output(
    mode: str,
    tmp_path: Path,
    secret_forms: Callable[..., list[str]],
    artifacts: Callable[[Path], dict[str, str]],
) -> None:
    """Whatever the login mode, no planted secret appears in reports, bundle, console or exchange log."""
    with _planted_simulator() as sim:
        env = (
            {k: v for k, v in os.environ.items() if not k.startswith("SN_")}
            | MODES[mode]
            | {"SN_HOST": sim.url}
        )
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "snow_preflight.cli",
                "run",
                "--report-dir",
                "out",
                "--bundle",
                "--no-prompt",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
            check=False,
        )
    assert "Traceback" not in result.stdout + result.stderr
    written = artifacts(tmp_path / "out")
    assert {"report.json", "report.html", "junit.xml"} <= {Path(n).name for n in written}
    assert any(n.endswith(".zip:exchanges.json") for n in written)
    # The echo really happened: the evidence and the denied read carry the redaction mark.
    report = written[str(tmp_path / "out" / "report.json")]
    assert "[REDACTED]" in report
    channels = {"stdout": result.stdout, "stderr": result.stderr, **written}
    # The secrets this run was given. (The instance also echoes the others, which this run never knew.)
    given = [value for value in MODES[mode].values() if value in SECRETS]
    assert given
    for secret in given:
        for form in secret_forms(secret, login=LOGIN):
            leaks = [name for name, text in channels.items() if form in text]
            assert not leaks, f"{mode}: a form of a planted secret leaked into {leaks}"
