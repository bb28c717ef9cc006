"""``junit.xml``: the CI pipeline's view of a run, as a pure function of the result model.

One ``<testsuite>`` per instance, one ``<testcase>`` per result row, with ``classname`` =
``snow_preflight.<area>`` and ``name`` = the result id (names, never sys_ids, wherever the instance let the
login read a name, so a CI server's history follows each case from run to run). The outcomes map as
DESIGN.md says: failed is ``<failure>``, error (could not verify) is ``<error>``, skipped is ``<skipped>``,
and so is a result a waiver accepts, its message the waiver's (the body keeps the real outcome). A finding
below the gate is a ``<failure>``/``<error>`` too, unless the run asked for ``--junit-below-gate skipped``:
then it is ``<skipped>`` with its real outcome in the message, so it cannot turn a GO build UNSTABLE in
Jenkins. The one-sentence message goes in the ``message`` attribute; evidence and remediation go in the
element's text, and a passed row keeps its evidence in ``<system-out>`` so a reviewer can trust a green
row too.

The suite carries the run's duration as ``time``, the machine that ran it as ``hostname``, and properties
saying what kind of run it was: the instance, ``not_run`` (the checks a subset left out, comma-separated,
empty for the whole checklist), ``replayed_from`` (the bundle a replay judged). Every testcase has a
``time``.

The document validates against both JUnit schemas the tests hold (see ``tests/schemas/README.md``): the
current Jenkins xUnit ``junit-10.xsd`` forbids the ``disabled`` attribute junit-xml writes and wants times
with at most three decimals, so junit-xml builds each suite's elements and this module finishes them.

Every string is made XML-safe *before* junit-xml sees it (:func:`snow_preflight.reports.text.visible`):
junit-xml strips illegal characters from its output only after serialising, which misses a lone surrogate
written as a character reference and loses the others without a trace.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from junit_xml import TestCase, TestSuite  # type: ignore[import-untyped]

from snow_preflight.reports.html import utc_iso
from snow_preflight.reports.model import CheckResult, Outcome, RunReport
from snow_preflight.reports.text import clip, visible
from snow_preflight.severity import Severity

#: Longest ``message`` attribute; CI front-ends show it on one line.
MESSAGE_LIMIT = 1000

_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")
_SPACES = re.compile(r"\s+")
#: Attributes junit-xml writes that the current xUnit junit-10.xsd does not allow.
_NOT_IN_SCHEMA = ("disabled",)


def _text(value: str, limit: int | None = None) -> str:
    return visible(clip(value, limit) if limit else clip(value))


def _one_line(value: str) -> str:
    """A ``message`` attribute: one line (parsers fold newlines in attributes anyway), clipped."""
    return _SPACES.sub(" ", _text(value, MESSAGE_LIMIT)).strip()


def seconds(value: float) -> str:
    """A JUnit ``time``: seconds as a plain decimal with three places ("0.012"), never "1e-05"."""
    return f"{max(value, 0.0):.3f}"


def classname(result: CheckResult) -> str:
    """``snow_preflight.<area>``, the area reduced to a Python-ish name so CI tools can group it."""
    area = _NOT_NAME.sub("_", result.area) or "unknown"
    return f"snow_preflight.{area}"


def below_gate(result: CheckResult, gate: Severity) -> bool:
    """True for a failed or error result that does not fail the gate on its own severity (nor is waived)."""
    return result.gating and not result.waived and not result.severity.at_least(gate)


def body(result: CheckResult, note: str | None = None) -> str:
    """The text of a result: what was seen, the evidence, the fix, the links; *note* says how it is shown."""
    lines = [_text(result.message or result.title), ""]
    lines.append(f"Check: {_text(result.title)}")
    lines.append(f"Id: {_text(result.id)}    Severity: {result.severity.value}    Area: {_text(result.area)}")
    if result.blocked_by:
        lines.append(f"Blocked by: {_text(result.blocked_by)}")
    if result.waiver:
        lines.append(f"Outcome: {result.outcome.value}; {_text(result.waiver.note)}")
    if note:
        lines.append(note)
    if result.evidence:
        lines += ["", "Evidence:"]
        for item in result.evidence:
            line = f"  - {_text(item.label)}: {_text(item.value)}"
            if item.link:
                line += f"  <{_text(item.link)}>"
            lines.append(line)
    if result.remediation:
        lines += ["", "Remediation:"]
        lines += [f"  {number}. {_text(step)}" for number, step in enumerate(result.remediation, 1)]
    if result.links:
        lines += ["", "Links:"]
        lines += [f"  - {_text(link.label)}: {_text(link.url)}" for link in result.links]
    return "\n".join(lines)


def _case(result: CheckResult, gate: Severity, below_as_skipped: bool) -> TestCase:
    case = TestCase(name=_text(result.id, MESSAGE_LIMIT), classname=classname(result))
    message = _one_line(result.message or result.title)
    if result.waived and result.waiver:
        # Accepted: CI shows it skipped with the waiver's reason; the body keeps the real outcome.
        note = _one_line(f"{result.waiver.note} ({result.outcome.value})")
        case.add_skipped_info(message=note, output=body(result))
    elif below_as_skipped and below_gate(result, gate):
        # --junit-below-gate skipped: a finding that cannot make the run no-go cannot make CI red either.
        why = f"{result.outcome.value} below the gate (--fail-on {gate.value}, severity {result.severity.value})"
        text = body(result, f"Outcome: {why}; shown as skipped by --junit-below-gate skipped")
        case.add_skipped_info(message=_one_line(f"{why}: {message}"), output=text)
    elif result.outcome is Outcome.FAILED:
        case.add_failure_info(message=message, output=body(result), failure_type=result.severity.value)
    elif result.outcome is Outcome.ERROR:
        case.add_error_info(message=message, output=body(result), error_type=result.severity.value)
    elif result.outcome is Outcome.SKIPPED:
        blocked = f"blocked by {result.blocked_by}" if result.blocked_by else "not applicable"
        case.add_skipped_info(message=_one_line(result.message or blocked), output=body(result))
    else:
        case.stdout = body(result)
    return case


def suite_element(run: RunReport) -> ET.Element:
    """The ``<testsuite>`` of one instance's run, valid against both schemas."""
    info = run.run
    host = urlsplit(info.instance).hostname or info.instance
    gate = info.gate
    below_as_skipped = info.junit_below_gate == "skipped"
    suite = TestSuite(
        name=_text(f"snow-preflight {host}", MESSAGE_LIMIT),
        test_cases=[_case(result, gate, below_as_skipped) for result in run.results],
        # The machine that ran the checks, as JUnit means it; the instance is a property.
        hostname=_text(info.host, MESSAGE_LIMIT) or None,
        package="snow_preflight",
        # JUnit's timestamp is an ISO 8601 date-time without a zone; ours is always UTC.
        timestamp=utc_iso(info.started_at).removesuffix("Z"),
        properties={
            "snow_preflight.version": _text(info.tool_version, MESSAGE_LIMIT),
            "instance": _text(info.instance, MESSAGE_LIMIT),
            "login": _text(info.login, MESSAGE_LIMIT),
            "gate": gate.value,
            "verdict": info.verdict.value,
            "started_at_utc": utc_iso(info.started_at),
            "schema_version": str(run.schema_version),
            "junit_below_gate": info.junit_below_gate,
            # A subset never passes for the whole checklist: the checks this run did not judge.
            "not_run": _text(",".join(info.not_run)),
            # A replay judged a bundle offline; started_at_utc is then when that bundle's instance was read.
            **({"replayed_from": _text(info.replayed_from, MESSAGE_LIMIT)} if info.replayed_from else {}),
            **({"ci_job_url": _text(info.ci_job_url, MESSAGE_LIMIT)} if info.ci_job_url else {}),
        },
    )
    element: ET.Element = suite.build_xml_doc()
    for name in _NOT_IN_SCHEMA:
        element.attrib.pop(name, None)
    element.set("time", seconds(info.duration_s))
    # junit-xml leaves out the time of a case that took no time: every case gets one.
    cases = element.findall("testcase")
    for case_element, result in zip(cases, run.results, strict=True):
        case_element.set("time", seconds(result.duration_ms / 1000))
    return element


def document(suites: list[ET.Element]) -> str:
    """The JUnit XML document holding *suites* under one ``<testsuites>`` that sums them up."""
    root = ET.Element("testsuites")
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in suites)))
    root.set("time", seconds(sum(float(suite.get("time", "0")) for suite in suites)))
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_junit(run: RunReport) -> str:
    """The JUnit XML document for *run*: one suite named after the instance (a fleet: one per instance)."""
    if run.instances:
        from snow_preflight.reports.fleet import render_fleet_junit

        return render_fleet_junit(run)
    return document([suite_element(run)])
