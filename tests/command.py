"""The real ``snow-preflight`` command, run in a child process, for the tests of waivers, diff and fleets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "snow_preflight.cli"]
#: The demo login of every built-in scenario (the simulators' ``credentials``).
DEMO_LOGIN = ("svc_preflight", "preflight-demo-pw")


def snow_preflight(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``snow-preflight ARGS`` in *cwd*, with no SN_* variable but those in *env* (no prompt, no terminal)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SN_")}
    result = subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean | (env or {}),
        timeout=180,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def run_against(
    urls: list[str], cwd: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``snow-preflight run`` against *urls* (one ``--instance`` each) as the simulators' demo login."""
    instances = [arg for url in urls for arg in ("--instance", url)]
    login = ["--username", DEMO_LOGIN[0], "--no-prompt"]
    return snow_preflight(
        ["run", *instances, *login, *extra], cwd, {"SN_PASSWORD": DEMO_LOGIN[1], **(env or {})}
    )


def report_json(folder: Path) -> dict[str, Any]:
    """The report.json in *folder*, parsed."""
    data: dict[str, Any] = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return data
