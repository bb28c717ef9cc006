"""``report.json``: the result model serialised, and read back with a check of its format version.

The support engineer's file: everything the run saw, so it can be re-analysed offline. It is the model's
own pydantic serialisation, indented, so the same model always gives the same bytes.
"""

from __future__ import annotations

import json

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from snow_preflight.errors import ReportFormatError
from snow_preflight.reports.model import SCHEMA_VERSION, RunReport
from snow_preflight.reports.text import map_strings, without_surrogates


def render_json(run: RunReport) -> str:
    """*run* as indented JSON, ending in a newline."""
    try:
        text = run.model_dump_json(indent=2)
    except PydanticSerializationError:
        # A lone surrogate (from a "\ud800" escape in an instance's JSON) cannot be written as UTF-8;
        # show it as escape text instead, as the other reports do, and keep every other character.
        text = map_strings(run, without_surrogates).model_dump_json(indent=2)
    return text + "\n"


def load_report(text: str | bytes) -> RunReport:
    """The RunReport in *text*, or :class:`ReportFormatError` saying why it cannot be read."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ReportFormatError(f"report.json is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ReportFormatError("report.json must hold a JSON object at the top level.")
    version = data.get("schema_version")
    if version is None:
        raise ReportFormatError("report.json has no schema_version: it was not written by snow-preflight.")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ReportFormatError(f"report.json has an unknown schema_version {version!r}.")
    if version > SCHEMA_VERSION:
        raise ReportFormatError(
            f"report.json has schema_version {version}, newer than the {SCHEMA_VERSION} this snow-preflight"
            " reads: upgrade snow-preflight to read it."
        )
    try:
        return RunReport.model_validate(data)
    except ValidationError as exc:
        raise ReportFormatError(
            f"report.json (schema_version {version}) does not match the result model:"
            f" {exc.error_count()} problem(s), first: {_first(exc)}"
        ) from None


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "(top)"
    return f"{where}: {error['msg']}"
