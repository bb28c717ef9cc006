"""What fix mode writes down: the plan, the undo file, the result; and how each file is named and written.

* ``fix-plan.json`` (report folder): per HTTP method, its current MID Server and the target, and the ones
  already right; with each record's ``sys_mod_count``/``sys_updated_on`` as planned, so ``--apply`` can
  refuse a record that changed since.
* ``fix-undo-<instance>-<UTC time>.json``: written *before* the first write; instance, login, time, and per
  method the value before and the value the fix wrote, and (once known) whether it was written.
* ``fix-result.json``: what ``--apply`` (or ``--undo FILE --apply``) changed, what not and why, where the
  change was captured, and the exchange log of the session, writes included.

Every file holds only redacted text: user names, sys_ids, names, times; never a credential.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError

from snow_preflight.errors import FixRefusedError
from snow_preflight.servicenow.exchange import Exchange

PLAN_FILE = "fix-plan.json"
RESULT_FILE = "fix-result.json"
FORMAT = 1


class Ref(BaseModel):
    """A reference field's value: the sys_id stored, and the name it shows (both empty when empty)."""

    sys_id: str = ""
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.sys_id or "(empty)"


class Target(Ref):
    """The MID Server the methods should use, as it was when planned."""

    status: str = ""
    validated: str = ""
    last_refreshed: str = ""


class Method(BaseModel):
    """One HTTP method of the REST message, as read when planning."""

    sys_id: str
    name: str
    http_method: str = ""
    mid: Ref = Ref()
    sys_mod_count: str = ""
    sys_updated_on: str = ""
    sys_updated_by: str = ""
    sys_policy: str = ""


class Change(BaseModel):
    """Set ``use_mid_server`` of *method* from *before* to *after*."""

    method: Method
    before: Ref
    after: Ref


class Skip(BaseModel):
    """A method the plan leaves alone, and why."""

    method: Method
    reason: str


class Plan(BaseModel):
    kind: Literal["fix", "undo"] = "fix"
    format: int = FORMAT
    tool_version: str
    instance: str
    login: str
    planned_at: datetime
    rest_message: str
    rest_message_sys_id: str = ""
    scope: str = ""
    target: Target | None = None
    changes: list[Change] = Field(default_factory=list)
    unchanged: list[Skip] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    undo_file: str | None = None  # the undo file an undo plan restores from


class UndoEntry(BaseModel):
    sys_id: str
    name: str
    before: Ref
    after: Ref
    applied: bool | None = None  # None: not known yet (the file is written before the first write)


class UndoFile(BaseModel):
    kind: Literal["snow-preflight fix undo"] = "snow-preflight fix undo"
    format: int = FORMAT
    tool_version: str
    instance: str
    login: str
    written_at: datetime
    rest_message: str
    table: str = "sys_rest_message_fn"
    field: str = "use_mid_server"
    methods: list[UndoEntry]


class Outcome(BaseModel):
    """One method after apply: changed, or not and why."""

    sys_id: str
    name: str
    before: Ref
    after: Ref
    changed: bool
    reason: str = ""


class Result(BaseModel):
    kind: Literal["fix", "undo"]
    format: int = FORMAT
    tool_version: str
    instance: str
    login: str
    started_at: datetime
    finished_at: datetime
    outcomes: list[Outcome]
    stopped: str | None = None  # why the writes stopped before the end (a 403, the instance unreachable)
    captured: list[str] = Field(default_factory=list)
    undo_file: str | None = None
    exchanges: list[Exchange] = Field(default_factory=list)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def undo_path(directory: Path, instance: str, moment: datetime) -> Path:
    """``fix-undo-<instance host>-<UTC time>.json`` in *directory*, never an existing file's name."""
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", urlsplit(instance).netloc or instance).strip("-")
    stem = f"fix-undo-{host}-{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    path, counter = directory / f"{stem}.json", 1
    while path.exists():
        counter += 1
        path = directory / f"{stem}-{counter}.json"
    return path


def write_json(path: Path, model: BaseModel, redact: Callable[[str], str] = str) -> Path:
    """Write *model* as indented JSON through *redact*, atomically (a temporary file, then replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(redact(model.model_dump_json(indent=2)) + "\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def read_plan(path: Path) -> Plan | None:
    """The fix plan saved at *path*, or None when there is none (or it is not one this version reads)."""
    try:
        plan = Plan.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None
    return plan if plan.kind == "fix" and plan.format == FORMAT else None


def read_undo(path: Path) -> UndoFile:
    """The undo file at *path*; FixRefusedError saying why when it cannot be used."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FixRefusedError(
            f"--undo {path} does not exist: give an undo file that fix --apply wrote."
        ) from None
    except OSError as exc:
        raise FixRefusedError(f"--undo {path} cannot be read ({exc.strerror or exc}).") from None
    try:
        undo = UndoFile.model_validate_json(data)
    except ValidationError:
        raise FixRefusedError(
            f"--undo {path} is not an undo file of snow-preflight fix (fix-undo-*.json in the report folder)."
        ) from None
    if undo.format > FORMAT:
        raise FixRefusedError(f"--undo {path} was written by a newer snow-preflight: upgrade to use it.")
    return undo


def remove_plan(directory: Path) -> bool:
    """Remove a fix-plan.json of ours from *directory*, so no old plan looks current; True if one went."""
    path = directory / PLAN_FILE
    if read_plan(path) is None:
        return False
    with contextlib.suppress(OSError):
        path.unlink()
        return True
    return False
