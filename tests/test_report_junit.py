"""junit.xml: read back by junitparser, valid against both xUnit junit-10.xsd revisions, robust to any string.

tests/schemas/README.md says where each schema comes from. Every simulator scenario's junit.xml is held
against both, and its counts against the report.json of the same run.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped
from report_samples import IMG_MARKUP, NASTY, SCRIPT_MARKUP, nasty_run, sample_run

from snow_preflight.reports.junit import render_junit
from snow_preflight.reports.model import Outcome, RunReport
from snow_preflight.run import RunOutcome, run_checklist, simulator_settings
from snow_preflight.simulator import Simulator, list_scenarios

SCHEMAS = Path(__file__).parent / "schemas"
#: The revision junit-xml follows, and the plugin's current one (no ``disabled``, stricter ``time``).
SCHEMA_FILES = ("junit-10.xsd", "junit-10-current.xsd")
SCENARIOS = [name for name, _ in list_scenarios()]
RESULT_TYPE = {Outcome.FAILED: Failure, Outcome.ERROR: Error, Outcome.SKIPPED: Skipped}
# The Surefire time pattern of later junit-10.xsd revisions: a plain decimal, never "1e-05".
SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")


@pytest.fixture(scope="module")
def schemas() -> list[xmlschema.XMLSchema]:
    return [xmlschema.XMLSchema(str(SCHEMAS / name)) for name in SCHEMA_FILES]


@pytest.fixture(scope="module")
def run() -> RunReport:
    sample = sample_run(planted=True)
    return sample.model_copy(update={"run": sample.run.model_copy(update={"host": "ci-agent-07"})})


@pytest.fixture(scope="module")
def xml_text(run: RunReport) -> str:
    return render_junit(run)


def test_junitparser_reads_counts_of_every_outcome(run: RunReport, xml_text: str) -> None:
    """junitparser reads one suite whose tests, failures, errors and skipped match the model's counts."""
    document = JUnitXml.fromstring(xml_text)
    [suite] = list(document)
    counts = run.run.counts
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (
        counts.total,
        counts.failed,
        counts.error,
        counts.skipped,
    )
    assert all((counts.failed, counts.error, counts.skipped, counts.passed))


def test_each_result_is_a_case_with_its_outcome(run: RunReport, xml_text: str) -> None:
    """Each result is a test case named by its id, classed by area, carrying its outcome."""
    [suite] = list(JUnitXml.fromstring(xml_text))
    cases = list(suite)
    assert [(c.classname, c.name) for c in cases] == [(f"snow_preflight.{r.area}", r.id) for r in run.results]
    for case, result in zip(cases, run.results, strict=True):
        if result.outcome is Outcome.PASSED:
            assert case.is_passed
        else:
            [found] = case.result
            assert type(found) is RESULT_TYPE[result.outcome]
            assert found.message == result.message


def test_failure_body_holds_evidence_and_remediation(xml_text: str) -> None:
    """A failure's text carries the evidence, with links, and the numbered remediation steps."""
    [suite] = list(JUnitXml.fromstring(xml_text))
    case = next(c for c in suite if c.name == "rest_method_uses_mid[POST - Run Webhook]")
    [failure] = case.result
    text = failure.text
    assert (
        "Evidence:\n  - Method: POST - Run Webhook  <https://acme.service-now.com/sys_rest_message_fn.do"
        in text
    )
    assert f"  - Use MID Server: {IMG_MARKUP}" in text
    assert (
        "Remediation:\n  1. System Web Services > REST Message > Rundeck - API > HTTP Methods >"
        " POST - Run Webhook > HTTP Request tab: set Use MID Server to mid-prod-01, then Update.\n"
        "  2. Re-run the pre-flight."
    ) in text
    assert failure.type == "critical"


