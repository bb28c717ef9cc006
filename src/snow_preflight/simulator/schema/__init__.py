"""The dictionary of the simulated instance: tables, their fields, references and inheritance.

Only the tables the pre-flight reads, and those fix mode and attach write, are modelled. A field's type
drives how it renders: ``ref:<table>`` fields become ``{"link","value"}`` objects, ``bool`` defaults to
``"false"``, ``journal`` fields always read back empty.
Anything not listed here is an unknown field: the Table API silently omits it from
``sysparm_fields`` and silently drops it from ``sysparm_query`` (servicenow-facts.md §3.2).

The tables are defined by area, one module each: ``people`` (users, roles, groups), ``apps`` (the app,
its REST message and methods, properties), ``mid`` (MID Servers, the ECC queue) and ``changes`` (what
fix mode and attach write), each a list of :class:`~.table.TableDef`; this module joins them and answers
what the store, the queries and the renderer ask of the dictionary.
"""

from __future__ import annotations

from snow_preflight.simulator.schema import apps, changes, mid, people
from snow_preflight.simulator.schema.table import APP_FILE_FIELDS, SYS_FIELDS, TableDef

TABLES: dict[str, TableDef] = {
    t.name: t for t in (*people.TABLES, *apps.TABLES, *mid.TABLES, *changes.TABLES)
}


def lineage(table: str) -> list[str]:
    """The table and its ancestors, nearest first: ``sys_store_app`` → scope → package."""
    chain: list[str] = []
    current: str | None = table
    while current is not None:
        chain.append(current)
        current = TABLES[current].parent
    return chain


def descendants(table: str) -> list[str]:
    """The table and every table that extends it: a parent query returns child-class rows."""
    out = [table]
    for child in TABLES[table].children:
        out.extend(descendants(child))
    return out


def _build_all_fields(table: str) -> dict[str, str]:
    fields: dict[str, str] = dict(SYS_FIELDS)
    for name in reversed(lineage(table)):
        definition = TABLES[name]
        if definition.app_file:
            fields.update(APP_FILE_FIELDS)
        fields.update(definition.fields)
    return fields


# Precomputed once: rendering and query parsing look these up for every row.
ALL_FIELDS: dict[str, dict[str, str]] = {name: _build_all_fields(name) for name in TABLES}


def ref_table(table: str, field_name: str) -> str | None:
    """The table a reference field points to, or None when the field is not a reference."""
    kind = ALL_FIELDS[table].get(field_name, "")
    return kind[4:] if kind.startswith("ref:") else None


def display_field(table: str) -> str:
    for name in lineage(table):
        if TABLES[name].display != "sys_id" or TABLES[name].parent is None:
            return TABLES[name].display
    return "sys_id"


# Precomputed: the store asks "is this row's class under that table?" for every lookup.
DESCENDANTS: dict[str, frozenset[str]] = {name: frozenset(descendants(name)) for name in TABLES}


__all__ = [
    "ALL_FIELDS",
    "DESCENDANTS",
    "TABLES",
    "TableDef",
    "descendants",
    "display_field",
    "lineage",
    "ref_table",
]
