"""A run redacts its result model once: string by string, each distinct string searched once, and the reports
are rendered from that model as it is, each text only swept for the known secret values."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from report_samples import sample_run

from snow_preflight.redaction import MASK, Redactor
from snow_preflight.reports import FORMATS
from snow_preflight.reports.json_report import render_json
from snow_preflight.reports.writer import render_all, write_reports
from snow_preflight.run import lifecycle, run_checklist, simulator_settings
from snow_preflight.simulator import Simulator

SECRET = "s3cr3t-Value!"


def test_data_redacts_each_string_as_text_does_and_counts_every_occurrence() -> None:
    """A string seen again is not searched again, but its replacements are counted again."""
    by_data, by_text = Redactor([("password", SECRET)]), Redactor([("password", SECRET)])
    line = f"login failed for {SECRET}"
    strings = [line, "plain", "", line, f"Authorization: Basic {SECRET}", "X-Auth-Token: abc", "plain", line]
    assert by_data.data({"rows": strings, "nested": {"again": line}}) == {
        "rows": [by_text.text(value) for value in strings],
        "nested": {"again": by_text.text(line)},
    }
    assert by_data.counts == by_text.counts == {"password": 5, "secret_header": 2}


def test_data_still_masks_values_under_secret_keys() -> None:
    redactor = Redactor()
    assert redactor.data({"password": "x", "Authorization": MASK, "token": "", "name": "password"}) == {
        "password": MASK,
        "Authorization": MASK,
        "token": "",
        "name": "password",
    }
    assert redactor.counts == {"secret_named_key": 1}


def test_a_subclass_text_is_called_for_every_string() -> None:
    """A redactor that redacts in its own way (a fleet's) is asked about every string, repeats too."""
    seen: list[str] = []

    class Upper(Redactor):
        def text(self, value: str) -> str:
            seen.append(value)
            return value.upper()

    assert Upper().data(["a", "a", {"k": "b"}]) == ["A", "A", {"k": "B"}]
    assert seen == ["a", "a", "b"]


def test_sweep_replaces_the_known_values_only() -> None:
    redactor = Redactor([("password", SECRET)])
    text = f"<td>{SECRET}</td> X-Rundeck-Auth-Token: abc"
    assert redactor.sweep(text) == f"<td>{MASK}</td> X-Rundeck-Auth-Token: abc"
    assert redactor.sweep("nothing to hide") == "nothing to hide"
    assert redactor.counts == {"password": 1}


def test_a_clean_model_is_rendered_as_it_is() -> None:
    """Without a secret in it, a redacted model renders exactly as the full redaction would render it."""
    run = sample_run()
    texts = render_all(run, Redactor([SECRET]), clean=True)
    assert texts == {fmt.kind: fmt.render(run) for fmt in FORMATS}
    assert texts == render_all(run, Redactor([SECRET]))


def test_a_known_secret_left_in_a_clean_model_is_still_masked(tmp_path: Path) -> None:
    """The sweep is the last look: a known value that reached the model anyway never reaches a file."""
    run = sample_run()
    run.results[0].message = f"The instance echoed {SECRET} back."
    paths = write_reports(run, tmp_path, Redactor([SECRET]), clean=True)
    for path in paths.values():
        text = path.read_text(encoding="utf-8")
        assert SECRET not in text, path.name
        assert f"echoed {MASK} back" in text, path.name


def test_a_run_searches_each_string_of_its_model_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the judged results to the written files, no string is searched for secrets twice."""
    searched: Counter[str] = Counter()
    finishing = False
    redact = Redactor._redact

    def counted(self: Redactor, value: str) -> tuple[str, list[str]]:
        if finishing:
            searched[value] += 1
        return redact(self, value)

    finish = lifecycle.Run.finish

    def finish_counted(self: lifecycle.Run) -> object:
        nonlocal finishing
        finishing = True
        try:
            return finish(self)
        finally:
            finishing = False

    monkeypatch.setattr(Redactor, "_redact", counted)
    monkeypatch.setattr(lifecycle.Run, "finish", finish_counted)
    with Simulator("healthy") as sim:
        outcome = run_checklist(simulator_settings(sim, report_dir=tmp_path, quiet=True))
    assert outcome.report is not None
    assert searched, "the result model was not redacted"
    assert max(searched.values()) == 1, searched.most_common(3)
    # The files are the model the console shows, rendered as it is.
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == render_json(outcome.report)


@pytest.mark.parametrize("secret", ["2024", "high", "failed"])
def test_a_secret_that_is_part_of_a_structural_value_neither_breaks_the_model_nor_stays(secret: str) -> None:
    """A password such as ``2024`` (inside the start date) or ``high`` (the gate) is replaced in every free
    text, and the values it is part of keep what they were, so the result model still validates and the
    run does not end as an internal error."""
    from snow_preflight.reports.writer import redact_model

    run = sample_run()
    planted = run.results[0].model_copy(update={"message": f"seen {secret} here"})
    run = run.model_copy(update={"results": [planted, *run.results[1:]]})
    redactor = Redactor([("password", secret)])
    clean = redact_model(run, redactor)
    assert clean.run.started_at == run.run.started_at
    assert clean.run.gate == run.run.gate
    assert [r.outcome for r in clean.results] == [r.outcome for r in run.results]
    assert clean.results[0].message == f"seen {MASK} here"
