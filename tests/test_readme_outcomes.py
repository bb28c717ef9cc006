"""The README's outcome table says what the tool does: each outcome, and what it means, seen in real runs."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from snow_preflight.reports.model import Outcome
from snow_preflight.run import RunOutcome

README = Path(__file__).resolve().parents[1] / "README.md"


def _outcome_table() -> dict[str, str]:
    """The README's outcome table: outcome -> meaning."""
    section = README.read_text(encoding="utf-8").split("### Outcomes and exit status", 1)[1]
    rows = re.findall(r"^\| (passed|failed|error|skipped) \| (.+?) \|$", section, flags=re.MULTILINE)
    return dict(rows)


def test_the_readme_names_every_outcome_and_no_other() -> None:
    """The table has one row per outcome of the result model."""
    assert set(_outcome_table()) == {outcome.value for outcome in Outcome}


@pytest.mark.parametrize(
    ("scenario", "result_id", "outcome", "words"),
    [
        # passed: verified good, with the evidence that shows it
        ("healthy", "rest_method_uses_mid[GET - Projects]", Outcome.PASSED, "evidence"),
        # failed: verified bad, the instance shows the misconfiguration
        ("typical", "rest_method_uses_mid[GET - Projects]", Outcome.FAILED, "misconfiguration"),
        # error: could not verify (a field hidden by ACL), never reported as failed
        (
            "field_masked_use_mid_server",
            "rest_method_uses_mid[GET - Projects]",
            Outcome.ERROR,
            "could not verify",
        ),
        # skipped: blocked by an earlier check, and the message names it
        ("app_missing", "rest_message_present", Outcome.SKIPPED, "blocked by an earlier check"),
    ],
)
def test_each_outcome_means_what_the_readme_says(
    scenario_run: Callable[[str], RunOutcome], scenario: str, result_id: str, outcome: Outcome, words: str
) -> None:
    """A real run gives each outcome where the README's meaning says it should, as that meaning describes."""
    assert words in _outcome_table()[outcome.value]
    report = scenario_run(scenario).report
    assert report is not None
    result = next(r for r in report.results if r.id == result_id)
    assert result.outcome is outcome, result.message
    if outcome is Outcome.PASSED:
        assert result.evidence, "a passed row carries the evidence that shows it"
    if outcome is Outcome.SKIPPED:
        assert result.blocked_by is not None
        assert result.blocked_by in result.message, "the message names the check that blocked it"
