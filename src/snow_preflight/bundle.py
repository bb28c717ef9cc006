"""The support bundle: one zip a support engineer can re-analyse offline, and that explains itself.

Contents: the three reports, the redacted snapshot (the checks' only input, so it replays), the redacted
exchange log, the expectations the run judged against (never a credential), the environment, a
``README.txt`` for the person who opens it, and ``redaction.json`` (which kinds of secret were replaced and
how often, never the values). Its name carries the instance's host and the run's UTC time, so bundles of
several instances or runs can sit side by side in one ticket. ``manifest.json`` names the bundle format;
:func:`read_bundle` replays every format it knows (format 1 had no README, no redaction report and a fixed
name) and says clearly why not otherwise.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import platform
import re
import tempfile
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from snow_preflight import __version__
from snow_preflight.errors import BundleError, ConfigError
from snow_preflight.redaction import KINDS, MASK, Redactor
from snow_preflight.reports import FORMATS
from snow_preflight.reports.model import RunReport
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.settings import Expectations, Settings
from snow_preflight.snapshot import SNAPSHOT_VERSION, Snapshot

BUNDLE_FORMAT = 2
#: The one name format 1 used; the glob reports/writer.py uses to find earlier bundles matches both.
FORMAT_1_NAME = "snow-preflight-bundle.zip"
# A fixed date inside the zip keeps the bundle's bytes a function of its contents.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)

#: What each file is for, in the order README.txt lists them.
CONTENTS = {
    "report.html": "the go/no-go page: what is wrong, how bad, how to fix it (open it in a browser)",
    "report.json": "the same results as data (its JSON Schema: snow-preflight schema)",
    "junit.xml": "the same results for a CI server",
    "snapshot.json": "everything read from the instance, redacted: the checks' only input",
    "exchanges.json": "every HTTP request the run made and how it ended (no header, no credential)",
    "settings.json": "the expectations judged against (app, REST message, roles, MID Server) and the gate",
    "environment.json": "the snow-preflight, Python and operating system versions",
    "redaction.json": "which kinds of secret were replaced by [REDACTED], and how many times",
    "manifest.json": "the bundle format, the ticket id, and a SHA-256 of every other file",
}


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _utc(when: datetime) -> datetime:
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def bundle_name(instance: str, when: datetime) -> str:
    """``snow-preflight-bundle-<host>-<YYYYmmddTHHMMSSZ>.zip`` for *instance* at *when* (made UTC)."""
    # Only characters that are safe in a file name on every system and in a shell word.
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", urlsplit(instance).hostname or "")[:100].strip(".-")
    return f"snow-preflight-bundle-{host or 'instance'}-{_utc(when):%Y%m%dT%H%M%SZ}.zip"


def _readme(report: RunReport, name: str, ticket: str | None) -> str:
    run = report.run
    counts = run.counts
    width = max(map(len, CONTENTS)) + 2
    lines = [
        "snow-preflight support bundle",
        "",
        f"Instance:  {run.instance} (read as {run.login})",
        f"Run:       {_utc(run.started_at):%Y-%m-%d %H:%M:%S} UTC, snow-preflight {run.tool_version}",
        f"Verdict:   {run.verdict.value.upper()} at gate {run.gate.value}: {counts.passed} passed, "
        f"{counts.failed} failed, {counts.error} could not be verified, {counts.skipped} skipped",
        f"Ticket:    {ticket or '(none; the next run can record one with --ticket ID)'}",
        "",
        "What is inside:",
        *(f"  {file:<{width}}{about}" for file, about in CONTENTS.items()),
        "",
        "Secrets: every secret this run knew (password, client secret, token, API key, the Basic",
        "user:password pair) and every value under a key that names a secret was replaced by",
        f"{MASK} before anything was written; redaction.json counts the replacements.",
        "",
        "Replay it offline, with no network, to re-judge it with the installed checklist:",
        f"  snow-preflight replay {name}",
        "",
    ]
    return "\n".join(lines)


def _redaction_report(redactor: Redactor) -> str:
    counts = redactor.counts
    replacements = {kind: counts.get(kind, 0) for kind in KINDS} | counts
    return _dump(
        {
            "about": f"How many times each kind of secret was replaced by {MASK} in this run's reports "
            "and in this bundle. The values themselves are never recorded.",
            "known_secrets": redactor.known,
            "replacements": replacements,
            "total": sum(replacements.values()),
        }
    )


def bundle_files(
    report: RunReport, snapshot: Snapshot, settings: Settings, redactor: Redactor, bundle: str
) -> dict[str, str]:
    """File name → text of every file in the bundle named *bundle*, all redacted, in the zip's order."""
    clean = snapshot.redacted(redactor)
    files = {
        **{fmt.filename: fmt.render(report) for fmt in FORMATS},
        "snapshot.json": clean.model_dump_json(indent=2),
        "exchanges.json": _dump([dataclasses.asdict(e) for e in clean.exchanges]),
        "settings.json": _dump(
            {"expect": dataclasses.asdict(settings.expect), "fail_on": settings.fail_on.value}
        ),
        "environment.json": _dump(
            {
                "tool_version": __version__,
                "python": platform.python_version(),
                "platform": platform.platform(terse=True),
            }
        ),
        "README.txt": _readme(report, bundle, settings.ticket),
    }
    files = {file: redactor.text(text) for file, text in files.items()}
    # Counted last, when every other file has been redacted.
    files["redaction.json"] = _redaction_report(redactor)
    manifest = {
        "format": BUNDLE_FORMAT,
        "snapshot_version": SNAPSHOT_VERSION,
        "tool_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "instance": report.run.instance,
        "ticket": settings.ticket,
        "files": {file: hashlib.sha256(text.encode()).hexdigest() for file, text in sorted(files.items())},
    }
    # README.txt first: it is what a person opening the zip should read first.
    return {"README.txt": files.pop("README.txt"), "manifest.json": redactor.text(_dump(manifest)), **files}


