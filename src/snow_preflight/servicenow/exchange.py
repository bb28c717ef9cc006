"""The exchange log: one line per HTTP request the client made, and nothing secret in it.

:class:`Exchange` is a plain dataclass, not a pydantic model like the snapshot and the reports that hold it
(pydantic reads and writes it as a field all the same): a read records one before the run has imported
pydantic, which it does only once the wave of reads is out (``benchmarks/bench_startup.py``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Exchange:
    """One request and how it ended. Holds no header, credential, token or cookie, ever."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    elapsed_ms: float = 0.0
    retries: int = 0
    error: str | None = None
    source: str | None = None


class ExchangeLog:
    """A thread-safe, append-only list of exchanges."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Exchange] = []

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self._items.append(exchange)

    def items(self) -> list[Exchange]:
        with self._lock:
            return list(self._items)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