def test_passed_case_keeps_its_evidence_in_system_out(xml_text: str) -> None:
    """A passed case records what was seen in system-out, so a green row can be trusted."""
    [suite] = list(JUnitXml.fromstring(xml_text))
    case = next(c for c in suite if c.name == "app_installed")
    assert "  - Scope: x_pd_process_autom" in case.system_out


def test_skipped_case_names_what_blocked_it(xml_text: str) -> None:
    """A skipped case says which check blocked it."""
    [suite] = list(JUnitXml.fromstring(xml_text))
    case = next(c for c in suite if c.name == "login_has_role[x_pd_process_autom.app_user]")
    [skipped] = case.result
    assert "login_has_role[web_service_admin]" in skipped.message
    assert "Blocked by: login_has_role[web_service_admin]" in skipped.text


def test_suite_names_instance_and_carries_run_properties(xml_text: str) -> None:
    """The suite is named after the instance host, stamped with the start, and lists version/gate/verdict;
    the instance is a property, and hostname is the machine that ran the checks."""
    [suite] = list(JUnitXml.fromstring(xml_text))
    assert suite.name == "snow-preflight acme.service-now.com"
    assert suite.hostname == "ci-agent-07"
    assert suite.timestamp == "2024-05-01T09:30:00"
    properties = {p.name: p.value for p in suite.properties()}
    assert properties["instance"] == "https://acme.service-now.com"
    assert properties["snow_preflight.version"] == "0.1.0"
    assert properties["gate"] == "high"
    assert properties["verdict"] == "no-go"


def test_every_case_has_a_time_and_the_suite_the_run_duration(run: RunReport, xml_text: str) -> None:
    """Each testcase carries its judging time (even one that took no time) and the suite the run's duration,
    in seconds with three decimals; the root sums them."""
    root = ET.fromstring(xml_text.encode("utf-8"))  # noqa: S314 - our own output, not untrusted input
    [suite] = root.findall("testsuite")
    assert suite.get("time") == root.get("time") == "1.840"
    cases = suite.findall("testcase")
    assert [case.get("time") for case in cases] == [f"{r.duration_ms / 1000:.3f}" for r in run.results]
    instant = [r.model_copy(update={"duration_ms": 0.0}) for r in run.results]
    text = render_junit(run.model_copy(update={"results": instant}))
    assert {case.get("time") for case in ET.fromstring(text).iter("testcase")} == {"0.000"}  # noqa: S314


def test_valid_against_both_junit_schemas(schemas: list[xmlschema.XMLSchema], xml_text: str) -> None:
    """The document validates against both junit-10.xsd revisions and carries no ``disabled`` attribute."""
    for schema in schemas:
        schema.validate(xml_text)
    assert "disabled=" not in xml_text


def test_below_gate_findings_are_failures_by_default(xml_text: str) -> None:
    """By default a finding below the gate is a <failure> like any other: CI sees every finding."""
    [suite] = list(JUnitXml.fromstring(xml_text))
    [found] = next(c for c in suite if c.name == "rest_endpoint_https").result
    assert type(found) is Failure


def test_below_gate_findings_can_be_skipped(run: RunReport, schemas: list[xmlschema.XMLSchema]) -> None:
    """--junit-below-gate skipped: a failed or error result below the gate is <skipped>, its message naming
    its real outcome and the gate; findings at or above the gate stay failures and errors."""
    below = run.model_copy(update={"run": run.run.model_copy(update={"junit_below_gate": "skipped"})})
    text = render_junit(below)
    for schema in schemas:
        schema.validate(text)
    [suite] = list(JUnitXml.fromstring(text))
    by_name = {case.name: case for case in suite}
    gate = below.run.gate
    [skipped] = by_name["rest_endpoint_https"].result
    assert type(skipped) is Skipped
    assert skipped.message.startswith("failed below the gate (--fail-on high, severity low): ")
    assert "shown as skipped by --junit-below-gate skipped" in skipped.text
    for result in below.results:
        if result.fails_gate(gate):
            [shown] = by_name[result.id].result
            assert type(shown) is RESULT_TYPE[result.outcome]
    assert (suite.failures, suite.errors) == (2, 1)


