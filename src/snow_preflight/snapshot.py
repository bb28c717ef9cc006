"""The snapshot: everything the checks need, read from the instance in one parallel wave of GETs.

Each *source* is one Table API read, planned in :mod:`snow_preflight.reads` and sent by
:mod:`snow_preflight.wave`. Its rows, or why they could not be read, land in a :class:`Source`; the snapshot
holds all of them plus the exchange log. It is the checks' only input, so it can be saved (redacted) and
replayed offline.

When Rundeck is to be checked too (``--rundeck-url``), its calls go out in the same wave, from this host
(not through the MID Server), and their answers are kept in the snapshot beside the instance's, so a
bundle replays them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from snow_preflight.redaction import Redactor
from snow_preflight.rundeck.client import RundeckReads
from snow_preflight.servicenow.exchange import Exchange

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
