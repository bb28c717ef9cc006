"""The published JSON Schema of ``report.json``, generated from the result model.

The schema ships beside this module as ``report.schema.json`` and is what ``snow-preflight schema`` prints.
It is generated, never written by hand: after a change to :mod:`snow_preflight.reports.model`, regenerate
it with ``snow-preflight schema > reports/report.schema.json`` (a test fails until the two agree).

Two choices keep it a promise a consumer can build on (the README's "report.json and its schema"):

- It describes the file as written (pydantic's *serialization* mode). A field with a default is not
  ``required``, so a report of the same ``schema_version`` written before an optional field was added still
  validates.
- Objects stay open to properties the schema does not name, so a reader validating against this schema
  accepts a report from a later release that added optional fields. ``schema_version`` is required and
  fixed, so a report in another format version fails validation instead of being misread.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from snow_preflight.reports.model import SCHEMA_VERSION, RunReport

FILENAME = "report.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
# A URN, not a URL: it names this format version without promising a web server that serves it.
SCHEMA_ID = f"urn:snow-preflight:report:{SCHEMA_VERSION}"


def generate() -> dict[str, Any]:
    """The JSON Schema of report.json as the result model defines it now."""
    body = RunReport.model_json_schema(mode="serialization")
    version = body["properties"]["schema_version"]
    version.pop("default", None)
    version["const"] = SCHEMA_VERSION
    body["required"] = ["schema_version", *body.get("required", [])]
    body.pop("title", None)
    body.pop("description", None)
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": f"snow-preflight report.json, schema_version {SCHEMA_VERSION}",
        "description": (
            "One run of the snow-preflight checklist against a ServiceNow instance: the verdict, every result "
            "with its evidence and remediation, and the redacted log of the requests it made. Generated from "
            "the result model; readers ignore properties they do not know."
        ),
        **body,
    }


def render(schema: dict[str, Any] | None = None) -> str:
    """*schema* (default: the generated one) as the shipped file's text: indented, ending in a newline."""
    return json.dumps(generate() if schema is None else schema, indent=2, ensure_ascii=False) + "\n"


def shipped_text() -> str:
    """The text of the schema file installed with the package."""
    return resources.files(__package__ or "snow_preflight.reports").joinpath(FILENAME).read_text("utf-8")


def shipped() -> dict[str, Any]:
    """The schema installed with the package, parsed."""
    data: dict[str, Any] = json.loads(shipped_text())
    return data
