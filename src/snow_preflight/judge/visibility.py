"""What lets a login see what it could not: the steps a could-not-verify row shows, never the configuration fix.

Which roles read which tables is mostly not documented (servicenow-facts §5): the hints below are the usual
ones, and the steps always start from the table's read ACLs, which are the truth on a given instance.
"""

from __future__ import annotations

#: Who can usually read each table the checklist reads (servicenow-facts §2, §5: mostly not documented).
READERS = {
    "sys_user": "the login's own record is readable by the login itself",
    "sys_scope": "any role that may list applications; admin",
    "sys_user_has_role": "user_admin or admin (the login's own rows are often readable)",
    "sys_rest_message": "web_service_admin",
    "sys_rest_message_fn": "web_service_admin",
    "ecc_agent": "agent_admin, mid_server or admin",
    "ecc_agent_issue": "agent_admin or admin",
    "sys_properties": "admin (other logins read sys_properties as empty)",
    "ecc_queue": "agent_admin or admin",
}


def visibility_fix(table: str) -> tuple[str, ...]:
    """Steps that let the login see rows of *table*: never the configuration fix."""
    readers = READERS.get(table, "a role its read ACL names")
    return (
        f"Find the read ACLs of {table}: System Security > Access Control (ACL), filter Name = {table} "
        f"(and {table}.*), Operation = read.",
        f"Grant the pre-flight login a role those ACLs require (usually {readers}), or run the pre-flight "
        "as a login that holds one; then re-run the pre-flight.",
    )
