"""One finished HTTP answer, what it was for, and what the instance said in it.

What the diagnoses (:mod:`~snow_preflight.servicenow.diagnosis`) read: the answer, read in full
(:class:`Raw`), the table or record it was for (:class:`Target`), and the instance's own error text, quoted
on one line in any message about it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from requests.structures import CaseInsensitiveDict

_MAX_ECHO = 300  # characters of the instance's own error text quoted in a message


@dataclass(frozen=True)
class Raw:
    """One finished HTTP answer, read in full (the connection is back in the pool)."""

    status: int
    headers: CaseInsensitiveDict[str]
    content: bytes
    url: str


@dataclass(frozen=True)
class Target:
    """What a request was reading, for messages: a table, a record, or another endpoint."""

    path: str
    table: str | None = None
    sys_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        if self.table and self.sys_id:
            return f"record {self.sys_id} of table '{self.table}'"
        if self.table:
            return f"table '{self.table}'"
        return self.path


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_ECHO else text[: _MAX_ECHO - 1] + "…"


def parse_body(raw: Raw) -> Any:
    """The answer's body as JSON; raises ValueError or UnicodeDecodeError when it is not."""
    return json.loads(raw.content.decode("utf-8"))


def instance_says(raw: Raw) -> str:
    """The instance's own ``error.message: error.detail`` (or OAuth ``error_description``), else ''."""
    try:
        body = parse_body(raw)
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    parts: list[str] = []
    if isinstance(error, dict):
        parts = [str(error[key]) for key in ("message", "detail") if error.get(key)]
    elif isinstance(error, str):
        parts = [error, str(body.get("error_description") or "")]
    text = _one_line(": ".join(p for p in parts if p))
    return f" (instance says: {text!r})" if text else ""