def test_nasty_strings_stay_well_formed_and_valid(schemas: list[xmlschema.XMLSchema]) -> None:
    """With control characters, surrogates, non-characters, emoji, markup, ]]> and huge values planted in
    every field, the document still parses with xml.etree and validates against the XSD."""
    text = render_junit(nasty_run())
    root = ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own output, not untrusted input
    for schema in schemas:
        schema.validate(text)
    everything = "".join(root.itertext()) + "".join(
        value for element in root.iter() for value in element.attrib.values()
    )
    assert "\\x00" in everything
    assert "\\ud800" in everything
    assert "\\ufffe" in everything
    assert "\\U0001fffe" in everything
    assert NASTY["emoji"] in everything
    assert IMG_MARKUP + SCRIPT_MARKUP in everything
    assert "a]]>b<![CDATA[c]]>d" in everything
    assert "line one\nline two\nline three" in everything
    assert "more characters in report.json]" in everything
    assert len(text) < 1_000_000


def test_times_are_plain_decimals(xml_text: str) -> None:
    """Every time attribute is a plain decimal, as the stricter Surefire-based schemas require."""
    times = re.findall(r' time="([^"]*)"', xml_text)
    assert times
    assert all(SUREFIRE_TIME.fullmatch(t) for t in times)


def test_output_is_deterministic(run: RunReport) -> None:
    """The same model renders to the same document."""
    assert render_junit(run) == render_junit(run)


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_junit_is_valid_and_counts_as_report_json(
    name: str, scenario_run: Callable[[str], RunOutcome], schemas: list[xmlschema.XMLSchema]
) -> None:
    """Each simulator scenario's junit.xml validates against both schemas, names each case by its result id,
    and junitparser reads the counts its report.json has: tests, failures, errors, skipped."""
    outcome = scenario_run(name)
    assert outcome.report is not None
    text = outcome.written["junit"].read_text(encoding="utf-8")
    for schema in schemas:
        schema.validate(text)
    counts = json.loads(outcome.written["json"].read_text(encoding="utf-8"))["run"]["counts"]
    [suite] = list(JUnitXml.fromstring(text))
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (
        counts["total"],
        counts["failed"],
        counts["error"],
        counts["skipped"],
    )
    assert [case.name for case in suite] == [r.id for r in outcome.report.results]


#: Scenarios that hide the MID Server records from the login: a sys_id is all such a case can be named by.
NAMELESS = {"mid_table_hidden"}
_SYS_ID = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize("name", SCENARIOS)
def test_case_names_are_names_not_sys_ids(name: str, scenario_run: Callable[[str], RunOutcome]) -> None:
    """A testcase is named by what the instance calls the thing (method, MID Server, role), so a CI server's
    history follows it; a sys_id names a case only where the login cannot read the record's name."""
    outcome = scenario_run(name)
    assert outcome.report is not None
    named_by_id = [r for r in outcome.report.results if _SYS_ID.search(r.id)]
    if name in NAMELESS:
        assert named_by_id
        assert {r.outcome for r in named_by_id} == {Outcome.ERROR}
    else:
        assert named_by_id == []


def test_case_names_are_stable_between_runs(tmp_path: Path) -> None:
    """Two runs of one instance give the same (classname, name) pairs in the same order."""
    with Simulator("methods_split_across_mids") as sim:
        outcomes = [
            run_checklist(simulator_settings(sim, report_dir=tmp_path / name, output_format="json"))
            for name in ("first", "second")
        ]
    suites = [next(iter(JUnitXml.fromfile(str(o.written["junit"])))) for o in outcomes]
    first, second = ([(case.classname, case.name) for case in suite] for suite in suites)
    assert first == second
    assert len(first) > 10
