"""A plugin of the suite: every report.json it writes follows the shipped JSON Schema; scenarios run once.

Loaded by ``pytest_plugins`` in tests/conftest.py. After each test that used ``tmp_path``, the report.json
files snow-preflight wrote there (and the one inside each support bundle) are validated against the schema
shipped in the package (Draft 2020-12); a report that does not follow it fails that test at teardown. At
the end of the session the whole base temporary directory is swept for the reports written elsewhere
(fixtures of module or session scope, subprocesses), so no report the suite produces goes unchecked.

A report.json is "written by snow-preflight" when it carries the JSON format's marker, as the report writer
itself recognises its own files; a test that plants a foreign ``report.json`` ("old") is left alone.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from snow_preflight.reports import FORMATS
from snow_preflight.reports.schema import shipped
from snow_preflight.reports.writer import BUNDLE_GLOB, is_own
from snow_preflight.run import RunOutcome, run_checklist, simulator_settings
from snow_preflight.simulator import Simulator

_MARKER = next(fmt.marker for fmt in FORMATS if fmt.filename == "report.json")


class ReportSchema:
    """The shipped schema, and which report files have been validated against it already."""

    def __init__(self) -> None:
        schema = shipped()
        Draft202012Validator.check_schema(schema)
        self.validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        self._seen: set[tuple[str, int, int]] = set()

    def problems(self, data: Any) -> list[str]:
        """Why *data* (a parsed report.json) does not follow the schema; empty when it does."""
        errors = sorted(self.validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        return [f"{e.json_path}: {e.message[:200]}" for e in errors[:5]]

    def check_tree(self, root: Path) -> list[str]:
        """Validate every report snow-preflight wrote under *root* that was not validated as it is now."""
        problems: list[str] = []
        for name, text in self._new_reports(root):
            try:
                data = json.loads(text)
            except ValueError as exc:
                problems.append(f"{name}: not JSON ({exc})")
                continue
            problems.extend(f"{name}: {problem}" for problem in self.problems(data))
        return problems

    def _new_reports(self, root: Path) -> Iterator[tuple[str, bytes]]:
        if not root.is_dir():
            return
        for path in sorted(root.rglob("report.json")):
            if self._fresh(path) and is_own(path, _MARKER):
                yield str(path), path.read_bytes()
        for path in sorted(root.rglob(BUNDLE_GLOB)):
            if not self._fresh(path):
                continue
            try:
                with zipfile.ZipFile(path) as archive:
                    if "report.json" in archive.namelist():
                        yield f"{path}:report.json", archive.read("report.json")
            except zipfile.BadZipFile:
                continue  # not a bundle of ours: the writer's glob does not claim it either

    def _fresh(self, path: Path) -> bool:
        try:
            stat = path.stat()
        except OSError:
            return False
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


@pytest.fixture(scope="session")
def report_schema() -> ReportSchema:
    """The schema shipped in the package, ready to validate report.json data."""
    return ReportSchema()


@pytest.fixture(scope="session", autouse=True)
def _every_report_of_the_session_follows_the_schema(
    report_schema: ReportSchema, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    yield
    problems = report_schema.check_tree(tmp_path_factory.getbasetemp())
    if problems:
        pytest.fail("report.json does not follow the shipped schema:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def _reports_of_this_test_follow_the_schema(
    request: pytest.FixtureRequest, report_schema: ReportSchema
) -> Iterator[None]:
    tmp_path: Path | None = (
        request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    )
    yield
    problems = report_schema.check_tree(tmp_path) if tmp_path is not None else []
    if problems:
        pytest.fail("report.json does not follow the shipped schema:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def scenario_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], RunOutcome]:
    """Run the checklist against a simulated scenario, once per session; later calls reuse the outcome.

    Shared by the tests that look at every scenario's reports, so each scenario is judged once. A short
    time budget ends the rate-limited scenario's 30 s ``Retry-After`` in a diagnosis.
    """
    outcomes: dict[str, RunOutcome] = {}

    def run(name: str) -> RunOutcome:
        if name not in outcomes:
            with Simulator(name) as sim:
                out = tmp_path_factory.mktemp(f"scenario-{name}")
                outcomes[name] = run_checklist(simulator_settings(sim, report_dir=out, time_budget=5))
        return outcomes[name]

    return run
