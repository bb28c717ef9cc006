"""junit.xml: read back by junitparser, validated against Jenkins' junit-10.xsd, robust to any string."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped
from report_samples import IMG_MARKUP, NASTY, SCRIPT_MARKUP, nasty_run, sample_run
from snow_preflight.reports.junit import render_junit
from snow_preflight.reports.model import Outcome, RunReport

SCHEMA = Path(__file__).parent / "schemas" / "junit-10.xsd"
RESULT_TYPE = {Outcome.FAILED: Failure, Outcome.ERROR: Error, Outcome.SKIPPED: Skipped}
# The Surefire time pattern of later junit-10.xsd revisions: a plain decimal, never "1e-05".
SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


@pytest.fixture(scope="module")
def run() -> RunReport:
    return sample_run(planted=True)


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
    """The suite is named after the instance host, stamped with the start, and lists version/gate/verdict."""
    [suite] = list(JUnitXml.fromstring(xml_text))
    assert suite.name == "snow-preflight acme.service-now.com"
    assert suite.hostname == "acme.service-now.com"
    assert suite.timestamp == "2024-05-01T09:30:00"
    properties = {p.name: p.value for p in suite.properties()}
    assert properties["snow_preflight.version"] == "0.1.0"
    assert properties["gate"] == "high"
    assert properties["verdict"] == "no-go"


def test_valid_against_jenkins_junit_xsd(schema: xmlschema.XMLSchema, xml_text: str) -> None:
    """The document validates against the Jenkins xUnit plugin's junit-10.xsd."""
    schema.validate(xml_text)


def test_nasty_strings_stay_well_formed_and_valid(schema: xmlschema.XMLSchema) -> None:
    """With control characters, surrogates, non-characters, emoji, markup, ]]> and huge values planted in
    every field, the document still parses with xml.etree and validates against the XSD."""
    text = render_junit(nasty_run())
    root = ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own output, not untrusted input
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
