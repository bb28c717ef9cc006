"""Applying a plan (a fix or an undo): re-read each record, refuse it if it changed, write one field.

The Table API has no ETag or If-Match (servicenow-facts.md §8), so, as ``terraform apply`` refuses a stale
plan, each record is read again just before its write and refused when its ``sys_mod_count`` or
``sys_updated_on`` moved since the plan; the other records are still applied. The write is a PATCH of
``use_mid_server`` alone. A 403 stops the writes: the result then says which methods were changed, which
not, and why. A fix writes its undo file before its first write, and marks in it what was written.

Afterwards the customer updates are read back (``sys_update_xml``, usually admin-only) to say which update
set captured each change; when they cannot be read, the result says it could not be verified.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from snow_preflight import __version__
from snow_preflight.errors import AccessDeniedError, InstanceError, WriteRefusedError
from snow_preflight.fix.client import METHOD_TABLE, WritingClient
from snow_preflight.fix.model import (
    Change,
    Outcome,
    Plan,
    Result,
    UndoEntry,
    UndoFile,
    now,
    undo_path,
    write_json,
)
from snow_preflight.fix.plan import METHOD_FIELDS, method_from

Say = Callable[[str], None]
_WRITTEN = ("sys_id", "use_mid_server", "sys_mod_count", "sys_updated_on")


def write_undo(
    directory: Path,
    plan: Plan,
    redact: Callable[[str], str],
    applied: dict[str, bool] | None = None,
    path: Path | None = None,
) -> Path:
    """The undo file of *plan*: before and after of every planned change, and what was written so far."""
    applied = applied or {}
    undo = UndoFile(
        tool_version=__version__,
        instance=plan.instance,
        login=plan.login,
        written_at=now(),
        rest_message=plan.rest_message,
        methods=[
            UndoEntry(
                sys_id=c.method.sys_id,
                name=c.method.name,
                before=c.before,
                after=c.after,
                applied=applied.get(c.method.sys_id),
            )
            for c in plan.changes
        ],
    )
    return write_json(path or undo_path(directory, plan.instance, undo.written_at), undo, redact)


def stale(client: WritingClient, change: Change) -> str | None:
    """Why *change* may no longer be made (the record changed or went since the plan), or None."""
    planned = change.method
    try:
        row = client.record(
            METHOD_TABLE, planned.sys_id, fields=METHOD_FIELDS, source="fix: re-read before write"
        )
    except InstanceError as exc:
        if exc.status == 404:
            return "the record is gone, or hidden from this login, since the plan"
        raise
    now_ = method_from(row)
    if (now_.sys_mod_count, now_.sys_updated_on) != (planned.sys_mod_count, planned.sys_updated_on):
        who = f" by {now_.sys_updated_by}" if now_.sys_updated_by else ""
        return (
            f"changed since the plan (sys_mod_count {planned.sys_mod_count} -> {now_.sys_mod_count}, updated "
            f"{now_.sys_updated_on}{who}): review it and plan again"
        )
    return None


def _refused(exc: WriteRefusedError, login: str) -> str:
    said = f" {exc.said.strip()}" if exc.said else ""
    if exc.status == 403:
        return (
            f"the instance denied the write with 403{said}: the login {login} may not write {METHOD_TABLE}; "
            "give it web_service_admin, or fix as a login that may (the write ACLs of the table decide)"
        )
    return f"the instance refused the write with {exc.status}{said}"


def _write(client: WritingClient, change: Change) -> dict[str, Any]:
    return client.set_mid_server(change.method.sys_id, change.after.sys_id, fields=_WRITTEN)


def apply_plan(client: WritingClient, plan: Plan, directory: Path, say: Say) -> Result:
    """Make *plan*'s changes, one record at a time; the :class:`Result` says what happened to each."""
    started = now()
    undo: Path | None = None
    if plan.kind == "fix":
        undo = write_undo(
            directory, plan, client.redactor.text
        )  # before the first write: whatever happens next can be undone
        say(f"Undo file (written before any change): {undo}")
    outcomes: list[Outcome] = []
    applied: dict[str, bool] = {}
    stopped: str | None = None
    try:
        for change in plan.changes:
            name, sys_id = change.method.name, change.method.sys_id
            reason = (
                f"not attempted: the writes stopped at an earlier method ({stopped})" if stopped else None
            )
            if reason is None:
                try:
                    reason = stale(client, change)
                    if reason is None:
                        row = _write(client, change)
                        written = str(row.get("use_mid_server", ""))
                        if written != change.after.sys_id:
                            reason = f"the instance answered 200 but the record holds {written or '(empty)'}"
                except WriteRefusedError as exc:
                    if exc.status == 404:
                        reason = "the record is gone, or hidden from this login, since the plan"
                    else:
                        stopped = reason = _refused(exc, plan.login)
                except InstanceError as exc:
                    stopped = reason = str(exc)
            changed = reason is None
            applied[sys_id] = changed
            outcomes.append(
                Outcome(
                    sys_id=sys_id,
                    name=name,
                    before=change.before,
                    after=change.after,
                    changed=changed,
                    reason=reason or "",
                )
            )
            verb = "done" if changed else f"NOT changed: {reason}"
            say(
                f"  PATCH {METHOD_TABLE}/{sys_id} ({name}) use_mid_server: {change.before.label} -> {change.after.label}: {verb}"
            )
    finally:
        if undo is not None:
            if any(applied.values()):
                write_undo(directory, plan, client.redactor.text, applied, undo)
            else:  # nothing was changed, so there is nothing to undo
                with contextlib.suppress(OSError):
                    undo.unlink()
                undo = None
    changed_ids = [o for o in outcomes if o.changed]
    return Result(
        kind=plan.kind,
        tool_version=__version__,
        instance=plan.instance,
        login=plan.login,
        started_at=started,
        finished_at=now(),
        outcomes=outcomes,
        stopped=stopped,
        captured=where_captured(client, changed_ids) if changed_ids else [],
        undo_file=str(undo) if undo else None,
    )


def where_captured(client: WritingClient, changed: list[Outcome]) -> list[str]:
    """Which update set captured each change, read from sys_update_xml; or why that could not be verified."""
    names = {f"{METHOD_TABLE}_{o.sys_id}": o.name for o in changed}
    try:
        read = client.table(
            "sys_update_xml",
            query=f"nameIN{','.join(names)}^ORDERBYDESCsys_updated_on",
            fields=("name", "update_set.name", "update_set.state", "application.scope"),
            source="fix: where the change was captured",
        )
    except AccessDeniedError:
        return [
            "Where the changes were captured could not be verified: this login may not read sys_update_xml "
            "(customer updates, usually admin-only); an admin finds them under System Update Sets > Customer "
            f"Updates, named {METHOD_TABLE}_<sys_id>."
        ]
    except InstanceError as exc:
        return [f"Where the changes were captured could not be verified: {exc}"]
    lines = []
    for update_name, method in names.items():
        row = next((r for r in read.rows if r.get("name") == update_name), None)
        if row is None:
            hidden = " (some are hidden from this login)" if read.hidden else ""
            lines.append(
                f"{method}: no customer update found{hidden}, so where it was captured could not be verified."
            )
            continue
        lines.append(
            f"{method}: captured in update set {row.get('update_set.name') or '(none)'!r} "
            f"({row.get('update_set.state') or 'state unknown'}) of application "
            f"{row.get('application.scope') or '(unknown)'}."
        )
    return lines
