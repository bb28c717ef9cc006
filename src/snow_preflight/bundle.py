"""The support bundle: one zip a support engineer can re-analyse offline.

Contents: the three reports, the redacted snapshot (the checks' only input, so it replays), the redacted
exchange log, the expectations the run judged against (never a credential), and the environment. A
``manifest.json`` names the bundle format; :func:`read_bundle` replays any format it knows and says
clearly why not otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from snow_preflight import __version__
from snow_preflight.errors import BundleError
from snow_preflight.redaction import Redactor
from snow_preflight.reports import FORMATS
from snow_preflight.reports.model import RunReport
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.settings import Expectations, Settings
from snow_preflight.snapshot import SNAPSHOT_VERSION, Snapshot

BUNDLE_FORMAT = 1
BUNDLE_NAME = "snow-preflight-bundle.zip"
# A fixed date inside the zip keeps the bundle's bytes a function of its contents.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def bundle_files(
    report: RunReport, snapshot: Snapshot, settings: Settings, redactor: Redactor
) -> dict[str, str]:
    """Name → text of every file in the bundle, all redacted."""
    clean = snapshot.redacted(redactor)
    files = {
        **{fmt.filename: fmt.render(report) for fmt in FORMATS},
        "snapshot.json": clean.model_dump_json(indent=2),
        "exchanges.json": _dump([e.model_dump(mode="json") for e in clean.exchanges]),
        "settings.json": _dump(
            {"expect": settings.expect.model_dump(mode="json"), "fail_on": settings.fail_on.value}
        ),
        "environment.json": _dump(
            {
                "tool_version": __version__,
                "python": platform.python_version(),
                "platform": platform.platform(terse=True),
            }
        ),
    }
    files = {name: redactor.text(text) for name, text in files.items()}
    manifest = {
        "format": BUNDLE_FORMAT,
        "snapshot_version": SNAPSHOT_VERSION,
        "tool_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {name: hashlib.sha256(text.encode()).hexdigest() for name, text in sorted(files.items())},
    }
    return {"manifest.json": _dump(manifest), **files}


def write_bundle(report: RunReport, snapshot: Snapshot, settings: Settings, redactor: Redactor) -> Path:
    """Write the bundle into the report directory (atomically) and return its path."""
    directory = settings.report_dir
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / BUNDLE_NAME
    files = bundle_files(report, snapshot, settings, redactor)
    fd, tmp = tempfile.mkstemp(prefix=".bundle-", suffix=".zip", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in files.items():
                archive.writestr(zipfile.ZipInfo(name, _ZIP_DATE), text.encode())
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
            expect=Expectations.model_validate(stored.get("expect", {})),
            fail_on=stored.get("fail_on", "high"),
        )
    except ValidationError as exc:
        raise BundleError(
            f"{path} holds data this version cannot read ({exc.error_count()} problem(s))"
        ) from None
    return settings, snapshot
