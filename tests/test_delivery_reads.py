"""The delivery checks cost no request: the ECC queue rows come from the one RESTProbe read of the wave.

The counts below are those the checklist made before per-method delivery existed, for the same settings:
9 reads, one more for ``--expected-mid``, two more for ``--integration-user``. They are asserted against the
simulator's own request log, over sockets.
"""

from __future__ import annotations

import pytest

from snow_preflight.reads import MAX_PROBES, PROBE_FIELDS
from snow_preflight.run import read_instance, simulator_settings
from snow_preflight.simulator import Simulator

SCENARIO = "delivery_ok"

#: Requests of the checklist before this feature, for the same settings (tests/test_verdicts_bounded.py).
BEFORE = [
    ({}, 9),
    ({"expected_mid": "prod-mid-server"}, 10),
    ({"integration_user": "rundeck.integration"}, 11),
    ({"expected_mid": "prod-mid-server", "integration_user": "rundeck.integration"}, 12),
]


@pytest.mark.parametrize(
    ("flags", "count"), BEFORE, ids=["defaults", "expected-mid", "integration-user", "both"]
)
def test_the_request_count_is_unchanged_for_the_same_settings(
    sim: Simulator, flags: dict[str, str], count: int
) -> None:
    """Per-method delivery adds no request: the instance sees exactly as many GETs as before, whatever the
    number of methods or ECC rows."""
    before = len(sim.requests)
    snapshot = read_instance(simulator_settings(sim, **flags))
    assert len(sim.requests) - before == count
    assert len(snapshot.exchanges) == count


def test_the_window_changes_the_query_not_the_count(sim: Simulator) -> None:
    """--delivery-window 6 reads the same one RESTProbe page, with hoursAgoStart(6) in its query."""
    before = len(sim.requests)
    snapshot = read_instance(simulator_settings(sim, delivery_window_hours=6))
    assert len(sim.requests) - before == 9
    probes = snapshot.sources["probes"]
    assert "gs.hoursAgoStart(6)" in probes.query
    assert probes.query.startswith("topic=RESTProbe^")


def test_the_probe_read_asks_for_payload_and_source_and_is_bounded(sim: Simulator) -> None:
    """The one ecc_queue read asks for the payload and the endpoint, newest first, at most 500 rows in one page."""
    before = len(sim.requests)
    read_instance(simulator_settings(sim))
    sent = [r for r in sim.requests[before:] if r.path.endswith("/ecc_queue")]
    assert len(sent) == 1
    assert {"payload", "source", "response_to"} <= set(sent[0].query["sysparm_fields"].split(","))
    assert set(PROBE_FIELDS) == set(sent[0].query["sysparm_fields"].split(","))
    assert sent[0].query["sysparm_limit"] == str(MAX_PROBES)
    assert sent[0].query["sysparm_query"].endswith("^ORDERBYDESCsys_created_on")
