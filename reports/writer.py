"""Writing the three report files: redacted, atomically, and only those three names.

All three texts are rendered before any file is touched, so a rendering bug cannot leave a mix of old and
new reports. Each file is written to a temporary file in the same directory and then ``os.replace``\\ d
over its name, so a reader (or an interrupted run) never sees half a file. A write that fails or is
interrupted part-way removes the tool's own reports, so no mix of new and old files looks current. Our own
files are recognised by their content (each format's marker), never by name alone: nothing else in the
directory is read, deleted or overwritten.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from snow_preflight.redaction import Redactor
from snow_preflight.reports import FORMATS
from snow_preflight.reports.files import BUNDLE_GLOB, is_own, remove_own_bundles, remove_own_reports
from snow_preflight.reports.model import RunReport
from snow_preflight.reports.text import map_strings

#: The only names this module ever writes, by report kind.
FILENAMES: dict[str, str] = {fmt.kind: fmt.filename for fmt in FORMATS}

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


def redact_model(run: RunReport, redactor: Redactor) -> RunReport:
    """*run* with every known secret replaced, string by string, as one new model (``Run.result_model``).

    A secret can equal part of a structural value (a password ``2026`` inside a date, ``high`` as the gate):
    replaced, that value would no longer be a date or a severity, and the model would not validate. Such a
    value keeps what it was, and only it: it says nothing about the secret but that it is that common, and
    the rendered texts are still swept for the secret itself (:func:`render_all`).
    """
    original = run.model_dump(mode="json")
    clean = redactor.data(original)
    try:
        return RunReport.model_validate(clean)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            _restore(clean, original, error["loc"])
    return RunReport.model_validate(clean)


def _restore(clean: Any, original: Any, loc: tuple[int | str, ...]) -> None:
    """Put back *original*'s string at *loc* in *clean*: a leaf only, never a table that may hold secrets.

    pydantic's *loc* may end in parts that are not keys (the member of a union it tried): the walk stops
    at the first part that is not there, and restores what it reached only if that is a string.
    """
    parent, key = None, None
    target, source = clean, original
    for part in loc:
        try:
            next_target, next_source = target[part], source[part]
        except (KeyError, IndexError, TypeError):
            break
        parent, key = target, part
        target, source = next_target, next_source
    if parent is not None and isinstance(target, str) and isinstance(source, str):
        parent[key] = source


def render_all(run: RunReport, redactor: Redactor, *, clean: bool = False) -> dict[str, str]:
    """The three report texts, redacted, keyed like :data:`FILENAMES`.

    *clean* says that *redactor* has redacted *run* already, string by string, as a run's result model is
    (``Run.result_model``): searching each string again, and then each whole text, would find nothing more
    and cost more than rendering. The texts are still swept for the known secret values themselves.
    """
    if clean:
        return {fmt.kind: redactor.sweep(fmt.render(run)) for fmt in FORMATS}
    model = redacted(run, redactor)
    return {fmt.kind: redactor.text(fmt.render(model)) for fmt in FORMATS}


def write_reports(
    run: RunReport, directory: Path, redactor: Redactor, *, clean: bool = False
) -> dict[str, Path]:
    """Write report.json, report.html and junit.xml into *directory*; return their paths by kind.

    A support bundle of an earlier run is removed first: beside new reports it would look current. When a
    write fails, every report of ours in *directory* is removed before the error propagates. *clean*: see
    :func:`render_all`.
    """
    texts = render_all(run, redactor, clean=clean)
    directory.mkdir(parents=True, exist_ok=True)
    remove_own_bundles(directory)
    try:
        return {kind: _replace(directory / FILENAMES[kind], text) for kind, text in texts.items()}
    except BaseException:
        # A partial set would look current (a report.json saying GO beside an old or missing junit.xml):
        # leave none of ours, new or old. Interrupted (Ctrl-C) mid-write, the same holds.
        remove_own_reports(directory)
        raise


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


__all__ = [
    "BUNDLE_GLOB",
    "FILENAMES",
    "is_own",
    "redact_model",
    "remove_own_reports",
    "render_all",
    "write_reports",
]
