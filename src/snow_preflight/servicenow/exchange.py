"""The exchange log: one line per HTTP request the client made, and nothing secret in it."""

from __future__ import annotations

import threading

from pydantic import BaseModel, Field


class Exchange(BaseModel):
    """One request and how it ended. Holds no header, credential, token or cookie, ever."""

    method: str
    path: str
    query: dict[str, str] = Field(default_factory=dict)
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
