"""A fleet's support bundle: the fleet's reports, and one complete single-instance bundle per instance.

``instances/<name>.zip`` is exactly the bundle that instance would have alone (its redacted snapshot,
exchanges, expectations, reports), so a support engineer can take one out and replay it on its own;
``snow-preflight replay`` of the whole bundle re-judges every instance and writes the same fleet report.
``manifest.json`` lists the instances under ``fleet`` (which is how a fleet bundle is told from another).
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from snow_preflight import __version__
from snow_preflight.bundle import (
    _dump,
    _redaction_report,
    bundle_files,
    bundle_name,
    read_bundle,
    write_zip,
    zip_bytes,
)
from snow_preflight.errors import BundleError
from snow_preflight.fleet.members import Member
from snow_preflight.redaction import Redactor
from snow_preflight.reports import FORMATS
from snow_preflight.reports.model import RunReport
from snow_preflight.settings import Settings
from snow_preflight.snapshot import SNAPSHOT_VERSION, Snapshot


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip(".-") or "instance"


def _readme(report: RunReport, bundle: str, ticket: str | None) -> str:
    run = report.run
    lines = [
        "snow-preflight support bundle of a fleet",
        "",
        f"Run:       {run.started_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, snow-preflight {run.tool_version}",
        f"Verdict:   {run.verdict.value.upper()} at gate {run.gate.value} (no-go when any instance is)",
        f"Ticket:    {ticket or '(none; the next run can record one with --ticket ID)'}",
        "",
        "Instances (each a complete bundle of its own under instances/):",
        *(
            f"  {member.name}: {member.run.instance}, {member.run.verdict.value.upper()} "
            f"-> instances/{_file_name(member.name)}.zip"
            for member in report.instances
        ),
        "",
        "report.html, report.json and junit.xml are the fleet's reports; redaction.json counts the secrets",
        "replaced by [REDACTED] in this bundle, by kind, never their values.",
        "",
        "Replay it offline, with no network, to re-judge every instance with the installed checklist:",
        f"  snow-preflight replay {bundle}",
        "",
    ]
    return "\n".join(lines)


def write_fleet_bundle(
    report: RunReport,
    members: Sequence[tuple[Member, Snapshot, Redactor]],
    redactor: Redactor,
    settings: Settings,
) -> Path:
    """Write the fleet's bundle into the report folder (atomically) and return its path."""
    names = "-".join(_file_name(member.name) for member, _, _ in members)
    target = settings.report_dir / bundle_name(f"https://fleet-{names}"[:120], report.run.started_at)
    by_name = {member.name: member for member in report.instances}
    files: dict[str, str | bytes] = {
        "README.txt": redactor.text(_readme(report, target.name, settings.ticket))
    }
    files |= {fmt.filename: redactor.text(fmt.render(report)) for fmt in FORMATS}
    for member, snapshot, own in members:
        inner = f"instances/{_file_name(member.name)}.zip"
        files[inner] = zip_bytes(bundle_files(by_name[member.name], snapshot, member.settings, own, inner))
    files["redaction.json"] = _redaction_report(redactor)
    manifest = {
        "format": 2,
        "snapshot_version": SNAPSHOT_VERSION,
        "tool_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        # A list, so the instances keep their order (the manifest's keys are sorted).
        "fleet": [{"name": m.name, "bundle": f"instances/{_file_name(m.name)}.zip"} for m, _, _ in members],
        "ticket": settings.ticket,
        "files": {
            name: hashlib.sha256(content if isinstance(content, bytes) else content.encode()).hexdigest()
            for name, content in sorted(files.items())
        },
    }
    return write_zip(
        target, {"README.txt": files.pop("README.txt"), "manifest.json": _dump(manifest), **files}
    )


def fleet_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of the fleet bundle *path*; None when it is no fleet bundle (or no bundle at all)."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("fleet"), list) else None


def read_fleet_bundle(path: Path, changes: Mapping[str, Any]) -> tuple[list[Member], dict[str, Snapshot]]:
    """Every instance of the fleet bundle *path*: its settings (with *changes*) and its snapshot."""
    manifest = fleet_manifest(path)
    if manifest is None:
        raise BundleError(f"{path} is not a fleet bundle of snow-preflight")
    members, snapshots = [], {}
    with tempfile.TemporaryDirectory(prefix="snow-preflight-fleet-") as tmp, zipfile.ZipFile(path) as archive:
        for entry in manifest["fleet"]:
            name, inner = str(entry.get("name")), str(entry.get("bundle"))
            copy = Path(tmp) / Path(inner).name
            try:
                copy.write_bytes(archive.read(inner))
            except KeyError:
                raise BundleError(
                    f"{path} lacks {inner}, the bundle of instance {name}: it is incomplete"
                ) from None
            settings, snapshot = read_bundle(copy)
            members.append(Member(name, settings.replace(**changes)))
            snapshots[name] = snapshot
    return members, snapshots
