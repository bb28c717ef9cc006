"""Fixtures shared by the suite's modules: a simulator per module, and a session logged in to it.

A module picks its simulated instance with ``SCENARIO = "name"`` (default ``healthy``) and passes other
``Simulator`` options with ``SIMULATOR_OPTIONS = {...}``. Faults injected by one test never reach the next.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from snow_preflight.simulator import Simulator

# Every report.json the suite writes is validated against the shipped schema; scenarios are judged once.
pytest_plugins = ["reports_plugin"]


@pytest.fixture(scope="module")
def sim(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    """The module's simulated instance, served on loopback for the whole module."""
    scenario = getattr(request.module, "SCENARIO", "healthy")
    options = getattr(request.module, "SIMULATOR_OPTIONS", {})
    with Simulator(scenario, **options) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    """Clear injected faults around every test that uses the module's simulator."""
    if "sim" not in request.fixturenames:
        yield
        return
    simulator: Simulator = request.getfixturevalue("sim")
    simulator.clear_faults()
    yield
    simulator.clear_faults()


@pytest.fixture(scope="module")
def http(sim: Simulator) -> Iterator[requests.Session]:
    """A plain requests session logged in to the module's simulator as its demo login."""
    with requests.Session() as session:
        session.auth = (sim.credentials["username"], sim.credentials["password"])
        yield session
