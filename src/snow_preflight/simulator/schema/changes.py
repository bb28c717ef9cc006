"""What fix mode and attach write (servicenow-facts.md §8): change requests and their journal,
attachments, and the customer updates an edited app file leaves in an update set.
"""

from __future__ import annotations

from snow_preflight.simulator.schema.table import TableDef, table

TABLES: list[TableDef] = [
    table(
        "change_request",
        "number",
        {
            "number": "string",
            "short_description": "string",
            "state": "string",
            "type": "string",
            "assigned_to": "ref:sys_user",
            "work_notes": "journal",  # journal fields read back empty; entries live in sys_journal_field
            "comments": "journal",
        },
    ),
    table(
        "sys_journal_field",
        "value",
        {"name": "string", "element": "string", "element_id": "string", "value": "string"},
    ),
    table(
        "sys_attachment",
        "file_name",
        {
            "file_name": "string",
            "content_type": "string",
            "size_bytes": "integer",
            "size_compressed": "integer",
            "compressed": "bool",
            "table_name": "string",
            "table_sys_id": "string",
            "hash": "string",
        },
    ),
    table(
        "sys_update_set",
        "name",
        {
            "name": "string",
            "application": "ref:sys_scope",
            "state": "string",
            "is_default": "bool",
            "description": "string",
        },
    ),
    table(
        "sys_update_xml",
        "name",
        {
            "name": "string",
            "type": "string",
            "target_name": "string",
            "action": "string",
            "category": "string",
            "application": "ref:sys_scope",
            "update_set": "ref:sys_update_set",
        },
    ),
]
