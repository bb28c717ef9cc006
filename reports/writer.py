"""Writing the three report files: redacted, atomically, and only those three names.

All three texts are rendered before any file is touched, so a rendering bug cannot leave a mix of old and
new reports. Each file is written to a temporary file in the same directory and then ``os.replace``\\ d
over its name, so a reader (or an interrupted run) never sees half a file. Nothing else in the directory
is read, deleted or overwritten.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from snow_preflight.redaction import Redactor
from snow_preflight.reports.html import render_html
from snow_preflight.reports.json_report import render_json
from snow_preflight.reports.junit import render_junit
from snow_preflight.reports.model import RunReport
from snow_preflight.reports.text import map_strings

#: The only names this module ever writes, by report kind.
FILENAMES: dict[str, str] = {"json": "report.json", "html": "report.html", "junit": "junit.xml"}

# Readable by the CI agent or mail tool that picks the reports up; they hold no secret (redacted).
_MODE = 0o644


def redacted(run: RunReport, redactor: Redactor) -> RunReport:
    """*run* with known secrets replaced in every string, before any renderer escapes them.

    Redacting the model as well as the rendered text catches a secret that HTML, XML or JSON escaping
    would otherwise disguise (``p&ss`` written as ``p&amp;ss``). When a secret happens to equal part of a
    structural value (a date, an outcome), the model would no longer validate; then the rendered texts'
    own redaction still stands.
    """
    try:
        return map_strings(run, redactor.text)
    except ValidationError:
        return run


def render_all(run: RunReport, redactor: Redactor) -> dict[str, str]:
    """The three report texts, redacted, keyed like :data:`FILENAMES`."""
    clean = redacted(run, redactor)
    texts = {"json": render_json(clean), "html": render_html(clean), "junit": render_junit(clean)}
    return {kind: redactor.text(text) for kind, text in texts.items()}


def write_reports(run: RunReport, directory: Path, redactor: Redactor) -> dict[str, Path]:
    """Write report.json, report.html and junit.xml into *directory*; return their paths by kind."""
    texts = render_all(run, redactor)
    directory.mkdir(parents=True, exist_ok=True)
    return {kind: _replace(directory / FILENAMES[kind], text) for kind, text in texts.items()}


def _replace(path: Path, text: str) -> Path:
    """Write *text* to a temporary file beside *path*, then move it over *path* in one step."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return path
