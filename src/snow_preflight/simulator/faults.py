"""Faults: ways a real instance (or what stands in front of it) misbehaves.

A :class:`Fault` matches requests by path prefix and method, fires ``times`` times (``None`` =
for ever), optionally waits ``delay`` seconds first, then answers as its ``kind`` says:

=================  ==========================================================================
kind               answer
=================  ==========================================================================
``"status"``       ``status`` with the platform's JSON error body for it (401 adds
                   ``WWW-Authenticate``; 429 adds ``Retry-After`` and ``X-RateLimit-*``)
``"rate_limit"``   429 + ``Retry-After: retry_after`` + ``X-RateLimit-Limit/Reset/Rule``
``"hibernating"``  200 ``text/html`` "Your instance is hibernating" page (every path, no auth)
``"interstitial"`` 200 ``text/html`` SSO / proxy login page
``"redirect"``     302 to an SSO login URL
``"malformed"``    the normal answer, its JSON body cut in half (still ``application/json``)
``"cancelled"``    ``status`` (default 200) "Transaction cancelled: maximum execution time exceeded"
``"slow"``         only the delay, then the normal answer
=================  ==========================================================================

``Fault(status=503, times=2)`` is a ``"status"`` fault; ``Fault(delay=3.0)`` a ``"slow"`` one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Any, Literal

FaultKind = Literal[
    "status", "rate_limit", "hibernating", "interstitial", "redirect", "malformed", "cancelled", "slow"
]
KINDS: frozenset[str] = frozenset(FaultKind.__args__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Fault:
    kind: FaultKind | None = None
    status: int | None = None
    times: int | None = None
    path: str | None = None  # prefix of the URL path, e.g. "/api/now/table/ecc_agent"
    method: str | None = None
    delay: float = 0.0
    retry_after: int = 1
    message: str | None = None  # overrides the error message of a "status" fault

    def resolved_kind(self) -> FaultKind:
        if self.kind is not None:
            return self.kind
        if self.status == 429:
            return "rate_limit"
        if self.status is not None:
            return "status"
        return "slow"

    def matches(self, method: str, path: str) -> bool:
        if self.path is not None and not path.startswith(self.path):
            return False
        return self.method is None or self.method.upper() == method.upper()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        kind = data.get("kind")
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        return cls(**data)


class FaultBook:
    """The active faults, consumed under a lock so ``times`` holds with concurrent requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[tuple[Fault, int | None]] = []

    def add(self, fault: Fault) -> None:
        if fault.kind is not None and fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        with self._lock:
            self._faults.append((fault, fault.times))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first matching fault, one of its remaining uses spent; None when none applies."""
        with self._lock:
            for index, (fault, remaining) in enumerate(self._faults):
                if not fault.matches(method, path):
                    continue
                if remaining is not None:
                    if remaining <= 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = (fault, remaining - 1)
                return replace(fault)
        return None

    @property
    def active(self) -> list[Fault]:
        with self._lock:
            return [fault for fault, _ in self._faults]
