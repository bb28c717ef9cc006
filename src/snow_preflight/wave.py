"""The wave: every read of a run sent at once, each on a thread of its own, and the answers made a snapshot.

The built-in reads (:func:`snow_preflight.reads.plan`) need only the settings, so they go out before the
checklist is even loaded; the reads that site checks declare join the same wave as soon as the checklist
knows them (*extra*, a future), while the first answers are still on their way. Rundeck, when it is checked,
is asked in the same wave, from this host.

Why threads of our own and not a ``ThreadPoolExecutor``: its threads are joined when Python exits, so a run
that stops before judging (a usage error found while the instance answers, Ctrl-C) would wait for every
answer, or for the time budget of a silent instance. These are daemon threads: nobody waits for them.
The snapshot's models (pydantic) are imported only once the answers are in, so that importing pydantic is
never part of the time before the first request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from snow_preflight.errors import InstanceError
from snow_preflight.reads import Read, plan
from snow_preflight.rundeck.client import RundeckAnswer, RundeckClient, RundeckReads, planned_calls
from snow_preflight.servicenow.client import ServiceNowClient, TableRead

if TYPE_CHECKING:
    from snow_preflight.settings import Settings
    from snow_preflight.snapshot import Snapshot, Source

T = TypeVar("T")


def collect(
    client: ServiceNowClient,
    settings: Settings,
    *,
    tool_version: str,
    extra: Sequence[Read] | Future[Sequence[Read]] = (),
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Snapshot:
    """Read every source in one parallel wave and return the snapshot.

    *extra* are the reads site checks declare (or a future of them): they join the same wave, at no extra
    round trip, and may not take a built-in read's name. A future that fails stops the wave with its error.
    """
    reads = plan(settings)
    rundeck = _rundeck_client(settings)
    calls = planned_calls(settings.rundeck_api_version, settings.rundeck_projects) if rundeck else []
    started = clock()
    try:
        # Rundeck is asked at once, beside the instance: it needs no ServiceNow token.
        asked = _at_once([_call(rundeck, name, path) for name, path in calls]) if rundeck is not None else []
        # Authenticate first (an OAuth token request) so the wave does not race for a token.
        failure: InstanceError | None = None
        try:
            client.authenticate()
        except InstanceError as exc:
            failure = exc
        fetched = [] if failure else _at_once([_fetcher(client, read) for read in reads])
        taken = {read.name for read in reads}
        late = [
            read
            for read in (extra.result() if isinstance(extra, Future) else extra)
            if read.name not in taken
        ]
        fetched += [] if failure else _at_once([_fetcher(client, read) for read in late])
        reads += late
        results: list[TableRead | InstanceError] = (
            [failure] * len(reads) if failure else [future.result() for future in fetched]
        )
        answers = [future.result() for future in asked]
    finally:
        if rundeck is not None:
            rundeck.close()
    finished = clock()
    from snow_preflight.snapshot import Snapshot  # pydantic: only now that the answers are in

    exchanges = client.log.items()
    rundeck_reads = None
    if rundeck is not None:
        exchanges += rundeck.exchanges
        rundeck_reads = RundeckReads(
            url=rundeck.url,
            api_version=settings.rundeck_api_version,
            projects=list(settings.rundeck_projects),
            answers={answer.name: answer for answer in answers},
        )
    return Snapshot(
        tool_version=tool_version,
        instance=settings.connection.base_url,
        login=settings.connection.username or settings.connection.client_id or "(token)",
        taken_at=started,
        duration_s=(finished - started).total_seconds(),
        sources={read.name: _source(read, result) for read, result in zip(reads, results, strict=True)},
        exchanges=exchanges,
        rundeck=rundeck_reads,
    )


def _at_once(calls: Sequence[Callable[[], T]]) -> list[Future[T]]:
    """Start each call on a daemon thread of its own; a future per call holds its result or its error."""
    futures: list[Future[T]] = []
    for call in calls:
        future: Future[T] = Future()
        future.set_running_or_notify_cancel()

        def work(call: Callable[[], T] = call, future: Future[T] = future) -> None:
            try:
                future.set_result(call())
            except BaseException as exc:  # handed over whole, raised where the result is used
                future.set_exception(exc)

        threading.Thread(target=work, name="snow-preflight-read", daemon=True).start()
        futures.append(future)
    return futures


def _fetch(client: ServiceNowClient, read: Read) -> TableRead | InstanceError:
    """One read's rows, or the instance's reason for not giving them (any other error is a bug: raised)."""
    try:
        return client.table(
            read.table,
            query=read.query,
            fields=read.fields,
            page_size=read.page_size,
            max_rows=read.max_rows,
            source=read.name,
        )
    except InstanceError as exc:
        return exc


def _fetcher(client: ServiceNowClient, read: Read) -> Callable[[], TableRead | InstanceError]:
    return lambda: _fetch(client, read)


def _call(rundeck: RundeckClient, name: str, path: str) -> Callable[[], RundeckAnswer]:
    return lambda: rundeck.get(name, path)


def _source(read: Read, result: TableRead | InstanceError) -> Source:
    from snow_preflight.snapshot import Source, SourceStatus

    base = {"name": read.name, "table": read.table, "query": read.query, "fields": list(read.fields)}
    if isinstance(result, InstanceError):
        return Source(**base, status=SourceStatus.FAILED, error_kind=result.kind, error=str(result))
    rows = list(result.rows)
    hidden = result.hidden
    status = SourceStatus.OK if not hidden else SourceStatus.PARTIAL if rows else SourceStatus.HIDDEN
    return Source(
        **base,
        status=status,
        rows=rows,
        total=result.total,
        hidden=hidden,
        masked_fields=list(result.masked_fields),
    )


def _rundeck_client(settings: Settings) -> RundeckClient | None:
    """A client for Rundeck when the settings ask to check it (a URL and a token), else None."""
    if not settings.rundeck_url or settings.rundeck_token is None:
        return None
    return RundeckClient(
        settings.rundeck_url, settings.rundeck_token.get_secret_value(), timeout=settings.connection.timeout
    )
