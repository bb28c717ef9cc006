"""Fixtures shared by the suite's modules: a simulator per module, a session logged in to it, connection
settings for the client, a stand-in web server that is not ServiceNow, a free port, and the encodings a
secret travels in.

A module picks its simulated instance with ``SCENARIO = "name"`` (default ``healthy``) and passes other
``Simulator`` options with ``SIMULATOR_OPTIONS = {...}``. Faults injected by one test never reach the next.
"""

from __future__ import annotations

import base64
import socket
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import requests

from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.simulator import Simulator

#: The demo login of every built-in scenario, for settings that name a URL rather than a simulator.
DEMO_LOGIN = ("svc_preflight", "preflight-demo-pw")

# Every report.json the suite writes is validated against the shipped schema; scenarios are judged once.
pytest_plugins = ["pytester", "reports_plugin"]


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


@pytest.fixture
def connect() -> Callable[..., ConnectionSettings]:
    """Builds client settings with short timeouts and one retry, so a failing test fails fast.

    ``connect(sim)`` logs in as the simulator's login with its password; ``connect(sim, "client_id",
    "client_secret")`` carries only the credentials named, from the scenario; ``connect("http://...")`` logs
    in to a URL as the demo login. Keyword arguments set or override any field.
    """

    def build(target: Simulator | str, *keys: str, **overrides: Any) -> ConnectionSettings:
        if isinstance(target, str):
            fields: dict[str, Any] = {
                "base_url": target,
                "username": DEMO_LOGIN[0],
                "password": DEMO_LOGIN[1],
            }
        else:
            fields = {"base_url": target.url}
            fields.update({key: target.credentials[key] for key in keys or ("username", "password")})
        fields.update(timeout=2.0, time_budget=5.0, max_retries=1)
        fields.update(overrides)
        return ConnectionSettings(**fields)

    return build


@pytest.fixture
def free_port() -> int:
    """A loopback port nobody listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _welcome_page(path: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/html"}, b"<html><body><h1>Welcome to nginx!</h1></body></html>"


@dataclass
class StandIn:
    """A web server on loopback that is not ServiceNow (see the ``stand_in`` fixture)."""

    url: str = ""
    #: path -> (status, headers, body); a test sets its own
    answer: Callable[[str], tuple[int, dict[str, str], bytes]] = _welcome_page
    #: (path, headers) of every GET, in order
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    """A web server that is not ServiceNow: every GET gets an nginx welcome page, unless the test sets
    ``stand_in.answer``; ``stand_in.seen`` records each request's path and headers."""
    state = StandIn()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Silent: the test asserts on ``seen``, not on stderr."""

        def do_GET(self) -> None:
            state.seen.append((self.path, dict(self.headers.items())))
            status, headers, body = state.answer(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def read_artifacts(directory: Path) -> dict[str, str]:
    """Every file a run wrote under *directory*, each file of a zip (a bundle) unzipped: name → text."""
    texts: dict[str, str] = {}
    for path in directory.rglob("*"):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    texts[f"{path.name}:{name}"] = archive.read(name).decode("utf-8", "replace")
        elif path.is_file():
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    return texts


@pytest.fixture
def artifacts() -> Callable[[Path], dict[str, str]]:
    """Reads every file a run wrote under a folder, bundles unzipped: ``artifacts(folder)`` → name → text."""
    return read_artifacts


@pytest.fixture
def secret_forms() -> Callable[..., list[str]]:
    """The forms a secret may travel in: raw, URL-encoded (both ways), base64, and the base64 Basic pair
    with *login* (default the demo login). ``secret_forms(*secrets, login=...)``."""

    def forms(*secrets: str, login: str = DEMO_LOGIN[0]) -> list[str]:
        out: list[str] = []
        for secret in secrets:
            out += [secret, quote(secret, safe=""), quote_plus(secret)]
            out.append(base64.b64encode(secret.encode()).decode())
            out.append(base64.b64encode(f"{login}:{secret}".encode()).decode())
        return out

    return forms
