"""Run a simulated instance in the foreground: ``snow-preflight simulate --scenario NAME``."""

from __future__ import annotations

import threading

from snow_preflight.simulator.server import Simulator


def serve(scenario: str, port: int, tls: bool, latency_ms: float) -> None:
    """Serve until Ctrl-C, printing where it listens and the demo login's credentials.

    This is a demo instance with demo credentials from the scenario file, so printing the
    password is intended: it is what a user types into ``snow-preflight run``.
    """
    with Simulator(scenario, tls=tls, latency_ms=latency_ms, port=port) as sim:
        creds = sim.credentials
        print(f"Simulated ServiceNow instance ({sim.scenario.name}): {sim.scenario.description}")
        print(f"  URL:            {sim.url}")
        print(f"  login:          {creds['username']}")
        print(f"  password:       {creds['password']}  (demo instance)")
        if creds["client_id"]:
            print(f"  OAuth client:   {creds['client_id']} / {creds['client_secret']}")
        if sim.ca_path is not None:
            print(f"  CA certificate: {sim.ca_path}")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nStopped.")
