"""Every simulated instance, through the whole checklist: never an internal error, never two results with one id."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from snow_preflight.run import INTERNAL_ERROR, run_checklist, simulator_settings
from snow_preflight.simulator import Simulator, list_scenarios


@pytest.mark.parametrize("scenario", [name for name, _ in list_scenarios()])
def test_no_scenario_ends_in_an_internal_error_or_a_duplicate_id(scenario: str, tmp_path: Path) -> None:
    """The checklist judges each scenario to a report (exit status not 3), with unique result ids and no
    check crashing on what it read."""
    with Simulator(scenario) as sim, contextlib.redirect_stdout(io.StringIO()):
        # A short time budget: the rate-limited scenario asks for 30 s, which must end in a diagnosis.
        outcome = run_checklist(simulator_settings(sim, report_dir=tmp_path / "out", time_budget=5))
    assert outcome.exit_code != INTERNAL_ERROR
    assert outcome.report is not None
    ids = [r.id for r in outcome.report.results]
    assert len(ids) == len(set(ids))
    assert not [r.id for r in outcome.report.results if r.message.startswith("internal error")]
