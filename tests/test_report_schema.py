"""report.json's published JSON Schema: generated from the model, shipped, printed, and followed.

Every report.json the rest of the suite writes is validated too, by the suite's ``reports_plugin``.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from report_samples import nasty_run, passing_run, sample_run
from reports_plugin import ReportSchema

from snow_preflight.reports.json_report import render_json
from snow_preflight.reports.model import SCHEMA_VERSION
from snow_preflight.reports.schema import render, shipped, shipped_text
from snow_preflight.run import RunOutcome
from snow_preflight.simulator import list_scenarios

REGENERATE = "snow-preflight schema > reports/report.schema.json"


def test_shipped_schema_is_what_the_model_generates() -> None:
    """The schema file in the package equals the one the result model generates now."""
    assert shipped_text() == render(), f"the shipped schema is stale: regenerate it with `{REGENERATE}`"


def test_schema_is_a_draft_2020_12_schema_that_names_itself() -> None:
    """The schema is valid Draft 2020-12 and carries its dialect, id, title and description."""
    schema = shipped()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert str(SCHEMA_VERSION) in schema["$id"]
    assert "report.json" in schema["title"]
    assert schema["description"]


def test_schema_command_prints_the_shipped_schema() -> None:
    """`snow-preflight schema` prints the shipped schema on stdout, nothing on stderr, and exits 0."""
    result = subprocess.run(
        [sys.executable, "-m", "snow_preflight", "schema"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout == shipped_text()
    assert result.stderr == ""


@pytest.mark.parametrize("make", [sample_run, passing_run, nasty_run])
def test_sample_reports_follow_the_schema(make: Callable[[], Any], report_schema: ReportSchema) -> None:
    """Reports with every outcome, an all-green run and hostile text all follow the schema."""
    assert report_schema.problems(json.loads(render_json(make()))) == []


@pytest.mark.parametrize("name", [name for name, _ in list_scenarios()])
def test_every_scenario_writes_a_report_that_follows_the_schema(
    name: str, scenario_run: Callable[[str], RunOutcome], report_schema: ReportSchema
) -> None:
    """The report.json written for every simulated instance follows the shipped schema."""
    outcome = scenario_run(name)
    path = outcome.written["json"]
    assert report_schema.problems(json.loads(path.read_text(encoding="utf-8"))) == []


def _report() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_json(sample_run()))
    return data


def test_another_schema_version_does_not_follow_it(report_schema: ReportSchema) -> None:
    """A report that names another schema_version, or none, does not follow this schema."""
    newer, missing = _report(), _report()
    newer["schema_version"] = SCHEMA_VERSION + 1
    del missing["schema_version"]
    assert report_schema.problems(newer)
    assert report_schema.problems(missing)


def test_a_report_without_a_required_field_does_not_follow_it(report_schema: ReportSchema) -> None:
    """A report missing a field every reader relies on (a result's outcome) does not follow the schema."""
    data = _report()
    del data["results"][0]["outcome"]
    assert any("outcome" in problem for problem in report_schema.problems(data))


def test_a_report_with_fields_added_later_still_follows_it(report_schema: ReportSchema) -> None:
    """A report of this schema_version from a later release, with optional fields added, still follows it."""
    data = _report()
    data["run"]["added_later"] = {"anything": [1, 2]}
    data["results"][0]["added_later"] = "text"
    assert report_schema.problems(data) == []


def test_a_report_from_before_an_optional_field_still_follows_it(report_schema: ReportSchema) -> None:
    """A report of this schema_version written before an optional field existed still follows it."""
    data = copy.deepcopy(_report())
    for key in ("not_run", "replayed_from", "python", "platform"):
        data["run"].pop(key, None)
    for result in data["results"]:
        for key in ("message", "evidence", "remediation", "links", "blocked_by", "duration_ms"):
            result.pop(key, None)
    assert report_schema.problems(data) == []
