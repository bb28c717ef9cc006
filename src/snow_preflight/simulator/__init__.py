"""A ServiceNow instance on loopback, for tests, benchmarks and ``snow-preflight demo``.

    from snow_preflight.simulator import Simulator, Fault, list_scenarios, load_scenario

    with Simulator("healthy", tls=None, latency_ms=0, port=0) as sim:
        sim.url, sim.credentials, sim.requests
        sim.inject(Fault(status=503, times=2)); sim.clear_faults()

Module map: ``schema`` (tables, fields, inheritance) → ``scenarios`` (+ ``generate``) load the
data → ``store`` indexes it → ``query`` (encoded queries), ``acl`` (personas) and ``render``
(reference matrix) answer the Table API in ``api`` (a ``request`` and its paging), with canned
answers from ``responses`` and ``faults``; ``auth`` checks credentials; ``server`` puts it on a
socket and logs each request in ``records``; ``tls`` and ``serve``.
``errors``: :class:`SimulatorError`, one line naming the cause and the fix (a bad port, no cryptography).
"""

from snow_preflight.simulator.errors import SimulatorError
from snow_preflight.simulator.faults import Fault
from snow_preflight.simulator.records import RequestRecord, count_waves
from snow_preflight.simulator.scenarios import Scenario, list_scenarios, load_scenario
from snow_preflight.simulator.server import Simulator
from snow_preflight.simulator.tls import TlsFiles, make_tls_files

__all__ = [
    "Fault",
    "RequestRecord",
    "Scenario",
    "Simulator",
    "SimulatorError",
    "TlsFiles",
    "count_waves",
    "list_scenarios",
    "load_scenario",
    "make_tls_files",
]
