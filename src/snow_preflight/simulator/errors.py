"""The simulator's own exceptions, and the port checks that raise them.

The simulator imports nothing from the engine, so it has its own root. Each ``str()`` is one line a
person can act on: the cause, then the fix; ``snow-preflight simulate`` prints it as a usage error
(exit 4), never as a traceback.
"""

from __future__ import annotations

import errno


class SimulatorError(Exception):
    """The simulator cannot start as asked: a bad port, a missing optional package, an unknown scenario."""


_ANY_PORT = "pick a port above 1023, or 0 for any free port"


def check_port(port: int) -> None:
    """Refuse a port number no socket can have."""
    if not 0 <= port <= 65535:
        raise SimulatorError(f"port {port} is out of range 0-65535: {_ANY_PORT}")


def bind_error(exc: OSError, host: str, port: int) -> SimulatorError:
    """What a failed bind means for the person who chose the port: the cause, then the fix."""
    if isinstance(exc, PermissionError) and 0 < port < 1024:
        return SimulatorError(f"port {port} needs root privileges: {_ANY_PORT}")
    if exc.errno == errno.EADDRINUSE:
        return SimulatorError(
            f"port {port} is in use by another program: stop that program, or pick another port "
            "(0 for any free port)"
        )
    return SimulatorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
