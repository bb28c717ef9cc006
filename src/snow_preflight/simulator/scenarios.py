"""Scenario files: deterministic instance states in ``scenarios/*.json``.

A file holds ``description`` (one line), optional ``extends`` (another scenario it patches),
``login``, ``users`` (user name → password), ``oauth_clients``, ``tokens`` and ``api_keys``
(→ user name), ``settings``, ``acl`` (see :mod:`acl`), ``faults`` (see :mod:`faults`), seed
``tables``, and the patch operations ``delete`` / ``update`` / ``insert`` applied in that order
on top of the parent. ``generate`` builds bulk rows in code (see :mod:`generate`). ``touch`` lists
records someone else edits while the pre-flight works: ``{"table", "row": <_id>, "after_reads": N,
"set": {field: value}, "by": user}`` (see :class:`Touch`, played by :mod:`writes`).

Row conventions: ``_id`` is the row's key inside the scenario; its sys_id is derived from
``<class table>:<_id>`` unless ``sys_id`` is given. ``"@<table>:<_id>"`` is a reference to such a
row (the key is searched in the table and the tables extending it). ``"@now"``, ``"@now-2m"``,
``"@now+1h"`` (s/m/h/d) become UTC times when the scenario loads, so freshness holds.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from snow_preflight.simulator import schema
from snow_preflight.simulator.acl import AclRules
from snow_preflight.simulator.errors import SimulatorError
from snow_preflight.simulator.faults import Fault
from snow_preflight.simulator.generate import generate
from snow_preflight.simulator.store import Row

SCENARIO_DIR = Path(__file__).with_name("scenarios")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
SEED_TIME = "2024-03-04 09:15:00"  # fixed creation stamp: same scenario, same bytes
_RELATIVE = re.compile(r"^@now(?:([+-])(\d+)([smhd]))?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def sys_id_for(table: str, key: str) -> str:
    """A stable 32-hex sys_id for a scenario key (sha256, not a secret: just deterministic)."""
    return hashlib.sha256(f"{table}:{key}".encode()).hexdigest()[:32]


class UnknownScenarioError(SimulatorError, LookupError):
    """No built-in scenario (or scenario file) has that name; the message lists the known ones."""


@dataclass
class Touch:
    """Someone else saves a record after it was served *after_reads* times (once)."""

    table: str
    sys_id: str
    values: dict[str, str]
    after_reads: int = 1
    by: str = "jane.doe"
    reads: int = field(default=0, compare=False)
    done: bool = field(default=False, compare=False)


@dataclass
class Scenario:
    name: str
    description: str
    login: str
    users: dict[str, str]
    oauth_clients: list[dict[str, str]]
    tokens: dict[str, str]
    api_keys: dict[str, str]
    settings: dict[str, Any]
    acl: dict[str, AclRules]
    faults: list[Fault]
    tables: dict[str, list[Row]] = field(default_factory=dict)
    touches: list[Touch] = field(default_factory=list)


def _path_for(name: str) -> Path:
    candidate = Path(name)
    if candidate.suffix == ".json" and candidate.is_file():
        return candidate
    path = SCENARIO_DIR / f"{name}.json"
    if not path.is_file():
        known = ", ".join(n for n, _ in list_scenarios())
        raise UnknownScenarioError(f"unknown scenario {name!r}; known: {known}")
    return path


def list_scenarios() -> list[tuple[str, str]]:
    """Every built-in scenario as (name, description), sorted by name."""
    out = []
    for path in sorted(SCENARIO_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.append((path.stem, str(data.get("description", ""))))
    return out


def _raw(name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """The scenario's JSON with its ``extends`` chain folded in (patches not yet applied)."""
    if name in seen:
        raise ValueError(f"scenario extends loop: {' -> '.join((*seen, name))}")
    data: dict[str, Any] = json.loads(_path_for(name).read_text(encoding="utf-8"))
    parent_name = data.get("extends")
    if not parent_name:
        data["_patches"] = [data]
        return data
    parent = _raw(parent_name, (*seen, name))
    merged: dict[str, Any] = dict(parent)
    for key in ("users", "tokens", "api_keys", "settings", "acl"):
        merged[key] = {**parent.get(key, {}), **data.get(key, {})}
    for key in ("description", "login", "oauth_clients", "generate"):
        if key in data:
            merged[key] = data[key]
    merged["faults"] = [*parent.get("faults", []), *data.get("faults", [])]
    merged["touch"] = [*parent.get("touch", []), *data.get("touch", [])]
    merged["_patches"] = [*parent["_patches"], data]
    return merged