def write_bundle(report: RunReport, snapshot: Snapshot, settings: Settings, redactor: Redactor) -> Path:
    """Write the bundle into the report directory (atomically) and return its path."""
    target = settings.report_dir / bundle_name(report.run.instance, report.run.started_at)
    return write_zip(target, bundle_files(report, snapshot, settings, redactor, target.name))


def zip_bytes(files: Mapping[str, str | bytes]) -> bytes:
    """*files* (name → text or bytes) as a zip, in their order, with a fixed date inside."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            data = content if isinstance(content, bytes) else content.encode()
            archive.writestr(zipfile.ZipInfo(name, _ZIP_DATE), data)
    return buffer.getvalue()


def write_zip(target: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write *files* as the zip *target*, atomically: a reader never sees half a bundle."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".bundle-", suffix=".zip", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(zip_bytes(files))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_bundle(path: Path) -> tuple[Settings, Snapshot]:
    """The settings and snapshot in a bundle, ready to replay; :class:`BundleError` if it cannot be."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            missing = {"manifest.json", "snapshot.json", "settings.json"} - names
            if missing:
                raise BundleError(
                    f"{path} is not a snow-preflight bundle (missing {', '.join(sorted(missing))})"
                )
            manifest = json.loads(archive.read("manifest.json"))
            fmt = manifest.get("format")
            if not isinstance(fmt, int) or fmt > BUNDLE_FORMAT:
                raise BundleError(
                    f"{path} was written by snow-preflight {manifest.get('tool_version', '?')} in bundle format "
                    f"{fmt}; this version ({__version__}) reads formats up to {BUNDLE_FORMAT}: upgrade "
                    "snow-preflight to replay it"
                )
            snapshot_data = json.loads(archive.read("snapshot.json"))
            stored = json.loads(archive.read("settings.json"))
    except FileNotFoundError:
        raise BundleError(f"bundle {path} does not exist") from None
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise BundleError(f"{path} is not a readable bundle: {exc}") from None
    if snapshot_data.get("version", 0) > SNAPSHOT_VERSION:
        raise BundleError(
            f"{path} holds a snapshot of version {snapshot_data.get('version')}, newer than this snow-preflight "
            f"({__version__}) reads: upgrade snow-preflight to replay it"
        )
    try:
        snapshot = Snapshot.model_validate(snapshot_data)
        settings = Settings(
            connection=ConnectionSettings(base_url=snapshot.instance),
            expect=Expectations(**stored.get("expect", {})),
            fail_on=stored.get("fail_on", "high"),
        )
    except (ValidationError, ConfigError, TypeError) as exc:
        # TypeError: an expectation this version does not know (a newer bundle's), or no table at all.
        problem = f"{exc.error_count()} problem(s)" if isinstance(exc, ValidationError) else str(exc)
        raise BundleError(f"{path} holds data this version cannot read ({problem})") from None
    return settings, snapshot
