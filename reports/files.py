"""Which files in a report folder are ours: recognised by their content, never by their name alone.

Apart from the writer because an interrupted run uses it too (:mod:`snow_preflight.interrupts`), at a
moment when the result model (pydantic) and the renderers may be half imported: this module needs neither.
"""

from __future__ import annotations

from pathlib import Path

from snow_preflight.reports import FORMATS

#: Bundles of earlier runs (see snow_preflight.bundle); recognised by their manifest.
BUNDLE_GLOB = "snow-preflight-bundle*.zip"


def is_own(path: Path, marker: str) -> bool:
    """True when *path* is a regular file that snow-preflight wrote (it holds the format's marker)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False
    return path.is_file() and marker.encode() in head


def remove_own_reports(directory: Path) -> list[Path]:
    """Remove the reports and bundles an earlier run wrote into *directory*; leave every other file.

    Used when a run is interrupted: nothing of an earlier run may stay there looking current.
    """
    removed = []
    for fmt in FORMATS:
        path = directory / fmt.filename
        if is_own(path, fmt.marker):
            path.unlink()
            removed.append(path)
    return removed + remove_own_bundles(directory)


def remove_own_bundles(directory: Path) -> list[Path]:
    import zipfile

    removed = []
    for path in sorted(directory.glob(BUNDLE_GLOB)) if directory.is_dir() else []:
        try:
            with zipfile.ZipFile(path) as archive:
                ours = "manifest.json" in archive.namelist() and b'"snapshot_version"' in archive.read(
                    "manifest.json"
                )
        except (OSError, zipfile.BadZipFile):
            ours = False
        if ours:
            path.unlink()
            removed.append(path)
    return removed