def _apply_patches(patches: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for patch in patches:
        for table, rows in patch.get("tables", {}).items():
            tables.setdefault(table, []).extend(dict(r) for r in rows)
        for table, keys in patch.get("delete", {}).items():
            gone = set(keys)
            missing = gone - {r.get("_id") for r in tables.get(table, [])}
            if missing:
                raise ValueError(f"delete of unknown {table} rows {sorted(missing)}")
            tables[table] = [r for r in tables.get(table, []) if r.get("_id") not in gone]
        for table, changes in patch.get("update", {}).items():
            by_key = {r.get("_id"): r for r in tables.get(table, [])}
            for key, values in changes.items():
                if key not in by_key:
                    raise ValueError(f"update of unknown {table} row {key!r}")
                by_key[key].update(values)
        for table, rows in patch.get("insert", {}).items():
            tables.setdefault(table, []).extend(dict(r) for r in rows)
    return tables


def _time(text: str, now: datetime) -> str:
    match = _RELATIVE.match(text)
    if match is None:
        raise ValueError(f"bad relative time {text!r}")
    sign, amount, unit = match.groups()
    moment = now
    if sign:
        delta = timedelta(**{_UNITS[unit]: int(amount)})
        moment = now - delta if sign == "-" else now + delta
    return moment.strftime(DATE_FORMAT)


def _resolve(tables: dict[str, list[dict[str, Any]]], now: datetime) -> dict[str, list[Row]]:
    keys: dict[tuple[str, str], str] = {}
    for table, rows in tables.items():
        if table not in schema.TABLES:
            raise ValueError(f"scenario seeds unknown table {table!r}")
        for index, row in enumerate(rows):
            key = str(row.get("_id") or f"{table}-{index}")
            row["_id"] = key
            keys[(table, key)] = str(row.get("sys_id") or sys_id_for(table, key))

    def reference(text: str) -> str:
        target, _, key = text[1:].partition(":")
        if target not in schema.TABLES:
            raise ValueError(f"reference {text!r} names an unknown table")
        for table in schema.descendants(target):
            if (table, key) in keys:
                return keys[(table, key)]
        raise ValueError(f"reference {text!r} points to no row")

    times: dict[str, str] = {}  # a big scenario repeats a handful of "@now-..." texts thousands of times

    def convert(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        text = str(value)
        if not text.startswith("@"):
            return text
        if text.startswith("@now"):
            if text not in times:
                times[text] = _time(text, now)
            return times[text]
        return reference(text) if ":" in text else text

    out: dict[str, list[Row]] = {}
    for table, rows in tables.items():
        fields = schema.ALL_FIELDS[table]
        known = {*fields, "_id"}
        resolved: list[Row] = []
        for row in rows:
            unknown = row.keys() - known
            if unknown:
                raise ValueError(f"{table} row {row['_id']!r} has unknown fields {sorted(unknown)}")
            record: Row = {}
            for name, kind in fields.items():
                record[name] = convert(row[name]) if name in row else ("false" if kind == "bool" else "")
            record["sys_id"] = keys[(table, row["_id"])]
            record["sys_class_name"] = table
            record["sys_created_on"] = record["sys_created_on"] or SEED_TIME
            record["sys_updated_on"] = record["sys_updated_on"] or record["sys_created_on"]
            record["sys_created_by"] = record["sys_created_by"] or "admin"
            record["sys_updated_by"] = record["sys_updated_by"] or "admin"
            record["sys_mod_count"] = record["sys_mod_count"] or "0"
            resolved.append(record)
        out[table] = resolved
    return out


def _touches(specs: list[dict[str, Any]], tables: dict[str, list[dict[str, Any]]]) -> list[Touch]:
    """The scenario's ``touch`` entries, each bound to the sys_id of the row it names."""
    out = []
    for spec in specs:
        table, key = spec["table"], spec["row"]
        raw = next((row for row in tables.get(table, []) if row.get("_id") == key), None)
        if raw is None:
            raise ValueError(f"touch of unknown {table} row {key!r}")
        values = {name: str(value) for name, value in spec.get("set", {}).items()}
        unknown = values.keys() - schema.ALL_FIELDS[table].keys()
        if unknown:
            raise ValueError(f"touch of {table} row {key!r} sets unknown fields {sorted(unknown)}")
        sys_id = str(raw.get("sys_id") or sys_id_for(table, key))
        out.append(
            Touch(table, sys_id, values, int(spec.get("after_reads", 1)), str(spec.get("by", "jane.doe")))
        )
    return out


def load_scenario(name: str) -> Scenario:
    """Load a built-in scenario by name (or a ``.json`` file by path), times resolved to now."""
    data = _raw(name)
    tables = _apply_patches(data["_patches"])
    if data.get("generate"):
        for table, rows in generate(data["generate"], tables).items():
            tables.setdefault(table, []).extend(rows)
    now = datetime.now(UTC).replace(microsecond=0)
    return Scenario(
        name=Path(name).stem,
        description=str(data.get("description", "")),
        login=str(data.get("login", "svc_preflight")),
        users=dict(data.get("users", {})),
        oauth_clients=list(data.get("oauth_clients", [])),
        tokens=dict(data.get("tokens", {})),
        api_keys=dict(data.get("api_keys", {})),
        settings=dict(data.get("settings", {})),
        acl={user: AclRules.from_json(rules) for user, rules in data.get("acl", {}).items()},
        faults=[Fault.from_json(f) for f in data.get("faults", [])],
        tables=_resolve(tables, now),
        touches=_touches(data.get("touch", []), tables),
    )
