"""A slow source costs one timeout, named by the table it was reading; only transient 5xx are retried."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from snow_preflight.errors import ServerError
from snow_preflight.run import read_instance, simulator_settings
from snow_preflight.servicenow.client import ServiceNowClient
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.simulator import Fault, Simulator
from snow_preflight.snapshot import SourceStatus

Connect = Callable[..., ConnectionSettings]  # the shared ``connect`` fixture (tests/conftest.py)


def test_a_table_that_times_out_costs_one_timeout_in_the_wave(sim: Simulator) -> None:
    """A table slower than the timeout fails once, naming the table, while the rest of the wave is read."""
    sim.inject(Fault(delay=2.0, path="/api/now/table/ecc_queue"))
    settings = simulator_settings(sim, timeout=0.5, time_budget=30.0, max_retries=3)
    started = time.monotonic()
    snapshot = read_instance(settings)
    elapsed = time.monotonic() - started
    probes = snapshot.sources["probes"]
    assert probes.status is SourceStatus.FAILED
    assert probes.error is not None
    assert probes.error.startswith("Timed out after 0.5 s reading table 'ecc_queue':")
    assert "SN_TIMEOUT" in probes.error
    [exchange] = [e for e in snapshot.exchanges if e.path == "/api/now/table/ecc_queue"]
    assert (exchange.retries, exchange.error) == (0, "unreachable")
    assert elapsed < 0.5 + 1.0  # one timeout, not the 30 s budget
    assert snapshot.sources["login"].status is SourceStatus.OK  # the rest of the wave was read


@pytest.mark.parametrize(
    ("status", "delay", "message"),
    [
        (504, 0.3, r"Timed out after 0\.3 s reading table 'sys_user': .* 504 Gateway Timeout"),
        (501, 0.0, r"Server error 501 from /api/now/table/sys_user \(instance says: '[^']*'\): the instance"),
    ],
)
def test_a_5xx_a_retry_would_not_cure_is_not_retried(
    sim: Simulator, connect: Connect, status: int, delay: float, message: str
) -> None:
    """504 Gateway Timeout (a retry would wait as long again) and a 5xx that is no passing overload (501)
    raise ServerError after one request, naming the table or path."""
    sim.inject(Fault(status=status, delay=delay))
    before = len(sim.requests)
    with (
        ServiceNowClient(connect(sim, max_retries=3), backoff=0.05) as snc,
        pytest.raises(ServerError, match=message),
    ):
        snc.table("sys_user")
    assert len(sim.requests) - before == 1
    assert snc.log.items()[-1].retries == 0


def test_a_slow_503_is_not_retried_past_the_time_budget(sim: Simulator, connect: Connect) -> None:
    """A 503 that took 0.6 s is not retried when another attempt as long would end past a 1 s budget."""
    sim.inject(Fault(status=503, delay=0.6))
    started = time.monotonic()
    conn = connect(sim, max_retries=5, time_budget=1.0)
    with ServiceNowClient(conn, backoff=0.05) as snc, pytest.raises(ServerError) as caught:
        snc.table("sys_user")
    assert time.monotonic() - started < 1.0
    assert snc.log.items()[-1].retries == 0
    assert "SN_MAX_RETRIES, SN_TIME_BUDGET" in str(caught.value)


def test_hints_name_settings_every_front_end_has(sim: Simulator, connect: Connect) -> None:
    """Rate-limit and server-error messages name SN_* variables, never a flag one front end lacks."""
    sim.inject(Fault(status=429, retry_after=30))
    with ServiceNowClient(connect(sim, time_budget=1.0)) as snc, pytest.raises(Exception) as limited:  # noqa: PT011
        snc.table("sys_user")
    sim.clear_faults()
    sim.inject(Fault(status=503))
    with (
        ServiceNowClient(connect(sim, max_retries=1), backoff=0.01) as snc,
        pytest.raises(ServerError) as failed,
    ):
        snc.table("sys_user")
    assert "SN_TIME_BUDGET" in str(limited.value)
    for message in (str(limited.value), str(failed.value)):
        assert " --" not in message
