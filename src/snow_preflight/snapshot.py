"""The snapshot: everything the checks need, read from the instance in one parallel wave of GETs.

Each *source* is one Table API read, planned in :mod:`snow_preflight.reads`. Its rows, or why they could not
be read, land in a :class:`Source`; the snapshot holds all of them plus the exchange log. It is the checks'
only input, so it can be saved (redacted) and replayed offline.

When Rundeck is to be checked too (``--rundeck-url``), its calls go out in the same wave, from this host
(not through the MID Server), and their answers are kept in the snapshot beside the instance's, so a
bundle replays them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from snow_preflight.errors import InstanceError
from snow_preflight.reads import Read, plan
from snow_preflight.redaction import Redactor
from snow_preflight.rundeck.client import RundeckClient, RundeckReads, planned_calls
from snow_preflight.servicenow.client import ServiceNowClient
from snow_preflight.servicenow.exchange import Exchange
from snow_preflight.settings import Settings

SNAPSHOT_VERSION = 1


class SourceStatus(StrEnum):
    OK = "ok"  # every matching row was returned
    PARTIAL = "partial"  # some rows came back, X-Total-Count says more exist: the rest are hidden by ACL
    HIDDEN = "hidden"  # no rows came back, X-Total-Count says there are some: hidden by ACL
    FAILED = "failed"  # the read failed; ``error_kind`` and ``error`` say why


class Source(BaseModel):
    """One read of one table: its rows, or why it could not be read."""

    name: str
    table: str
    query: str
    fields: list[str]
    status: SourceStatus
    rows: list[dict[str, Any]] = Field(default_factory=list)
    total: int | None = None
    # Rows that match the query but were not returned: X-Total-Count is ACL-blind, so these are hidden by
    # ACL (never counted when the read stopped at its own row limit).
    hidden: int = 0
    masked_fields: list[str] = Field(default_factory=list)
    error_kind: str | None = None  # PreflightError.kind: "unreachable", "denied", "invalid_table", ...
    error: str | None = None  # one-line diagnosis

    @property
    def readable(self) -> bool:
        return self.status in (SourceStatus.OK, SourceStatus.PARTIAL)


class Snapshot(BaseModel):
    """What the instance showed, at one moment, to one login."""

    version: int = SNAPSHOT_VERSION
    tool_version: str
    instance: str
    login: str
    taken_at: datetime
    duration_s: float = 0.0
    sources: dict[str, Source]
    exchanges: list[Exchange] = Field(default_factory=list)
    # What Rundeck answered this host (None: Rundeck was not asked about, --rundeck-url).
    rundeck: RundeckReads | None = None

    def source(self, name: str) -> Source:
        return self.sources[name]

    def redacted(self, redactor: Redactor) -> Snapshot:
        """A copy with every secret value replaced (for bundles)."""
        data = redactor.data(self.model_dump(mode="json"))
        return Snapshot.model_validate(data)


def _read(client: ServiceNowClient, read: Read) -> Source:
    base = {"name": read.name, "table": read.table, "query": read.query, "fields": list(read.fields)}
    try:
        result = client.table(
            read.table,
            query=read.query,
            fields=read.fields,
            page_size=read.page_size,
            max_rows=read.max_rows,
            source=read.name,
        )
    except InstanceError as exc:
        return Source(**base, status=SourceStatus.FAILED, error_kind=exc.kind, error=str(exc))
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


def collect(
    client: ServiceNowClient,
    settings: Settings,
    *,
    tool_version: str,
    extra: Sequence[Read] = (),
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Snapshot:
    """Read every source in one parallel wave and return the snapshot.

    *extra* are the reads site checks declare: they join the same wave, at no extra round trip.
    """
    reads = plan(settings)
    taken = {read.name for read in reads}
    reads += [read for read in extra if read.name not in taken]
    rundeck = _rundeck_client(settings)
    calls = planned_calls(settings.rundeck_api_version, settings.rundeck_projects) if rundeck else []
    started = clock()
    with (
        contextlib.closing(rundeck) if rundeck else contextlib.nullcontext(),
        ThreadPoolExecutor(max_workers=len(reads) + len(calls), thread_name_prefix="collect") as pool,
    ):
        # Rundeck is asked at once, beside the instance: it needs no ServiceNow token.
        asked = [pool.submit(rundeck.get, name, path) for name, path in calls] if rundeck else []
        # Authenticate first (an OAuth token request) so the wave does not race for a token.
        failure: InstanceError | None = None
        try:
            client.authenticate()
        except InstanceError as exc:
            failure = exc
        if failure is not None:
            sources = {r.name: _failed(r, failure) for r in reads}
        else:
            results = list(pool.map(lambda r: _read(client, r), reads))
            sources = {source.name: source for source in results}
        answers = [future.result() for future in asked]
    finished = clock()
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
        sources=sources,
        exchanges=exchanges,
        rundeck=rundeck_reads,
    )


def _failed(read: Read, failure: InstanceError) -> Source:
    return Source(
        name=read.name,
        table=read.table,
        query=read.query,
        fields=list(read.fields),
        status=SourceStatus.FAILED,
        error_kind=failure.kind,
        error=str(failure),
    )


def _rundeck_client(settings: Settings) -> RundeckClient | None:
    """A client for Rundeck when the settings ask to check it (a URL and a token), else None."""
    if not settings.rundeck_url or settings.rundeck_token is None:
        return None
    return RundeckClient(
        settings.rundeck_url, settings.rundeck_token.get_secret_value(), timeout=settings.connection.timeout
    )
