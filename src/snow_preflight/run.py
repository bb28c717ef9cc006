"""Runs the checklist in pytest, the way ``snow-preflight`` does, and hands back the result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from snow_preflight import checks
from snow_preflight.plugin import Preset
from snow_preflight.settings import Settings, resolve
from snow_preflight.snapshot import Snapshot
from snow_preflight.reports.model import RunReport

if TYPE_CHECKING:
    from snow_preflight.simulator import Simulator

CHECKS_DIR = Path(checks.__file__).parent
PYTEST_INI = Path(__file__).with_name("pytest.ini")


@dataclass
class RunOutcome:
    exit_code: int
    report: RunReport | None
    written: dict[str, Path] = field(default_factory=dict)


def pytest_args(extra: Sequence[str] = ()) -> list[str]:
    """Arguments that make pytest run exactly the checklist, whatever the working directory holds."""
    return [
        str(CHECKS_DIR),
        "-c",
        str(PYTEST_INI),
        "--rootdir",
        str(CHECKS_DIR),
        "-q",
        "--no-header",
        "--tb=no",
        "-rN",
        *extra,
    ]


def simulator_settings(sim: Simulator, **flags: Any) -> Settings:
    """Settings that log in to a running simulator as its demo login; SN_* variables are ignored."""
    config_path = flags.pop("config_path", None)
    creds = sim.credentials
    base = {"base_url": sim.url, "username": creds["username"], "password": creds["password"]}
    return resolve(base | flags, environ={}, config_path=config_path)


def run_checklist(
    settings: Settings, snapshot: Snapshot | None = None, extra: Sequence[str] = ()
) -> RunOutcome:
    """Run every check against *settings*' instance (or against *snapshot*, offline)."""
    preset = Preset(settings, snapshot)
    code = pytest.main(pytest_args(extra), plugins=[preset])
    return RunOutcome(int(code), preset.report, preset.written)


def replay_bundle(bundle: Path, report_dir: Path | None = None, fail_on: str | None = None) -> RunOutcome:
    """Re-judge the snapshot in a support bundle with the current checklist, with no network."""
    from snow_preflight.bundle import read_bundle

    settings, snapshot = read_bundle(bundle)
    changes: dict[str, object] = {"bundle": False}
    changes["report_dir"] = report_dir or Path("preflight-replay")
    if fail_on:
        changes["fail_on"] = fail_on
    return run_checklist(Settings.model_validate(settings.model_dump() | changes), snapshot)
