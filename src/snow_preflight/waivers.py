"""Waivers: findings a person accepted, for a time, so that they stop failing the gate.

A waivers file (``--waivers FILE``, ``SN_WAIVERS`` or ``waivers =`` in the config file) holds TOML
``[[waiver]]`` tables::

    [[waiver]]
    check = "mid_server_up[prod-mid-server]"   # a check id, a result id or a glob, matched as --only matches
    instance = "prod"                           # optional: a fleet name, a host or its first label (a glob)
    reason = "MID Server replaced in CHG0012345; the old one stays down until then"
    approved_by = "J. Smith"
    change = "CHG0012345"                       # optional
    expires = 2025-07-01                        # required: a TOML date, UTC

``check``, ``reason``, ``approved_by`` and ``expires`` are required: an exception nobody signed, or one that
never ends, is how a waiver outlives its reason. A waived result keeps its real outcome and never fails the
gate. From 00:00 UTC on its ``expires`` date a waiver no longer applies: the result is judged normally and
every report says "waiver expired on <date>", as Chef InSpec does (never pruned silently). A waiver that
waived nothing is listed in the report. A malformed file is a usage error naming its line.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from snow_preflight.errors import ConfigError
from snow_preflight.reports.model import CheckResult, RunReport, count, verdict
from snow_preflight.reports.waiver import AppliedWaiver, UnusedWaiver, Waiver
from snow_preflight.settings import id_glob

REQUIRED = ("check", "reason", "approved_by", "expires")
OPTIONAL = ("instance", "change")
_HEADER = re.compile(r"^\s*\[\[\s*waiver\s*\]\]\s*(#.*)?$")
_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)")


def today() -> date:
    """The date waivers are judged on: today in UTC, so a run in any time zone reads a file the same."""
    return datetime.now(UTC).date()


def load_waivers(path: Path) -> list[Waiver]:
    """The waivers in *path*; :class:`ConfigError` naming the file and line when it is malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"waivers file {path} does not exist; check the --waivers path") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ConfigError(f"waivers file {path} cannot be read: {reason}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.search(str(exc))
        where = f" line {found.group(1)}" if found else ""
        raise ConfigError(
            f"waivers file {path}{where}: {_AT_LINE.sub('', str(exc))} (not valid TOML); the README's Waivers "
            "shows a [[waiver]] table"
        ) from None
    for key in data:
        if key != "waiver":
            raise ConfigError(
                f"waivers file {path}: unknown key {key!r} at the top; write each waiver as a [[waiver]] table"
            )
    tables = data.get("waiver", [])
    lines = text.splitlines()
    starts = [number for number, line in enumerate(lines, 1) if _HEADER.match(line)]
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise ConfigError(
            f"waivers file {path}: `waiver` must be [[waiver]] tables, one per accepted finding"
        )
    if len(starts) != len(tables):  # written as an inline array: no line per table to name
        starts = [0] * len(tables)
    ends = [*starts[1:], len(lines) + 1]
    return [
        _waiver(path, table, starts[index], lines[starts[index] : ends[index] - 1] if starts[index] else [])
        for index, table in enumerate(tables)
    ]


def _waiver(path: Path, table: dict[str, Any], start: int, body: list[str]) -> Waiver:
    """One ``[[waiver]]`` table starting at line *start* (0: unknown) whose lines after the header are *body*."""

    def line_of(key: str) -> int:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        return next((start + 1 + i for i, line in enumerate(body) if pattern.match(line)), start)

    def fail(key: str | None, problem: str) -> ConfigError:
        line = line_of(key) if key else start
        return ConfigError(f"waivers file {path}{f' line {line}' if line else ''}: {problem}")

    for key in table:
        if key not in (*REQUIRED, *OPTIONAL):
            close = difflib.get_close_matches(key, [*REQUIRED, *OPTIONAL], n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else f"a waiver has {', '.join([*REQUIRED, *OPTIONAL])}"
            )
            raise fail(key, f"unknown key {key!r} in [[waiver]]; {hint}")
    missing = [key for key in REQUIRED if key not in table]
    if missing:
        raise fail(
            None,
            f"this [[waiver]] has no {', '.join(missing)}; every waiver names its check, reason, approved_by "
            "and expires (a date)",
        )
    values: dict[str, Any] = {"line": start or None}
    for key in (*REQUIRED, *OPTIONAL):
        if key not in table:
            continue
        value = table[key]
        if key == "expires":
            values[key] = _date(value, lambda problem: fail("expires", problem))
        elif not isinstance(value, str) or not value.strip():
            raise fail(key, f"{key} must be a non-empty string in quotes")
        else:
            values[key] = value.strip()
    return Waiver(**values)


def _date(value: object, fail: Any) -> date:
    """A TOML date (or an ISO date in quotes); a date with a time of day is refused: expiry is a whole day."""
    if isinstance(value, datetime):
        raise fail(
            f"expires = {value.isoformat()} has a time of day; write a date, e.g. expires = 2025-07-01"
        )
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(f"expires = {value!r} is not a date; write one such as expires = 2025-07-01 (UTC)")


# -- applying them -----------------------------------------------------------------------------------------


def names_of(instance: str, name: str | None = None) -> list[str]:
    """What a waiver's ``instance`` may say to mean this instance: its fleet name, host, first label, URL."""
    host = urlsplit(instance).hostname or instance
    return [n for n in dict.fromkeys([name or "", host, host.split(".")[0], instance]) if n]


def matches(waiver: Waiver, result: CheckResult, names: Sequence[str]) -> bool:
    """True when *waiver* names *result* (its check id or result id) on an instance called one of *names*."""
    pattern = id_glob(waiver.check)
    if not (pattern.fullmatch(result.check) or pattern.fullmatch(result.id)):
        return False
    return waiver.instance is None or any(id_glob(waiver.instance).fullmatch(n) for n in names)


def _applied(
    waivers: Iterable[Waiver], result: CheckResult, names: Sequence[str], on: date
) -> AppliedWaiver | None:
    """The waiver for a failed or error *result*: the first active one, else the latest to have expired."""
    found = [waiver for waiver in waivers if matches(waiver, result, names)]
    active = [waiver for waiver in found if on < waiver.expires]
    if active:
        return AppliedWaiver(**active[0].model_dump())
    if found:
        latest = max(found, key=lambda waiver: waiver.expires)
        return AppliedWaiver(**latest.model_dump(), expired=True)
    return None


def apply_waivers(
    results: Iterable[CheckResult], waivers: Sequence[Waiver], names: Sequence[str], on: date
) -> list[CheckResult]:
    """*results* with the waiver that matches each failed or error one; the others are left as they were."""
    out = []
    for result in results:
        waiver = _applied(waivers, result, names, on) if result.gating and waivers else None
        out.append(result.model_copy(update={"waiver": waiver}) if waiver else result)
    return out


def unused_waivers(
    waivers: Sequence[Waiver], runs: Sequence[tuple[Sequence[str], Sequence[CheckResult]]]
) -> list[UnusedWaiver]:
    """The waivers that waived nothing in *runs* (each: the names of an instance and its results)."""
    unused = []
    for waiver in waivers:
        hits = [r for names, results in runs for r in results if matches(waiver, r, names)]
        mine = waiver.model_dump()
        if any(r.waiver is not None and r.waiver.model_dump(exclude={"expired"}) == mine for r in hits):
            continue
        where = f" on instance {waiver.instance!r}" if waiver.instance else ""
        if hits:
            why = (
                f"matched {len(hits)} result(s){where}, none failed or could not be verified: the finding is "
                "gone, remove the waiver"
            )
        else:
            why = f"matches no result of this run{where}: check the check id (or --only, which left it out)"
        unused.append(UnusedWaiver(waiver=waiver, why=why))
    return unused


def waive(report: RunReport, waivers: Sequence[Waiver], source: str, name: str | None, on: date) -> RunReport:
    """*report* with *waivers* (read from *source*) applied: results, counts, verdict and unused waivers."""
    names = names_of(report.run.instance, name)
    results = apply_waivers(report.results, waivers, names, on)
    info = report.run.model_copy(
        update={"verdict": verdict(results, report.run.gate), "counts": count(results), "waivers": source}
    )
    unused = unused_waivers(waivers, [(names, results)])
    return report.model_copy(update={"run": info, "results": results, "unused_waivers": unused})


def settle(report: RunReport, waivers_file: Path | None, name: str | None = None) -> RunReport:
    """*report* with the waivers file applied (unchanged without one): what a run calls once it has judged."""
    if waivers_file is None:
        return report
    return waive(report, load_waivers(waivers_file), str(waivers_file), name, today())
