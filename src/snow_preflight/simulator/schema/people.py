"""Who the login is and what it holds: users, roles (and the roles roles contain), groups, grants."""

from __future__ import annotations

from snow_preflight.simulator.schema.table import TableDef, table

TABLES: list[TableDef] = [
    table(
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
    table(
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
    table("sys_user_role_contains", "sys_id", {"role": "ref:sys_user_role", "contains": "ref:sys_user_role"}),
    table(
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
    table("sys_user_grmember", "sys_id", {"user": "ref:sys_user", "group": "ref:sys_user_group"}),
    table(
        "sys_group_has_role",
        "sys_id",
        {
            "group": "ref:sys_user_group",
            "role": "ref:sys_user_role",
            "inherits": "bool",
        },
    ),
    table(
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
]
