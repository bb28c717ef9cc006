"""Rows as the instance returned them, and the typed records the checks read.

A field the login may not read comes back with its key *absent* (a field ACL, servicenow-facts §3.4), and
an empty value comes back as ``""``. :class:`Record` keeps that difference: :meth:`Record.get` raises
:class:`~snow_preflight.errors.Withheld` for an absent key, plain or dot-walked, so no check can read
"not shown" as "empty". The typed records (:class:`RestMethod`, :class:`MidServer`, ...) read through it
lazily: a check that touches a withheld field gets could-not-verify, whatever else it does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, overload

from snow_preflight.errors import CannotVerify, Withheld
from snow_preflight.judge.visibility import visibility_fix

#: What the evidence shows for a field the instance withheld.
NOT_READABLE = "(not readable by this login)"


def text(value: Any) -> str:
    """A field as a string, whether it came raw or as a ``{"value": ...}`` reference object."""
    if isinstance(value, dict):
        value = value.get("value", "")
    return "" if value is None else str(value)


def form_link(instance: str, table: str, sys_id: str) -> str:
    """Deep link to a record's form: ``https://<instance>/<table>.do?sys_id=<id>``."""
    return f"{instance}/{table}.do?sys_id={sys_id}"


def release_family(stamp: str) -> str:
    """The release family of a build stamp: ``washingtondc-12-20-2023__patch4-...`` → ``washingtondc``."""
    return stamp.split("-", 1)[0].strip().lower()


def parse_time(value: str) -> datetime | None:
    """A ServiceNow ``YYYY-MM-DD HH:MM:SS`` value (UTC) as an aware datetime; None if it is not one."""
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Record:
    """One row of *table*, or the record a reference points to seen through dot-walked keys.

    ``prefix`` is ``"use_mid_server."`` for the MID Server seen through an HTTP method's row: its fields
    are the keys ``use_mid_server.<field>``, and a withheld one is reported as a field of *table*.
    """

    table: str
    row: Mapping[str, Any]
    prefix: str = ""
    sys_id: str = ""

    @classmethod
    def of(cls, table: str, row: Mapping[str, Any]) -> Record:
        return cls(table, row, "", text(row.get("sys_id", "")))

    def has(self, field: str) -> bool:
        """Whether the instance returned *field* (it may still be empty)."""
        return self.prefix + field in self.row

    def get(self, field: str) -> str:
        """The field's value ("" when empty); :class:`Withheld` when the instance did not return it."""
        key = self.prefix + field
        if key not in self.row:
            raise Withheld(self.table, field)
        return text(self.row[key])

    def shown(self, field: str, empty: str = "(empty)") -> str:
        """The field for the evidence only: its value, *empty*, or that it was not readable."""
        if not self.has(field):
            return NOT_READABLE
        return self.get(field) or empty

    def walk(self, field: str, table: str) -> Record | None:
        """The *table* record the reference *field* points to, through the dot-walked keys that came back.

        None when no dot-walked key came back with a value: the record is hidden from this login (row
        ACL, table denied) or no longer exists; the caller knows what that means for its check.
        """
        ref = self.get(field)
        prefix = f"{self.prefix}{field}."
        if not any(key.startswith(prefix) and text(value) for key, value in self.row.items()):
            return None
        return Record(table, self.row, prefix, ref)


