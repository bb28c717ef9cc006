"""A Rundeck on loopback, for tests and ``snow-preflight demo --rundeck``: real HTTP, Rundeck's JSON.

    from snow_preflight.rundeck_stand_in import RundeckStandIn

    with RundeckStandIn("webhook_disabled", latency_ms=0) as rundeck:
        rundeck.url, rundeck.token, rundeck.projects, rundeck.seen

Like the ServiceNow simulator, it imports nothing from the engine it is used to test. Scenarios:
``healthy``, ``webhook_disabled``, ``old_api_version``, ``token_refused``, ``webhooks_denied``
(:func:`list_scenarios`).
"""

from __future__ import annotations

import threading
from types import TracebackType

from snow_preflight.rundeck_stand_in.scenarios import (
    DEMO_TOKEN,
    RundeckState,
    UnknownRundeckScenarioError,
    list_scenarios,
    load,
)
from snow_preflight.rundeck_stand_in.server import RundeckServer


class RundeckStandIn:
    """A running stand-in: start it with ``with``, or :meth:`start` and :meth:`stop`."""

    def __init__(self, scenario: str | RundeckState = "healthy", *, latency_ms: float = 0.0) -> None:
        self.state = load(scenario) if isinstance(scenario, str) else scenario
        self.latency_ms = latency_ms  # added to every answer, as a far-away Rundeck would take
        self._server: RundeckServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to give as --rundeck-url."""
        host, port = self._running.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def token(self) -> str:
        """The API token this Rundeck knows (RD_TOKEN), even when a scenario refuses it."""
        return DEMO_TOKEN

    @property
    def projects(self) -> list[str]:
        return [project["name"] for project in self.state.projects]

    @property
    def seen(self) -> list[tuple[str, str, dict[str, str]]]:
        """(method, path, headers) of every request so far, in order."""
        with self._running.lock:
            return list(self._running.seen)

    @property
    def _running(self) -> RundeckServer:
        if self._server is None:
            raise RuntimeError("the Rundeck stand-in is not running: use it in a with block")
        return self._server

    def start(self) -> RundeckStandIn:
        self._server = RundeckServer(self.state, latency_ms=self.latency_ms)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> RundeckStandIn:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


__all__ = ["DEMO_TOKEN", "RundeckStandIn", "RundeckState", "UnknownRundeckScenarioError", "list_scenarios"]
