"""The dictionary of the simulated instance: tables, their fields, references and inheritance.

Only the tables the pre-flight reads, and those fix mode and attach write, are modelled. A field's type
drives how it renders: ``ref:<table>`` fields become ``{"link","value"}`` objects, ``bool`` defaults to
``"false"``, ``journal`` fields always read back empty.
Anything not listed here is an unknown field: the Table API silently omits it from
``sysparm_fields`` and silently drops it from ``sysparm_query`` (servicenow-facts.md §3.2).
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
    """One table: its own fields (inherited ones are added by :func:`all_fields`)."""

    name: str
    fields: dict[str, str]
    display: str = "sys_id"
    parent: str | None = None
    app_file: bool = False
    children: tuple[str, ...] = field(default=())


def _t(name: str, display: str, fields: dict[str, str], **kw: object) -> TableDef:
    return TableDef(name=name, display=display, fields=fields, **kw)  # type: ignore[arg-type]


_TABLES: list[TableDef] = [
    _t(
        "sys_user",
        "name",
        {
            "user_name": "string",
            "name": "string",
            "first_name": "string",
            "last_name": "string",
            "email": "string",
            "active": "bool",
            "locked_out": "bool",
            "failed_attempts": "integer",
            "password_needs_reset": "bool",
            "web_service_access_only": "bool",
            "internal_integration_user": "bool",
            "last_login": "date",
            "last_login_time": "datetime",
            "source": "string",
            "time_zone": "string",
            "enable_multifactor_authn": "bool",
            "vip": "bool",
            "title": "string",
            "department": "string",
        },
    ),
    _t(
        "sys_user_role",
        "name",
        {
            "name": "string",
            "suffix": "string",
            "description": "string",
            "elevated_privilege": "bool",
            "assignable_by": "string",
            "grantable": "bool",
            "can_delegate": "bool",
            "sys_scope": "ref:sys_scope",
        },
    ),
    _t("sys_user_role_contains", "sys_id", {"role": "ref:sys_user_role", "contains": "ref:sys_user_role"}),
    _t(
        "sys_user_group",
        "name",
        {
            "name": "string",
            "description": "string",
            "active": "bool",
            "email": "string",
            "manager": "ref:sys_user",
            "type": "string",
        },
    ),
    _t("sys_user_grmember", "sys_id", {"user": "ref:sys_user", "group": "ref:sys_user_group"}),
    _t(
        "sys_group_has_role",
        "sys_id",
        {
            "group": "ref:sys_user_group",
            "role": "ref:sys_user_role",
            "inherits": "bool",
        },
    ),
    _t(
        "sys_user_has_role",
        "sys_id",
        {
            "user": "ref:sys_user",
            "role": "ref:sys_user_role",
            "inherited": "bool",
            "granted_by": "ref:sys_user_group",
            "included_in_role": "ref:sys_user_has_role",
            "included_in_role_instance": "string",
            "inh_count": "integer",
            "inh_map": "string",
            "state": "string",
        },
    ),
    _t(
        "sys_package",
        "name",
        {
            "name": "string",
            "version": "string",
            "active": "bool",
            "source": "string",
            "licensable": "bool",
            "enforce_license": "string",
            "trackable": "bool",
        },
        children=("sys_scope",),
    ),
    _t(
        "sys_scope",
        "name",
        {
            "scope": "string",
            "short_description": "string",
            "vendor": "string",
            "vendor_prefix": "string",
            "private": "bool",
            "js_level": "string",
            "restrict_table_access": "bool",
            "runtime_access_tracking": "string",
            "scoped_administration": "bool",
            "can_edit_in_studio": "bool",
            "template": "string",
            "logo": "string",
            "license_category": "string",
            "license_model": "string",
        },
        parent="sys_package",
        children=("sys_store_app", "sys_app"),
    ),
    _t(
        "sys_store_app",
        "name",
        {
            "latest_version": "string",
            "assigned_version": "string",
            "update_available": "bool",
            "dependencies": "string",
            "compatibilities": "string",
            "is_store_app": "bool",
            "demo_data": "string",
            "shared_internally": "bool",
            "auto_update": "bool",
            "last_installed_from": "string",
            "installed_as_dependency": "bool",
            "hide_on_ui": "bool",
            "uninstall_blocked": "bool",
            "custom_table_count": "integer",
        },
        parent="sys_scope",
    ),
    _t(
        "sys_app",
        "name",
        {
            "enforce_license": "string",
            "package_json": "string",
            "sys_code": "string",
        },
        parent="sys_scope",
    ),
    _t(
        "sys_rest_message",
        "name",
        {
            "name": "string",
            "rest_endpoint": "string",
            "description": "string",
            "authentication_type": "string",
            "basic_auth_profile": "string",
            "oauth2_profile": "string",
            "use_basic_auth": "bool",
            "basic_auth_user": "string",
            "use_mutual_auth": "bool",
            "protocol_name": "string",
            "access": "string",
        },
        app_file=True,
    ),
    _t(
        "sys_rest_message_fn",
        "function_name",
        {
            "rest_message": "ref:sys_rest_message",
            "function_name": "string",
            "http_method": "string",
            "rest_endpoint": "string",
            "content": "string",
            "authentication_type": "string",
            "basic_auth_profile": "string",
            "oauth2_profile": "string",
            "use_basic_auth": "bool",
            "basic_auth_user": "string",
            "use_mutual_auth": "bool",
            "protocol_name": "string",
            "qualified_name": "string",
            "lock": "bool",
            "use_mid_server": "ref:ecc_agent",
        },
        app_file=True,
    ),
    _t(
        "ecc_agent",
        "name",
        {
            "name": "string",
            "status": "string",
            "validated": "string",
            "last_refreshed": "datetime",
            "started": "datetime",
            "stopped": "datetime",
            "version": "string",
            "host_name": "string",
            "ip_address": "string",
            "network": "string",
            "router": "string",
            "win_domain": "string",
            "host_os_distribution": "string",
            "host_os_version": "string",
            "host_os_address_width": "integer",
            "host_type": "string",
            "host_cpu_core_count": "integer",
            "host_total_ram": "integer",
            "jvm_version": "string",
            "mid_maximum_ram": "integer",
            "home_dir": "string",
            "user_name": "string",
            "unresolved_issues": "integer",
            "sys_domain": "string",
        },
    ),
    _t(
        "ecc_agent_issue",
        "message",
        {
            "mid_server": "ref:ecc_agent",
            "source": "string",
            "message": "string",
            "state": "string",
            "last_detected": "datetime",
            "count": "integer",
        },
    ),
    _t("ecc_agent_cluster", "name", {"name": "string", "type": "string"}),
    _t(
        "ecc_agent_cluster_member_m2m",
        "sys_id",
        {
            "cluster": "ref:ecc_agent_cluster",
            "agent": "ref:ecc_agent",
            "order": "integer",
        },
    ),
    _t(
        "ecc_queue",
        "name",
        {
            "agent": "string",
            "topic": "string",
            "name": "string",
            "source": "string",
            "queue": "string",
            "state": "string",
            "priority": "string",
            "payload": "string",
            "error_string": "string",
            "response_to": "ref:ecc_queue",
            "agent_correlator": "string",
            "processed": "datetime",
            "sequence": "string",
        },
    ),
    # What fix mode and attach write (servicenow-facts.md §8): change requests and their journal,
    # attachments, and the customer updates an edited app file leaves in an update set.
    _t(
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
    _t(
        "sys_journal_field",
        "value",
        {"name": "string", "element": "string", "element_id": "string", "value": "string"},
    ),
    _t(
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
    _t(
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
    _t(
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
    _t(
        "sys_properties",
        "name",
        {
            "name": "string",
            "value": "string",
            "type": "string",
            "description": "string",
            "is_private": "bool",
            "ignore_cache": "bool",
            "read_roles": "string",
            "write_roles": "string",
            "suffix": "string",
            "choices": "string",
            "sys_scope": "ref:sys_scope",
        },
    ),
]

TABLES: dict[str, TableDef] = {t.name: t for t in _TABLES}


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
