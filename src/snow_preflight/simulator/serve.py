"""Run a simulated instance in the foreground: ``snow-preflight simulate --scenario NAME``."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

from snow_preflight.simulator.server import Simulator

# SIGTERM (a service manager, `kill`, a CI runner) and SIGHUP (the terminal closed) end the server as
# Ctrl-C does: through the context manager's exit, which closes the socket and removes the TLS folder.
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class _StopSignalError(Exception):
    """SIGTERM or SIGHUP arrived: unwind through the ``with`` blocks, as KeyboardInterrupt does."""


def _on_stop_signal(signum: int, frame: FrameType | None) -> None:
    for sig in _STOP_SIGNALS:  # a second signal must not cut the clean-up short
        signal.signal(sig, signal.SIG_IGN)
    raise _StopSignalError


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Raise :class:`_StopSignalError` on SIGTERM/SIGHUP inside the block (main thread only); restore after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _on_stop_signal) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def serve(scenario: str, port: int, tls: bool, latency_ms: float) -> None:
    """Serve until Ctrl-C or SIGTERM, printing where it listens and the demo login's credentials.

    This is a demo instance with demo credentials from the scenario file, so printing the
    password is intended: it is what a user types into ``snow-preflight run``. A port or TLS
    problem raises :class:`~snow_preflight.simulator.errors.SimulatorError` before anything is printed.
    """
    try:
        # The handlers go in before the server starts, so a SIGTERM while the CA is made cleans up too.
        with _stop_on_signals(), Simulator(scenario, tls=tls, latency_ms=latency_ms, port=port) as sim:
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
            threading.Event().wait()
    except (KeyboardInterrupt, _StopSignalError):
        with suppress(OSError):  # the terminal or pipe may be gone already (SIGHUP)
            print("\nStopped.", flush=True)
