"""The plan: which HTTP methods of the app's REST message need their MID Server set, read from the instance.

Read-only: a handful of GETs, made here (not taken from the checklist's results, which judge rather than
read). It refuses, with :class:`FixRefusedError` naming the cause and the fix, when the target is not one
MID Server record that is Up and validated, when the app's REST message or its methods cannot all be seen,
or when a method that needs the change is protected by its application's policy (``sys_policy`` ``read``
or ``protected``: no one may edit it, servicenow-facts.md §8). Only the message in the app's scope is
planned; a copy in another scope is never touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from snow_preflight import __version__
from snow_preflight.errors import FixRefusedError, InstanceError, NotFoundError
from snow_preflight.fix.client import METHOD_TABLE, WritingClient
from snow_preflight.fix.model import Change, Method, Plan, Ref, Skip, Target, now
from snow_preflight.settings import Settings

MID_FIELDS = ("sys_id", "name", "status", "validated", "last_refreshed")
METHOD_FIELDS = (
    "sys_id",
    "function_name",
    "http_method",
    "use_mid_server",
    "use_mid_server.name",
    "sys_policy",
    "sys_mod_count",
    "sys_updated_on",
    "sys_updated_by",
)
#: Fields without which no safe plan can be made: what is set now, and how to tell a later change.
_NEEDED = ("sys_id", "function_name", "use_mid_server", "sys_mod_count", "sys_updated_on")
#: Protection policies under which nobody may edit an application file (c_ProtectingApplicationFiles).
PROTECTED = {"read": "Read-only", "protected": "Protected"}
UPGRADE_NOTE = (
    "Each changed HTTP method becomes a customer update of the app (sys_update_xml): later upgrades of the "
    "app skip it ('Skipped Changes to Review' in the upgrade history) exactly as after the documented manual "
    "procedure, so review those skipped changes after each app upgrade."
)


def _plain(text: str, flag: str) -> str:
    """A name safe inside an encoded query (``^`` would start another condition)."""
    if not text or "^" in text or not text.isprintable():
        raise FixRefusedError(
            f"{flag} {text!r} cannot be looked up: give the name without '^' or line breaks."
        )
    return text


def method_from(row: Mapping[str, Any]) -> Method:
    return Method(
        sys_id=str(row.get("sys_id", "")),
        name=str(row.get("function_name", "")),
        http_method=str(row.get("http_method", "")),
        mid=Ref(sys_id=str(row.get("use_mid_server", "")), name=str(row.get("use_mid_server.name", ""))),
        sys_mod_count=str(row.get("sys_mod_count", "")),
        sys_updated_on=str(row.get("sys_updated_on", "")),
        sys_updated_by=str(row.get("sys_updated_by", "")),
        sys_policy=str(row.get("sys_policy", "")),
    )


def find_target(client: WritingClient, name: str | None, sys_id: str | None) -> Target:
    """The MID Server named by ``--mid`` and/or ``--mid-sys-id``, which must be one record, Up, validated."""
    if sys_id:
        try:
            row = client.record("ecc_agent", sys_id, fields=MID_FIELDS, source="fix: target MID Server")
        except NotFoundError:
            raise FixRefusedError(
                f"no MID Server record has sys_id {sys_id}, or this login may not see it: copy the sys_id "
                "from MID Server > Servers (right-click the row > Copy sys_id)."
            ) from None
        if name and row.get("name") != name:
            raise FixRefusedError(
                f"--mid-sys-id {sys_id} is the MID Server {row.get('name')!r}, not --mid {name!r}: give the "
                "matching pair, or only one of them."
            )
    else:
        assert name is not None
        read = client.table(
            "ecc_agent",
            query=f"name={_plain(name, '--mid')}",
            fields=MID_FIELDS,
            source="fix: target MID Server",
        )
        if read.hidden:
            raise FixRefusedError(
                f"{read.hidden} MID Server record(s) named {name!r} are hidden from this login by an ACL: the "
                "target cannot be checked; run the fix as a login that sees ecc_agent (e.g. agent_admin)."
            )
        if not read.rows:
            raise FixRefusedError(
                f"no MID Server is named {name!r}: check the name in MID Server > Servers, then plan again."
            )
        if len(read.rows) > 1:
            listed = ", ".join(
                f"{r.get('sys_id')} ({r.get('status') or '?'}, validated={r.get('validated') or '?'})"
                for r in read.rows
            )
            raise FixRefusedError(
                f"{len(read.rows)} MID Server records are named {name!r}: {listed}; pass --mid-sys-id with the "
                "sys_id of the one the methods should use."
            )
        row = read.rows[0]
    label = str(row.get("name") or name or sys_id)
    missing = [f for f in ("status", "validated") if f not in row]
    if missing:
        raise FixRefusedError(
            f"cannot verify that MID Server {label!r} is Up and validated: this login cannot read "
            f"ecc_agent.{missing[0]} (field ACL); run the fix as a login that can."
        )
    if row["status"] != "Up":
        raise FixRefusedError(
            f"MID Server {label!r} is {row['status'] or 'not Up'}, not Up: start it (MID Server > Servers > "
            f"{label}), or name one that is Up, then plan again."
        )
    if row["validated"] != "true":
        raise FixRefusedError(
            f"MID Server {label!r} is Up but not validated (validated={row['validated'] or '(empty)'}): "
            f"MID Server > Servers > {label} > Related Links > Validate, then plan again."
        )
    return Target(
        sys_id=str(row.get("sys_id", "")),
        name=label,
        status=row["status"],
        validated=row["validated"],
        last_refreshed=str(row.get("last_refreshed", "")),
    )


def read_methods(client: WritingClient, settings: Settings) -> tuple[str, list[Method]]:
    """(sys_id of the app's REST message, its HTTP methods); refuses when they cannot all be seen."""
    expect = settings.expect
    name, scope = _plain(expect.rest_message, "--rest-message"), _plain(expect.app_scope, "--app-scope")
    messages = client.table(
        "sys_rest_message",
        query=f"name={name}^sys_scope.scope={scope}",
        fields=("sys_id", "name"),
        source="fix: REST message",
    )
    if not messages.rows:
        hidden = " (one is hidden from this login by an ACL)" if messages.hidden else ""
        raise FixRefusedError(
            f"no REST message {name!r} in the app's scope {scope}{hidden}: install or repair the app first "
            "(a copy in another scope is never changed)."
        )
    if len(messages.rows) > 1:
        raise FixRefusedError(
            f"{len(messages.rows)} REST messages named {name!r} are in scope {scope}: which one the app calls is "
            "ambiguous; remove the extra one, then plan again."
        )
    message_id = str(messages.rows[0].get("sys_id", ""))
    read = client.table(
        METHOD_TABLE, query=f"rest_message={message_id}", fields=METHOD_FIELDS, source="fix: HTTP methods"
    )
    if read.hidden:
        raise FixRefusedError(
            f"{read.hidden} of the {read.total} HTTP methods of {name!r} are hidden from this login by an ACL: "
            "a plan must cover every method; run the fix as a login that sees them all."
        )
    if not read.rows:
        raise FixRefusedError(f"the REST message {name!r} has no HTTP methods: repair the app first.")
    for row in read.rows:
        absent = [f for f in _NEEDED if f not in row]
        if absent:
            raise FixRefusedError(
                f"this login cannot read {METHOD_TABLE}.{absent[0]} of {name!r} (field ACL), so no safe plan "
                "can be made: run the fix as a login that can (web_service_admin)."
            )
    methods = sorted((method_from(row) for row in read.rows), key=lambda m: m.name)
    return message_id, methods


def _heartbeat_note(target: Target, max_age_minutes: float) -> list[str]:
    try:
        seen = datetime.strptime(target.last_refreshed, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return []
    age = (datetime.now(UTC) - seen).total_seconds() / 60
    if age <= max_age_minutes:
        return []
    return [
        f"{target.name}'s last heartbeat was at {target.last_refreshed} UTC ({age:.0f} min ago): it shows Up "
        "but may have stopped; check it (MID Server > Servers) before relying on it."
    ]


def login_of(client: WritingClient, settings: Settings) -> str:
    """The user name the instance sees (an OAuth client or token names no user until asked)."""
    try:
        return str(client.current_user(source="fix: login")["user_name"])
    except InstanceError:
        return settings.connection.username or "(unknown)"


def make_plan(client: WritingClient, settings: Settings, mid: str | None, mid_sys_id: str | None) -> Plan:
    """Read the instance and plan; FixRefusedError when a safe plan cannot be made."""
    client.authenticate()
    target = find_target(client, mid, mid_sys_id)
    message_id, methods = read_methods(client, settings)
    changes: list[Change] = []
    unchanged: list[Skip] = []
    for method in methods:
        if method.mid.sys_id == target.sys_id:
            unchanged.append(Skip(method=method, reason=f"already uses {target.name}"))
            continue
        policy = PROTECTED.get(method.sys_policy)
        if policy is not None:
            raise FixRefusedError(
                f"HTTP method {method.name!r} is protected by its application's policy ({policy}, "
                f"sys_policy={method.sys_policy}): neither the form nor this fix may change it; ask the app's "
                "vendor (PagerDuty) how to route it through a MID Server."
            )
        changes.append(
            Change(method=method, before=method.mid, after=Ref(sys_id=target.sys_id, name=target.name))
        )
    notes = _heartbeat_note(target, settings.expect.heartbeat_max_age_minutes)
    if changes:
        notes.append(UPGRADE_NOTE)
    return Plan(
        tool_version=__version__,
        instance=client.conn.base_url,
        login=login_of(client, settings),
        planned_at=now(),
        rest_message=settings.expect.rest_message,
        rest_message_sys_id=message_id,
        scope=settings.expect.app_scope,
        target=target,
        changes=changes,
        unchanged=unchanged,
        notes=notes,
    )


def describe(plan: Plan) -> list[str]:
    """The plan as console lines, terraform-style: ``~`` for a change, ``=`` for a method left as it is."""
    what = "Undo plan" if plan.kind == "undo" else "Plan"
    lines = [f"snow-preflight fix: {what.lower()} for {plan.instance} (login {plan.login})"]
    lines.append(f"  REST message {plan.rest_message!r} (scope {plan.scope}), table {METHOD_TABLE}")
    if plan.target is not None:
        t = plan.target
        lines.append(
            f"  Target MID Server: {t.name} (sys_id {t.sys_id}; {t.status}, validated={t.validated})"
        )
    width = max((len(c.method.name) for c in plan.changes), default=10)
    width = max([width, *(len(s.method.name) for s in plan.unchanged)])
    for change in plan.changes:
        lines.append(
            f"  ~ {change.method.name:<{width}}  use_mid_server: {change.before.label} -> {change.after.label}"
        )
    for skip in plan.unchanged:
        lines.append(
            f"  = {skip.method.name:<{width}}  use_mid_server: {skip.method.mid.label} ({skip.reason})"
        )
    lines.append(f"{what}: {len(plan.changes)} to change, {len(plan.unchanged)} unchanged.")
    lines += [f"Note: {note}" for note in plan.notes]
    return lines
