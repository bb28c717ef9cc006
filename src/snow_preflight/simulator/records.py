"""The simulator's request log: one record per request, and the waves they form.

Each record holds the method, path, query, status, monotonic arrival and finish, the user it authenticated
as, and the names of the fields a Table API write sent: never a secret, and never a value written. Tests and
benchmarks read it to count requests and waves.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    status: int
    started: float  # time.monotonic() at arrival
    finished: float  # time.monotonic() when the answer was written
    username: str | None  # the user the request authenticated as; None when it did not
    fault: str | None = None  # the kind of injected fault that shaped the answer
    fields: tuple[str, ...] = ()  # the names (never the values) of the fields a Table API write sent

    @property
    def duration(self) -> float:
        return self.finished - self.started


def count_waves(records: Sequence[RequestRecord]) -> int:
    """Sequential waves: groups of requests whose [arrival, finish] intervals overlap."""
    waves, wave_end = 0, float("-inf")
    for record in sorted(records, key=lambda rec: rec.started):
        if record.started > wave_end:
            waves += 1
            wave_end = record.finished
        else:
            wave_end = max(wave_end, record.finished)
    return waves


def written_fields(method: str, path: str, body: bytes) -> tuple[str, ...]:
    """The top-level keys of a Table API write's JSON body; () for reads, files and anything not JSON."""
    if method in ("GET", "HEAD") or not path.startswith("/api/now/") or "/table/" not in path or not body:
        return ()
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return ()
    return tuple(str(key) for key in data) if isinstance(data, dict) else ()
