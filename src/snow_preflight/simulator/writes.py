"""Writes, as a real instance makes them (servicenow-facts.md §3.4, §8; research-beyond-read-only.md §1, §2).

* ``PATCH``/``PUT /api/now/table/{table}/{sys_id}`` with a JSON object: 200 and the record. Unknown fields,
  ``sys_*`` fields and fields the login cannot read are ignored, as the platform ignores them. A change
  advances ``sys_mod_count``, ``sys_updated_on`` and ``sys_updated_by``; a journal field (``work_notes``)
  adds a ``sys_journal_field`` entry and reads back empty; an application file (``sys_rest_message_fn``)
  leaves a customer update (``sys_update_xml`` named ``<table>_<sys_id>``) in its scope's Default update set.
* ``POST /api/now/attachment/file?table_name=&table_sys_id=&file_name=`` with the raw file and a mandatory
  ``Content-Type``: 201 and the ``sys_attachment`` record; ``GET /api/now/attachment/{sys_id}/file`` reads
  the file back.

Who may write: admin everything; any other login a table of :data:`WRITE_ROLES` when it holds one of the
roles (directly, through a group, or through a role that contains it), unless the scenario's ACL names the
table in ``deny_write``. Otherwise 403 "ACL Exception Update Failed due to security constraints".

A :class:`~snow_preflight.simulator.scenarios.Touch` is someone else editing a record while the pre-flight works: after the record has been
served *after_reads* times, its fields change as if *by* had saved the form (servicenow-facts.md §8: there
is no ETag, so only ``sys_mod_count``/``sys_updated_on`` show it).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from snow_preflight.simulator import responses as r
from snow_preflight.simulator import schema
from snow_preflight.simulator.acl import Persona
from snow_preflight.simulator.query import DATE_FORMAT, now_utc
from snow_preflight.simulator.responses import Response
from snow_preflight.simulator.scenarios import Touch
from snow_preflight.simulator.store import Row, Store

#: Roles that may write a table besides admin (servicenow-facts.md §1.2, research §2). Others: admin only.
WRITE_ROLES: dict[str, frozenset[str]] = {
    "sys_rest_message": frozenset({"web_service_admin"}),
    "sys_rest_message_fn": frozenset({"web_service_admin"}),
    "change_request": frozenset({"itil", "sn_change_write"}),
}
ATTACHMENT_FILE = "/api/now/attachment/file"


@dataclass(frozen=True)
class Caller:
    """Who is writing: user name and sys_id, admin or not, what they may see."""

    user_name: str
    user_sys_id: str
    is_admin: bool
    persona: Persona


def _now() -> str:
    return now_utc().strftime(DATE_FORMAT)


def _stored(value: Any) -> str:
    """A JSON value as the platform stores it: every value a string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):  # {"value": sys_id} as some clients send references
        return _stored(value.get("value", ""))
    return str(value)


