"""The snapshot: everything the checks need, read from the instance in one parallel wave of GETs.

Each *source* is one Table API read. Its rows, or why they could not be read, land in a :class:`Source`;
the snapshot holds all of them plus the exchange log. It is the checks' only input, so it can be saved
(redacted) and replayed offline. The number of requests is fixed by the list below: it does not grow with
the number of HTTP methods, MID Servers or role rows, because items are found with dot-walked fields and
``IN`` queries, never one request per item.

When Rundeck is to be checked too (``--rundeck-url``), its calls go out in the same wave, from this host
(not through the MID Server), and their answers are kept in the snapshot beside the instance's, so a
bundle replays them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from snow_preflight.errors import InstanceError
from snow_preflight.redaction import Redactor
from snow_preflight.rundeck.client import RundeckClient, RundeckReads, planned_calls
from snow_preflight.servicenow.client import ServiceNowClient
from snow_preflight.servicenow.exchange import Exchange
from snow_preflight.settings import Settings

SNAPSHOT_VERSION = 1
#: Names of the built-in reads (see :func:`plan`): a site check's read may not take one of them.
BUILTIN_READS = frozenset(
    {
        "login",
        "apps",
        "login_roles",
        "rest_message",
        "rest_methods",
        "legacy_rest_methods",
        "mid_issues",
        "properties",
        "probes",
        "expected_mid",
        "integration_user",
        "integration_roles",
    }
)


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


@dataclass(frozen=True)
class Read:
    """One planned read."""

    name: str
    table: str
    query: str
    fields: tuple[str, ...]
    max_rows: int | None = None
    page_size: int = 10000


MID_FIELDS = ("sys_id", "name", "status", "validated", "last_refreshed", "version", "host_name")
#: The MID Server fields the checks need, read as dot-walks on each HTTP method row, so the requests do not
#: grow with the number of MID Servers on the instance (only the ones the methods name are read).
METHOD_FIELDS = (
    "sys_id",
    "function_name",
    "http_method",
    "rest_endpoint",
    "rest_message",
    "use_mid_server",
    *(f"use_mid_server.{name}" for name in MID_FIELDS if name != "sys_id"),
)
ROLE_FIELDS = (
    "sys_id",
    "role",
    "role.name",
    "inherited",
    "granted_by",
    "granted_by.name",
    "included_in_role",
    "included_in_role.role.name",
    "state",
    "inh_count",
)
USER_FIELDS = (
    "sys_id",
    "user_name",
    "name",
    "active",
    "locked_out",
    "web_service_access_only",
    "internal_integration_user",
    "last_login_time",
)
#: Open MID Server issues read at most; past it, a MID Server with none among them is could-not-verify.
MAX_ISSUES = 2000
#: RESTProbe rows read at most, newest first: with their payloads (a few KB each, the answer's body
#: included) this bounds the one read to a few MB. Each method's newest call is among them unless the
#: window holds more traffic than this; then a method without a call among them is could-not-verify.
MAX_PROBES = 500
PROBE_FIELDS = (
    "sys_id",
    "agent",
    "name",
    "source",  # the endpoint called: for a webhook it holds the webhook's token (redacted on output)
    "queue",
    "state",
    "error_string",
    "response_to",
    "payload",  # an answer's HTTP status (and headers, in clear: redacted on output)
    "sys_created_on",
)


def plan(settings: Settings) -> list[Read]:
    """The fixed list of reads for *settings*. Order is the order in the snapshot, not of execution.

    Its length depends only on the settings (``--expected-mid``, ``--integration-user``), never on the
    instance: the same for 3 MID Servers as for 12,000.
    """
    expect = settings.expect
    roles = ",".join(dict.fromkeys([*expect.required_roles, "admin"]))
    message = f"rest_message.name={expect.rest_message}"
    reads = [
        Read("login", "sys_user", "sys_id=javascript:gs.getUserID()", USER_FIELDS),
        Read(
            "apps",
            "sys_scope",
            f"scopeIN{expect.app_scope},{expect.legacy_scope}",
            ("sys_id", "name", "scope", "version", "active", "sys_class_name", "vendor"),
        ),
        Read(
            "login_roles",
            "sys_user_has_role",
            f"user=javascript:gs.getUserID()^role.nameIN{roles}",
            ROLE_FIELDS,
        ),
        # Every message of that name, copies in other scopes included: they are listed as evidence.
        Read(
            "rest_message",
            "sys_rest_message",
            f"name={expect.rest_message}",
            ("sys_id", "name", "sys_scope", "sys_scope.scope", "rest_endpoint"),
        ),
        # The methods of the app's own message, and of the legacy app's (judged only when the new app is
        # absent): one read each, so rows hidden by ACL are counted against the right message.
        Read(
            "rest_methods",
            "sys_rest_message_fn",
            f"{message}^rest_message.sys_scope.scope={expect.app_scope}",
            METHOD_FIELDS,
        ),
        Read(
            "legacy_rest_methods",
            "sys_rest_message_fn",
            f"{message}^rest_message.sys_scope.scope={expect.legacy_scope}",
            METHOD_FIELDS,
        ),
        Read(
            "mid_issues",
            "ecc_agent_issue",
            "state!=resolved",
            ("sys_id", "mid_server", "source", "message", "state", "last_detected", "count"),
            max_rows=MAX_ISSUES,
            page_size=MAX_ISSUES,
        ),
        Read("properties", "sys_properties", "name=mid.buildstamp", ("sys_id", "name", "value")),
        # Every RESTProbe call and answer of the delivery window, one read for all methods.
        Read(
            "probes",
            "ecc_queue",
            f"topic=RESTProbe^sys_created_on>javascript:gs.hoursAgoStart({expect.delivery_window_hours})"
            "^ORDERBYDESCsys_created_on",
            PROBE_FIELDS,
            max_rows=MAX_PROBES,
            page_size=MAX_PROBES,
        ),
    ]
    if expect.expected_mid:
        reads.append(Read("expected_mid", "ecc_agent", f"name={expect.expected_mid}", MID_FIELDS))
    if expect.integration_user:
        reads += [
            Read("integration_user", "sys_user", f"user_name={expect.integration_user}", USER_FIELDS),
            Read(
                "integration_roles",
                "sys_user_has_role",
                f"user.user_name={expect.integration_user}^role.nameIN{roles}",
                ROLE_FIELDS,
            ),
        ]
    return reads


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
