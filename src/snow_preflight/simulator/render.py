"""How a stored row becomes a Table API JSON object (servicenow-facts.md §3.2, §3.3).

The reference rendering matrix, for a non-empty reference::

    display_value  exclude_reference_link=false               exclude_reference_link=true
    false          {"link": url, "value": sys_id}              "sys_id"
    true           {"link": url, "display_value": text}        "text"
    all            {"display_value", "link", "value"}          {"display_value", "value"}

An empty reference is ``""`` (``{"display_value": "", "value": ""}`` under ``all``). Other fields
are their string under false/true and ``{"display_value", "value"}`` under all.
"""

from __future__ import annotations

from typing import Any

from snow_preflight.simulator import schema
from snow_preflight.simulator.acl import Persona
from snow_preflight.simulator.store import Row, Store

_MISSING = object()


class Renderer:
    """Renders rows for one request: one persona, one display mode, one link base."""

    def __init__(
        self, store: Store, persona: Persona, mode: str, exclude_links: bool, link_base: str
    ) -> None:
        self.store = store
        self.persona = persona
        self.mode = mode if mode in ("true", "all") else "false"
        self.exclude_links = exclude_links
        self.link_base = link_base  # e.g. "https://host:port/api/now/table"

    def fields_for(self, table: str, requested: str | None) -> list[str]:
        """The fields to render: requested ones that exist (unknown ones silently omitted)."""
        if not requested:
            return list(schema.ALL_FIELDS[table])
        names: list[str] = []
        for raw in requested.split(","):
            name = raw.strip()
            if name and name not in names and self.store.field_type(table, name) is not None:
                names.append(name)
        return names

    def row(self, table: str, row: Row, fields: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in fields:
            value = self._field(table, row, name)
            if value is not _MISSING:
                out[name] = value
        return out

    def _field(self, table: str, row: Row, path: str) -> object:
        if "." not in path:
            if not self.persona.can_read_field(table, path):
                return _MISSING
            return self.value(table, path, row.get(path, ""))
        # Dot-walk: every table on the way must be readable, else the key is absent.
        current_table, current = table, row
        steps = path.split(".")
        for step in steps[:-1]:
            if not self.persona.can_read_field(current_table, step):
                return _MISSING
            target_table = schema.ref_table(current_table, step)
            if target_table is None:
                return _MISSING
            if not self.persona.can_read_table(target_table):
                return _MISSING
            ref_id = current.get(step, "")
            target = self.store.get(target_table, ref_id) if ref_id else None
            if target is None:
                return self.value(target_table, steps[-1], "") if ref_id == "" else _MISSING
            if not self.persona.can_read_row(target_table, target):
                return _MISSING
            current_table, current = target_table, target
        leaf = steps[-1]
        if not self.persona.can_read_field(current_table, leaf):
            return _MISSING
        return self.value(current_table, leaf, current.get(leaf, ""))

    def value(self, table: str, name: str, raw: str) -> object:
        target_table = schema.ref_table(table, name)
        if target_table is None:
            return {"display_value": raw, "value": raw} if self.mode == "all" else raw
        return self.reference(target_table, raw)

    def reference(self, target_table: str, sys_id: str) -> object:
        if sys_id == "":
            return {"display_value": "", "value": ""} if self.mode == "all" else ""
        link = f"{self.link_base}/{target_table}/{sys_id}"
        if self.mode == "false":
            return sys_id if self.exclude_links else {"link": link, "value": sys_id}
        # The display value shows even when the login cannot read the referenced record (as a
        # reference field shows its text in the UI); only dot-walks into it are withheld.
        text = self.store.display_value(target_table, self.store.get(target_table, sys_id))
        if self.mode == "true":
            return text if self.exclude_links else {"link": link, "display_value": text}
        if self.exclude_links:
            return {"display_value": text, "value": sys_id}
        return {"display_value": text, "link": link, "value": sys_id}
