"""Reading the instance: one parallel wave of reads, made now or started early in a thread.

The early read (:func:`read_early`) goes out before pytest is even imported, so the wave is in flight
while pytest starts and a run costs little more than its one round trip.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from snow_preflight import __version__

if TYPE_CHECKING:
    from collections.abc import Sequence

    from snow_preflight.console import WaitNotice
    from snow_preflight.reads import Read
    from snow_preflight.settings import Settings
    from snow_preflight.snapshot import Snapshot

    SiteReads = Sequence[Read] | Future[Sequence[Read]]


def read_instance(settings: Settings, extra: SiteReads = (), notice: WaitNotice | None = None) -> Snapshot:
    """Read the instance in one parallel wave: the built-in reads, and *extra*, the reads the checks declare
    (or a future of them, when the checklist is still being loaded: see :func:`read_early`).

    *notice* says on stderr what a long wait is for (default: one writing to ``sys.stderr`` as it is now).
    """
    from snow_preflight.console import WAIT_NOTICE_AFTER, WaitNotice
    from snow_preflight.servicenow.client import ServiceNowClient
    from snow_preflight.wave import collect

    notice = notice or WaitNotice()
    conn = settings.connection
    # One line on stderr when the wave waits: the transport reports Retry-After and backoff sleeps, and a
    # watchdog speaks for answers slower than WAIT_NOTICE_AFTER, unless a wait was announced already.
    started = time.monotonic()
    host = urlsplit(conn.base_url).netloc or conn.base_url

    def slow() -> None:
        if not notice.announced():
            left = conn.time_budget - (time.monotonic() - started)
            notice(f"{host} to answer (--timeout {conn.timeout:g} s per answer)", left, at_most=True)

    watchdog = threading.Timer(WAIT_NOTICE_AFTER, slow)
    watchdog.daemon = True
    watchdog.start()
    try:
        with ServiceNowClient(conn, on_wait=notice) as client:
            return collect(client, settings, tool_version=__version__, extra=extra)
    finally:
        watchdog.cancel()


def read_early(settings: Settings, extra: SiteReads = ()) -> Future[Snapshot]:
    """Start reading the instance in a background thread; the future holds the snapshot or the error.

    The built-in reads need only the settings, not the checklist and not pytest: sent first, the wave is
    in flight while the checklist loads and pytest starts, so a run costs little more than its one round
    trip. *extra* may be a future of the reads site checks declare, which join the wave once the checklist
    is loaded. Whatever the thread raises is raised again where the snapshot is first used, exactly as a
    read made then would raise it.
    """
    # What sends the reads (requests and the client stack) is imported here, before the thread starts:
    # imported in the thread, it would share the interpreter with whatever this thread imports next, and
    # the first request would wait for both.
    # decimal too (2 ms; pydantic imports it while the instance answers, when Ctrl-C is likeliest): on
    # Python 3.11 a Ctrl-C in the middle of its C part's set-up makes the next import of it print a C-level
    # warning on stderr, beside the run's one line.
    import decimal  # noqa: F401

    import snow_preflight.wave  # noqa: F401
    from snow_preflight.console import WaitNotice, terminal_stderr

    future: Future[Snapshot] = Future()
    future.set_running_or_notify_cancel()
    # Made here, before pytest starts capturing stderr, so a wait line reaches the person at the terminal.
    notice = WaitNotice(terminal_stderr())

    def read() -> None:
        try:
            future.set_result(read_instance(settings, extra, notice))
        except BaseException as exc:  # handed over whole, to be raised in the judging thread
            future.set_exception(exc)

    # A daemon: a run that stops before judging (a usage error in collection) does not wait for the wave.
    threading.Thread(target=read, name="snow-preflight-read", daemon=True).start()
    return future
