"""What a table of the simulated instance is: its own fields, display field, parent and children.

The fields every table carries (``sys_id``, ``sys_created_on``, ...) and those every application file
carries (``sys_scope``, ``sys_policy``, ...) are added by the dictionary
(:mod:`snow_preflight.simulator.schema`), not repeated in each table's definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Every table carries these (servicenow-facts.md §2, general rules).
SYS_FIELDS: dict[str, str] = {
    "sys_id": "string",
    "sys_class_name": "string",
    "sys_created_on": "datetime",
    "sys_created_by": "string",
    "sys_updated_on": "datetime",
    "sys_updated_by": "string",
    "sys_mod_count": "integer",
}

# Application files (sys_metadata children) also carry these (TSNOW).
APP_FILE_FIELDS: dict[str, str] = {
    "sys_scope": "ref:sys_scope",
    "sys_package": "ref:sys_package",
    "sys_name": "string",
    "sys_policy": "string",
    "sys_update_name": "string",
}


@dataclass(frozen=True)
class TableDef:
    """One table: its own fields (the inherited ones are in ``ALL_FIELDS``)."""

    name: str
    fields: dict[str, str]
    display: str = "sys_id"
    parent: str | None = None
    app_file: bool = False
    children: tuple[str, ...] = field(default=())


def table(
    name: str,
    display: str,
    fields: dict[str, str],
    *,
    parent: str | None = None,
    app_file: bool = False,
    children: tuple[str, ...] = (),
) -> TableDef:
    """A table's definition, as the area modules list them: name, display field, own fields first."""
    return TableDef(
        name=name, fields=fields, display=display, parent=parent, app_file=app_file, children=children
    )
