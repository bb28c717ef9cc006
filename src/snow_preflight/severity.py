"""Severities, ordered, and the gate that compares them."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """How bad a check's failure is, from worst to mildest."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical, growing as severity falls; lower is worse."""
        return list(Severity).index(self)

    def at_least(self, other: Severity) -> bool:
        """True when this severity is as bad as *other* or worse."""
        return self.rank <= other.rank
