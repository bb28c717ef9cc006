"""What the fix and attach tests share: the real command run in-process against a simulator over its
socket, and records read back as the simulator's admin over the Table API (never from its memory).

Each test that writes starts its own simulator (``fresh``): a write must never leak into the next test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from snow_preflight.cli import main
from snow_preflight.simulator import RequestRecord, Simulator

LOGIN = ("svc_preflight", "preflight-demo-pw")
ADMIN = ("admin", "admin-demo-pw")
METHODS = "/api/now/table/sys_rest_message_fn"
#: What every save changes on a record, whoever saves it: left out when records are compared.
AUDIT = {"sys_mod_count", "sys_updated_on", "sys_updated_by"}


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@contextmanager
def fresh(scenario: str) -> Iterator[Simulator]:
    """A simulator of its own for one test, so what it writes stays in that test."""
    with Simulator(scenario) as sim:
        yield sim


def command(
    sim: Simulator,
    folder: Path,
    *args: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    login: tuple[str, str] = LOGIN,
    env: dict[str, str] | None = None,
) -> Ran:
    """``snow-preflight <args>`` against *sim* as *login*, reports in *folder*; no SN_* but *env* and the
    password (``SN_PASSWORD``) apply. ``args[0]`` is the command (fix, attach, run)."""
    for name in [key for key in os.environ if key.startswith("SN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SN_PASSWORD", login[1])
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(folder.parent)  # no snow-preflight.toml of the working copy applies
    capsys.readouterr()
    code = main(
        [
            args[0],
            "--instance",
            sim.url,
            "--username",
            login[0],
            "--no-prompt",
            "--report-dir",
            str(folder),
            *list(args[1:]),
        ]
    )
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)


def admin_get(sim: Simulator, path: str, **params: str) -> Any:
    """The ``result`` of a GET as the simulator's admin."""
    answer = requests.get(sim.url + path, params=params, auth=ADMIN, timeout=10)
    answer.raise_for_status()
    return answer.json()["result"]


def methods(sim: Simulator) -> dict[str, dict[str, str]]:
    """Every HTTP method record of the instance, every field, by sys_id, read as admin."""
    return {row["sys_id"]: row for row in admin_get(sim, METHODS, sysparm_exclude_reference_link="true")}


def without_audit(records: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {key: {k: v for k, v in row.items() if k not in AUDIT} for key, row in records.items()}


def writes(sim: Simulator) -> list[RequestRecord]:
    """Every request of the log that was not a read (or the OAuth token request)."""
    return [r for r in sim.requests if r.method not in ("GET", "HEAD") and r.path != "/oauth_token.do"]


def mid_id(sim: Simulator, name: str) -> str:
    rows = admin_get(sim, "/api/now/table/ecc_agent", sysparm_query=f"name={name}", sysparm_fields="sys_id")
    return str(rows[0]["sys_id"])


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
