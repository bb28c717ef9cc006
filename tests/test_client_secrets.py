"""Secrets stay in memory: never in the exchange log, an exception or a file, in any encoding."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest

from snow_preflight.errors import PreflightError
from snow_preflight.servicenow.client import ServiceNowClient
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.simulator import Fault, Simulator

USER = "svc_preflight"
PASSWORD = "Planted-P@ss w/rd+1"
CLIENT_SECRET = "Planted-Client-Secret/2=="
TOKEN = "Planted-Bearer-Token.3"
CLIENT_ID = "planted-client"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """A healthy instance whose password, OAuth client secret and bearer token are planted values."""
    scenario = tmp_path_factory.mktemp("scenario") / "planted.json"
    scenario.write_text(
        json.dumps(
            {
                "extends": "healthy",
                "users": {USER: PASSWORD},
                "oauth_clients": [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "user": USER}],
                "tokens": {TOKEN: USER},
            }
        )
    )
    with Simulator(str(scenario)) as sim:
        yield sim


def run_everything(sim: Simulator, tmp_path: Path) -> tuple[list[str], Path]:
    """Reads and failures under every login mode; returns the exception texts and the dumped log."""
    modes: list[dict[str, Any]] = [
        {"username": USER, "password": PASSWORD},
        {"username": USER, "password": PASSWORD, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        {"token": TOKEN},
    ]
    failures: list[str] = []
    dumped: list[dict[str, Any]] = []
    for creds in modes:
        # A client can only redact what it knows: each run plants its own secrets where they may leak.
        known = [v for k, v in creds.items() if k in ("password", "client_secret", "token")]
        echo = "echo " + " ".join(known + [quote_plus(v) for v in known])
        planted, other = known[0], known[-1]
        conn = ConnectionSettings(base_url=sim.url, timeout=2, time_budget=3, max_retries=1, **creds)
        with ServiceNowClient(conn, backoff=0.01) as snc:
            snc.current_user()
            snc.table("sys_user", query=f"user_name={planted}", fields=("user_name",), source=other)
            sim.inject(Fault(status=403, message=echo, path="/api/now/table/sys_user_role"))
            sim.inject(Fault(status=500, message=echo, path="/api/now/table/ecc_agent"))
            for table in ("sys_user_role", "ecc_agent", "x_missing_table"):
                with pytest.raises(PreflightError) as caught:
                    snc.table(table, query=f"name={other}")
                failures += [str(caught.value), repr(caught.value), str(caught.value.args)]
            sim.clear_faults()
            dumped += [dataclasses.asdict(e) for e in snc.log.items()]
        with ServiceNowClient(conn) as snc:
            sim.inject(Fault(status=401, message=echo))
            with pytest.raises(PreflightError) as caught:
                snc.current_user()
            sim.clear_faults()
            failures.append(str(caught.value))
            dumped += [dataclasses.asdict(e) for e in snc.log.items()]
    out = tmp_path / "exchanges.json"
    out.write_text(json.dumps(dumped, indent=2), encoding="utf-8")
    return failures, tmp_path


def test_planted_secrets_never_leave_memory(
    planted: Simulator, tmp_path: Path, secret_forms: Callable[..., list[str]]
) -> None:
    """No planted secret, nor its URL-encoded or base64 form, is in the log, an exception or a file."""
    failures, directory = run_everything(planted, tmp_path)
    assert len(failures) >= 16
    on_disk = "\n".join(p.read_text(encoding="utf-8") for p in directory.rglob("*") if p.is_file())
    assert '"/oauth_token.do"' in on_disk  # the token requests were logged (by path only)
    for form in secret_forms(PASSWORD, CLIENT_SECRET, TOKEN, login=USER):
        assert form not in on_disk
        for text in failures:
            assert form not in text


def test_the_instance_echo_is_quoted_redacted(planted: Simulator) -> None:
    """An error message that echoes the password is quoted with the password replaced by [REDACTED]."""
    conn = ConnectionSettings(base_url=planted.url, username=USER, password=PASSWORD, timeout=2)
    planted.inject(Fault(status=403, message=f"no access for {PASSWORD}", path="/api/now/table/sys_user"))
    try:
        with ServiceNowClient(conn) as snc, pytest.raises(PreflightError) as caught:
            snc.table("sys_user")
    finally:
        planted.clear_faults()
    assert "no access for [REDACTED]" in str(caught.value)
