"""report.json: the model serialised deterministically and read back with a format-version check."""

from __future__ import annotations

import json

import pytest
from report_samples import nasty_run, sample_run

from snow_preflight.reports.json_report import ReportFormatError, load_report, render_json
from snow_preflight.reports.model import SCHEMA_VERSION


def test_round_trip_gives_the_same_model() -> None:
    """Loading a rendered report gives back an equal RunReport."""
    run = sample_run(planted=True)
    assert load_report(render_json(run)) == run


def test_rendering_is_deterministic_and_indented() -> None:
    """The same model renders to the same indented JSON ending in a newline."""
    text = render_json(sample_run())
    assert text == render_json(sample_run())
    assert text.startswith('{\n  "schema_version": 1,\n')
    assert text.endswith("}\n")


def test_lone_surrogates_become_escape_text() -> None:
    """A lone surrogate, which UTF-8 cannot hold, is written as escape text and the rest is kept."""
    text = render_json(nasty_run())
    text.encode("utf-8")
    assert "lone \\\\ud800 high" in text
    assert "\\u0000" in text


def test_newer_schema_version_is_refused_with_upgrade_hint() -> None:
    """A report from a newer format version is refused, naming both versions and saying to upgrade."""
    data = json.loads(render_json(sample_run()))
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(
        ReportFormatError, match=r"schema_version 2, newer than the 1 .* upgrade snow-preflight"
    ):
        load_report(json.dumps(data))


@pytest.mark.parametrize("version", [0, -1, "1", None, True, 1.5])
def test_unknown_schema_version_is_refused(version: object) -> None:
    """A missing, non-integer or non-positive schema_version is refused with a clear error."""
    data = json.loads(render_json(sample_run()))
    data["schema_version"] = version
    with pytest.raises(ReportFormatError, match="schema_version"):
        load_report(json.dumps(data))


def test_not_json_is_refused() -> None:
    """Text that is not JSON is refused as such."""
    with pytest.raises(ReportFormatError, match="not valid JSON"):
        load_report("<html>")


def test_model_mismatch_names_the_first_problem() -> None:
    """A current-version report that does not match the model is refused, naming where."""
    data = json.loads(render_json(sample_run()))
    del data["run"]["instance"]
    with pytest.raises(ReportFormatError, match=r"run\.instance"):
        load_report(json.dumps(data))
