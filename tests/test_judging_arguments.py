"""A check gets its arguments as our fixtures would give them (the run's view, its own evidence, its item),
handed to it before pytest would set them up; a fixture that a site's conftest defines still wins."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.simulator import Simulator

CHECKS = """
import pytest

from snow_preflight.judge import Severity, check
from snow_preflight.judge.views import View


@check(title="The view is the run's", severity=Severity.LOW, remediation=["None."], requires=())
def check_handed_view(view, evidence, request) -> None:
    evidence.record("view", type(view).__name__)
    evidence.record("request", str(isinstance(request, pytest.FixtureRequest)))
    assert isinstance(view, View) or type(view).__name__ == "SiteView", type(view)
    assert request.node.funcargs["evidence"] is evidence


@check(title="Each role is handed", severity=Severity.LOW, remediation=["None."], requires=(), each="role")
def check_handed_role(view, evidence, role) -> None:
    evidence.record("role", str(role))
    assert str(role)
"""

CONFTEST = '''
import pytest

from snow_preflight.plugin import PLUGIN_KEY


class SiteView:
    """A site's own view: wraps the run's, so the checks can tell which one they were given."""

    def __init__(self, view):
        self._view = view


@pytest.fixture
def view(request):
    return SiteView(request.config.stash[PLUGIN_KEY].run.view)
'''


def _judge(tmp_path: Path, conftest: bool) -> dict[str, dict[str, str]]:
    site = tmp_path / "site_checks"
    site.mkdir()
    (site / "handed.py").write_text(dedent(CHECKS), encoding="utf-8")
    if conftest:
        (site / "conftest.py").write_text(dedent(CONFTEST), encoding="utf-8")
    with Simulator("healthy") as sim:
        settings = simulator_settings(
            sim, report_dir=tmp_path / "out", checks_dirs=[site], only=["handed_*"], quiet=True
        )
        outcome = run_checklist(settings)
    assert outcome.report is not None
    return {
        result.id: {"outcome": result.outcome.value, **{e.label: e.value for e in result.evidence}}
        for result in outcome.report.results
    }


def test_a_check_gets_the_runs_view_its_evidence_and_its_item(tmp_path: Path) -> None:
    results = _judge(tmp_path, conftest=False)
    assert results["handed_view"] == {"outcome": "passed", "view": "View", "request": "True"}
    roles = {key: value for key, value in results.items() if key.startswith("handed_role[")}
    assert roles
    assert all(row["outcome"] == "passed" for row in roles.values())
    assert {f"handed_role[{row['role']}]" for row in roles.values()} == set(roles)


def test_a_conftest_fixture_of_the_same_name_still_wins(tmp_path: Path) -> None:
    results = _judge(tmp_path, conftest=True)
    assert results["handed_view"]["outcome"] == "passed"
    assert results["handed_view"]["view"] == "SiteView"