class Field:
    """A typed record's field, read through its :class:`Record` (so a withheld one raises :class:`Withheld`).

    ``name = Field("name")`` on a class whose instances hold ``record``.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, typed: None, owner: type) -> Field: ...
    @overload
    def __get__(self, typed: object, owner: type | None = None) -> str: ...
    def __get__(self, typed: Any, owner: type | None = None) -> Field | str:
        if typed is None:  # looked up on the class (introspection): the descriptor itself
            return self
        record: Record = typed.record  # every typed record holds one
        return record.get(self.name)


@dataclass(frozen=True)
class Unavailable:
    """Stands in for items of a parametrised check that cannot be listed, or for items nobody saw.

    With a *label* it is one more item with its own result id (``rest_method_uses_mid[unseen]``); without,
    it replaces the whole list (the id is the check's own).
    """

    reason: str
    skip: bool = False  # True: nothing to check (skipped); False: could not see (error)
    label: str | None = None
    fix: tuple[str, ...] = ()  # the steps to gain visibility (error only)

    def __str__(self) -> str:
        return self.label or "*"


@dataclass(frozen=True)
class App:
    record: Record
    url: str

    name = Field("name")
    scope = Field("scope")
    version = Field("version")

    @property
    def active(self) -> bool:
        return self.record.get("active") == "true"

    @property
    def table(self) -> str:
        """sys_store_app (from the Store), sys_app (built on the instance), or sys_scope."""
        return self.record.get("sys_class_name") or "sys_scope"


@dataclass(frozen=True)
class Grant:
    role: str
    how: str  # "direct", "through group <name>", "contained in role <name>", "inherited"


@dataclass(frozen=True)
class RestMessage:
    record: Record
    url: str
    name = Field("name")
    scope = Field("sys_scope.scope")

    @property
    def sys_id(self) -> str:
        return self.record.sys_id


@dataclass(frozen=True)
class MidServer:
    """A MID Server record, read directly or through an HTTP method's dot-walked ``use_mid_server.*``."""

    record: Record
    url: str
    name = Field("name")
    status = Field("status")
    validated = Field("validated")
    version = Field("version")
    host_name = Field("host_name")

    @property
    def sys_id(self) -> str:
        return self.record.sys_id

    @property
    def release(self) -> str:
        """The release family of the version it runs ("" when it has recorded none)."""
        return release_family(self.version)

    @property
    def last_refreshed(self) -> datetime | None:
        """The last heartbeat; None when none was recorded."""
        value = self.record.get("last_refreshed")
        when = parse_time(value)
        if value and when is None:
            raise CannotVerify(
                f"`{self.label}` has last_refreshed {value!r}, which is not a date this tool reads"
            )
        return when

    @property
    def label(self) -> str:
        """The name, or the sys_id when the name cannot be read."""
        return (self.record.get("name") if self.record.has("name") else "") or self.sys_id

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class MidRef:
    """One item of the MID Server checks: a MID Server by its label, and its record (None: no such record)."""

    label: str
    server: MidServer | None

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class RestMethod:
    """An HTTP method (``sys_rest_message_fn``) of the judged REST message, with its MID Server's fields."""

    record: Record
    instance: str
    label: str  # unique among the methods judged: the name, with the sys_id when two share a name

    function_name = Field("function_name")
    http_method = Field("http_method")
    endpoint = Field("rest_endpoint")
    #: The ``use_mid_server`` reference: "" when the method calls Rundeck directly.
    mid_sys_id = Field("use_mid_server")

    @property
    def url(self) -> str:
        return form_link(self.instance, "sys_rest_message_fn", self.sys_id)

    @property
    def sys_id(self) -> str:
        return self.record.sys_id

    @property
    def mid_label(self) -> str:
        """The named MID Server for display: its name, or its sys_id when its record cannot be seen."""
        walked = self.record.walk("use_mid_server", "ecc_agent") if self.mid_sys_id else None
        return MidServer(walked, "").label if walked else self.mid_sys_id

    @property
    def mid(self) -> MidServer | None:
        """The MID Server the method names (None: none); CannotVerify when its record cannot be seen."""
        if not self.mid_sys_id:
            return None
        walked = self.record.walk("use_mid_server", "ecc_agent")
        if walked is None:
            raise CannotVerify(
                f"the MID Server record {self.mid_sys_id} that HTTP method `{self.label}` names could not be "
                "read: hidden from this login by ACL, or deleted",
                fix=visibility_fix("ecc_agent"),
            )
        return MidServer(walked, form_link(self.instance, "ecc_agent", walked.sys_id))

    def __str__(self) -> str:
        return self.label
