"""The simulator: a real HTTP(S) server on loopback that answers as a ServiceNow instance.

``ThreadingHTTPServer`` gives one thread per connection, so the per-request latency option
overlaps for parallel requests just as round trips to a real instance do. Every request is recorded in
the simulator's request log (:mod:`~snow_preflight.simulator.records`).
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from snow_preflight.simulator.api import Instance
from snow_preflight.simulator.errors import bind_error, check_port
from snow_preflight.simulator.faults import Fault, FaultBook
from snow_preflight.simulator.records import RequestRecord, count_waves, written_fields
from snow_preflight.simulator.request import Request
from snow_preflight.simulator.scenarios import Scenario, load_scenario
from snow_preflight.simulator.tls import TlsFiles, make_tls_files


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a wave of 9-11 parallel connections could overflow it,
    # and the kernel's SYN retry then stalls the overflow by a second. A real instance has no such limit.
    request_queue_size = 128
    simulator: Simulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real instance's front end does
    timeout = 30  # idle keep-alive connections do not pin a thread for ever
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the request log on the simulator is the record, stderr noise is not."""

    def version_string(self) -> str:
        return "ServiceNow"

    def do_GET(self) -> None:
        self._serve()

    # http.server dispatches on do_<METHOD>; every method gets the same treatment (and is logged).
    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET  # noqa: N815

    def _serve(self) -> None:
        started = time.monotonic()
        sim = self.server.simulator
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        host = self.headers.get("Host") or f"{sim.host}:{sim.port}"
        request = Request(
            method=self.command,
            path=parts.path,
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=f"{sim.scheme}://{host}",
        )
        if sim.latency_ms > 0:
            time.sleep(sim.latency_ms / 1000)
        response = sim.instance.handle(request)
        # Recorded before the answer goes out: once a client holds a response, the log has it.
        sim.record(
            RequestRecord(
                method=self.command,
                path=parts.path,
                query={k: v[0] for k, v in query.items()},
                status=response.status,
                started=started,
                finished=time.monotonic(),
                username=response.user_name,
                fault=response.fault,
                fields=written_fields(self.command, parts.path, body),
            )
        )
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (e.g. its timeout fired during a slow fault): normal, not an error.
            self.close_connection = True


def _listen(host: str, port: int) -> _Server:
    """Bind and listen, or raise :class:`SimulatorError` naming the cause and the fix."""
    check_port(port)
    try:
        return _Server((host, port), _Handler)
    except OSError as exc:
        raise bind_error(exc, host, port) from exc


class Simulator:
    """A ServiceNow instance on loopback. Use as a context manager, or ``start()``/``stop()``."""

    def __init__(
        self,
        scenario: str | Scenario = "healthy",
        tls: bool | TlsFiles | None = None,
        latency_ms: float = 0,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        oauth_expires_in: float | None = None,
        client_ca: str | Path | None = None,
    ) -> None:
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.latency_ms = latency_ms
        self.host = host
        self.port = port
        self._faults = FaultBook()
        for fault in self.scenario.faults:
            self._faults.add(fault)
        self.instance = Instance(self.scenario, self._faults, oauth_expires_in)
        self._tls_request = tls
        self._client_ca = client_ca
        self.tls_files: TlsFiles | None = None
        self._tempdir: str | None = None
        self._records: list[RequestRecord] = []
        self._records_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Simulator:
        """Listen and serve in a thread; raises :class:`SimulatorError` (one line) when it cannot.

        A start that fails half-way leaves nothing behind: no open socket, no TLS folder.
        """
        server = _listen(self.host, self.port)
        server.simulator = self
        self._server = server
        try:
            self._serve_in_thread(server)
        except BaseException:
            self.stop()
            raise
        return self

    def _serve_in_thread(self, server: _Server) -> None:
        if self._tls_request:
            if isinstance(self._tls_request, TlsFiles):
                self.tls_files = self._tls_request
            else:
                self._tempdir = tempfile.mkdtemp(prefix="snow-sim-tls-")
                self.tls_files = make_tls_files(Path(self._tempdir))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(self.tls_files.cert, self.tls_files.key)
            if self._client_ca is not None:
                context.verify_mode = ssl.CERT_REQUIRED  # mutual TLS: no client cert, no handshake
                context.load_verify_locations(cafile=str(self._client_ca))
            # Handshake in the connection's own thread, so one slow client cannot stall accept().
            server.socket = context.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="snow-simulator", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()  # waits for serve_forever: only when it runs
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what tests and benchmarks use --------------------------------------------------------

    @property
    def scheme(self) -> str:
        return "https" if self._tls_request else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def ca_path(self) -> Path | None:
        return self.tls_files.ca if self.tls_files else None

    @property
    def credentials(self) -> dict[str, str]:
        """The demo login's credentials (a demo instance: these are not real secrets)."""
        login = self.scenario.login
        client = next((c for c in self.scenario.oauth_clients if c.get("user") == login), None)
        client = client or (self.scenario.oauth_clients[0] if self.scenario.oauth_clients else {})
        return {
            "username": login,
            "password": self.scenario.users.get(login, ""),
            "client_id": client.get("client_id", ""),
            "client_secret": client.get("client_secret", ""),
            "token": next((t for t, u in self.scenario.tokens.items() if u == login), ""),
            "api_key": next((k for k, u in self.scenario.api_keys.items() if u == login), ""),
        }

    @property
    def users(self) -> dict[str, str]:
        """Every seeded login and its password (admin, rundeck.integration, ...)."""
        return dict(self.scenario.users)

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, oldest first."""
        with self._records_lock:
            return list(self._records)

    def record(self, record: RequestRecord) -> None:
        with self._records_lock:
            self._records.append(record)

    def clear_requests(self) -> None:
        with self._records_lock:
            self._records.clear()

    def waves(self) -> int:
        return count_waves(self.requests)

    def inject(self, fault: Fault) -> None:
        self._faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every fault, the scenario's own included."""
        self._faults.clear()

    @property
    def faults(self) -> list[Fault]:
        return self._faults.active
