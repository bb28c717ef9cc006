"""The way back: plan the restore of an undo file, on the records that still hold what the fix wrote.

A record whose ``use_mid_server`` is no longer the value the fix wrote was changed by someone since, and is
left alone (with that reason); so is one the fix never wrote (its entry says ``"applied": false``). The
plan is applied by :func:`snow_preflight.fix.apply.apply_plan`, with the same re-read before each write.
"""

from __future__ import annotations

from pathlib import Path

from snow_preflight import __version__
from snow_preflight.errors import FixRefusedError
from snow_preflight.fix.client import METHOD_TABLE, WritingClient
from snow_preflight.fix.model import Change, Method, Plan, Skip, UndoFile, now
from snow_preflight.fix.plan import METHOD_FIELDS, PROTECTED, login_of, method_from
from snow_preflight.settings import Settings

UNDO_NOTE = (
    "Putting the old value back is itself a change: the methods stay customer updates of the app (upgrades "
    "still skip them) until an admin reverts them to the base system (the record's Versions related list)."
)


def plan_undo(client: WritingClient, settings: Settings, undo: UndoFile, path: Path) -> Plan:
    """What restoring *undo* would change now; FixRefusedError when the file is for another instance."""
    base_url = client.conn.base_url
    if undo.instance != base_url:
        raise FixRefusedError(
            f"--undo {path} was written for {undo.instance}, not {base_url}: pass --instance {undo.instance}."
        )
    client.authenticate()
    entries = [entry for entry in undo.methods if entry.applied is not False]
    rows: dict[str, Method] = {}
    if entries:
        read = client.table(
            METHOD_TABLE,
            query="sys_idIN" + ",".join(entry.sys_id for entry in entries),
            fields=METHOD_FIELDS,
            source="undo: HTTP methods",
        )
        rows = {str(row.get("sys_id")): method_from(row) for row in read.rows}
    changes: list[Change] = []
    unchanged: list[Skip] = []
    for entry in undo.methods:
        method = rows.get(entry.sys_id) or Method(sys_id=entry.sys_id, name=entry.name)
        if entry.applied is False:
            unchanged.append(Skip(method=method, reason="the fix did not change it"))
        elif entry.sys_id not in rows:
            unchanged.append(Skip(method=method, reason="the record is gone, or hidden from this login"))
        elif method.mid.sys_id != entry.after.sys_id:
            unchanged.append(
                Skip(
                    method=method,
                    reason=f"it now holds {method.mid.label}, not what the fix wrote: left alone",
                )
            )
        elif method.sys_policy in PROTECTED:
            unchanged.append(
                Skip(method=method, reason=f"protected by policy ({PROTECTED[method.sys_policy]})")
            )
        else:
            changes.append(Change(method=method, before=method.mid, after=entry.before))
    return Plan(
        kind="undo",
        tool_version=__version__,
        instance=base_url,
        login=login_of(client, settings),
        planned_at=now(),
        rest_message=undo.rest_message,
        scope=settings.expect.app_scope,
        changes=changes,
        unchanged=unchanged,
        notes=[UNDO_NOTE] if changes else [],
        undo_file=str(path),
    )