class Writes:
    """The write side of one simulated instance; thread-safe (one lock for every change)."""

    def __init__(self, store: Store, touches: Iterable[Touch] = ()) -> None:
        self.store = store
        self.touches = list(touches)
        self.files: dict[str, bytes] = {}  # sys_attachment sys_id -> content
        self._lock = threading.Lock()

    # -- rights ---------------------------------------------------------------------------------

    def roles_of(self, user_sys_id: str) -> set[str]:
        """Role names the user holds: direct, through its groups, and every role those contain."""
        store = self.store
        ids = {row["role"] for row in store.rows("sys_user_has_role") if row["user"] == user_sys_id}
        groups = {row["group"] for row in store.rows("sys_user_grmember") if row["user"] == user_sys_id}
        ids |= {row["role"] for row in store.rows("sys_group_has_role") if row["group"] in groups}
        contains = store.rows("sys_user_role_contains")
        while True:
            more = {row["contains"] for row in contains if row["role"] in ids} - ids
            if not more:
                break
            ids |= more
        return {row["name"] for row in store.rows("sys_user_role") if row["sys_id"] in ids}

    def may_write(self, who: Caller, table: str) -> bool:
        if table in who.persona.write_denied:
            return False
        if who.is_admin:
            return True
        allowed = WRITE_ROLES.get(table, frozenset())
        return bool(allowed & self.roles_of(who.user_sys_id))

    # -- PATCH / PUT a record ---------------------------------------------------------------------

    def update(
        self,
        who: Caller,
        table: str,
        sys_id: str,
        body: bytes,
        render: Callable[[Row], dict[str, Any]],
        by_display: bool = False,
    ) -> Response:
        row = self.store.get(table, sys_id)
        if row is None or not who.persona.can_read_row(table, row):
            return r.not_found()
        if not self.may_write(who, table):
            return r.write_denied("PATCH")
        try:
            values = json.loads(body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            values = None
        if not isinstance(values, dict):
            return r.error(400, "Exception while reading request", "The payload is not valid JSON.")
        with self._lock:
            self._apply(table, row, values, who, by_display)
        return r.json_response(200, {"result": render(row)})

    def _apply(self, table: str, row: Row, values: dict[str, Any], who: Caller, by_display: bool) -> None:
        fields = schema.ALL_FIELDS[table]
        changes: dict[str, str] = {}
        notes: list[tuple[str, str]] = []
        for name, raw in values.items():
            kind = fields.get(name)
            if kind is None or name.startswith("sys_") or not who.persona.can_read_field(table, name):
                continue  # the platform ignores what it does not know or will not let this login touch
            value = _stored(raw)
            if kind == "journal":
                if value:
                    notes.append((name, value))
                continue
            target = schema.ref_table(table, name)
            if by_display and target is not None and value:
                value = self._by_display(target, value)
            if row.get(name, "") != value:
                changes[name] = value
        if not changes and not notes:
            return  # an update that changes nothing is not saved, and leaves no trace
        self.store.update(row, changes)
        for element, text in notes:
            self._insert(
                "sys_journal_field",
                {"name": table, "element": element, "element_id": row["sys_id"], "value": text},
                who.user_name,
            )
        self._saved(table, row, who.user_name)

    def _by_display(self, table: str, text: str) -> str:
        """``sysparm_input_display_value=true``: a reference given by its display value is stored as sys_id."""
        shown = schema.display_field(table)
        match = next((row for row in self.store.rows(table) if row.get(shown) == text), None)
        return match["sys_id"] if match is not None else text

    def _saved(self, table: str, row: Row, user_name: str) -> None:
        """What saving a record does: audit fields advance; an app file leaves a customer update."""
        row["sys_mod_count"] = str(int(row.get("sys_mod_count") or 0) + 1)
        row["sys_updated_on"] = _now()
        row["sys_updated_by"] = user_name
        if "sys_update_name" in schema.ALL_FIELDS[table]:
            self._customer_update(table, row, user_name)

    def _customer_update(self, table: str, row: Row, user_name: str) -> None:
        scope = row.get("sys_scope") or "global"
        update_set = self._default_set(scope, user_name)
        name = f"{table}_{row['sys_id']}"
        existing = next(
            (
                x
                for x in self.store.rows("sys_update_xml")
                if x["name"] == name and x["update_set"] == update_set
            ),
            None,
        )
        if existing is not None:
            existing["sys_mod_count"] = str(int(existing["sys_mod_count"] or 0) + 1)
            existing["sys_updated_on"] = _now()
            existing["sys_updated_by"] = user_name
            return
        self._insert(
            "sys_update_xml",
            {
                "name": name,
                "type": "HTTP Method" if table == "sys_rest_message_fn" else table,
                "target_name": row.get("sys_name", ""),
                "action": "INSERT_OR_UPDATE",
                "category": "customer",
                "application": scope,
                "update_set": update_set,
            },
            user_name,
        )

    def _default_set(self, scope: str, user_name: str) -> str:
        """The scope's Default update set, in progress; made on first use, as the platform does."""
        for row in self.store.rows("sys_update_set"):
            if row["application"] == scope and row["name"] == "Default" and row["state"] == "in progress":
                return row["sys_id"]
        return self._insert(
            "sys_update_set",
            {"name": "Default", "application": scope, "state": "in progress", "is_default": "true"},
            user_name,
        )["sys_id"]

    def _insert(self, table: str, values: dict[str, str], user_name: str) -> Row:
        now = _now()
        row: Row = {
            name: ("false" if kind == "bool" else "") for name, kind in schema.ALL_FIELDS[table].items()
        }
        row.update(values)
        row.update(
            sys_id=uuid.uuid4().hex,
            sys_class_name=table,
            sys_created_on=now,
            sys_updated_on=now,
            sys_created_by=user_name,
            sys_updated_by=user_name,
            sys_mod_count="0",
        )
        self.store.insert(table, row)
        return row

    # -- the Attachment API -----------------------------------------------------------------------

    def attach(
        self, who: Caller, params: dict[str, str], content_type: str, body: bytes, base_url: str
    ) -> Response:
        table, sys_id, name = (params.get(k, "") for k in ("table_name", "table_sys_id", "file_name"))
        if not (table and sys_id and name):
            return r.error(400, "Bad Request", "table_name, table_sys_id and file_name are required")
        if not content_type:
            return r.error(400, "Bad Request", "The Content-Type header is required")
        target = self.store.get(table, sys_id) if self.store.has_table(table) else None
        if target is None or not who.persona.can_read_row(table, target):
            return r.error(
                404, "No Record found", "Record doesn't exist or is not accessible to the current user"
            )
        if not self.may_write(who, table):
            return r.write_denied("POST")
        with self._lock:
            row = self._insert(
                "sys_attachment",
                {
                    "file_name": name,
                    "content_type": content_type,
                    "size_bytes": str(len(body)),
                    "size_compressed": str(len(body)),
                    "compressed": "false",
                    "table_name": table,
                    "table_sys_id": sys_id,
                    "hash": hashlib.sha256(body).hexdigest(),
                },
                who.user_name,
            )
            self.files[row["sys_id"]] = body
        link = f"{base_url}/api/now/attachment/{row['sys_id']}"
        result = {**row, "download_link": f"{link}/file"}
        return r.json_response(201, {"result": result}, {"Location": link})

    def file(self, who: Caller, sys_id: str) -> Response:
        row = self.store.get("sys_attachment", sys_id)
        target = self.store.get(row["table_name"], row["table_sys_id"]) if row is not None else None
        if row is None or target is None or not who.persona.can_read_row(row["table_name"], target):
            return r.not_found()
        return Response(200, self.files.get(sys_id, b""), {"Content-Type": row["content_type"]})

    # -- someone else at work -------------------------------------------------------------------

    def served(self, table: str, rows: Iterable[Row]) -> None:
        """Count the records just served; a :class:`Touch` whose count is reached changes its record."""
        if not self.touches:
            return
        with self._lock:
            for row in rows:
                for touch in self.touches:
                    if touch.done or touch.sys_id != row["sys_id"]:
                        continue
                    touch.reads += 1
                    if touch.reads >= touch.after_reads:
                        touch.done = True
                        self.store.update(row, dict(touch.values))
                        self._saved(touch.table, row, touch.by)
