"""``junit.xml``: the CI pipeline's view of a run, as a pure function of the result model.

One ``<testsuite>`` per instance, one ``<testcase>`` per result row, with ``classname`` =
``snow_preflight.<area>`` and ``name`` = the result id. The outcomes map as DESIGN.md says: failed is
``<failure>``, error (could not verify) is ``<error>``, skipped is ``<skipped>``, and so is a result a waiver
accepts, its message the waiver's (the body keeps the real outcome). The one-sentence message
goes in the ``message`` attribute; evidence and remediation go in the element's text, and a passed row
keeps its evidence in ``<system-out>`` so a reviewer can trust a green row too. The suite's properties say
what kind of run it was: ``not_run`` lists the checks a subset left out (comma-separated, empty for the
whole checklist), and ``replayed_from`` names the bundle a replay judged.

Every string is made XML-safe *before* junit-xml sees it (:func:`snow_preflight.reports.text.visible`): junit-xml strips
illegal characters from its output only after serialising, which misses a lone surrogate written as a
character reference and loses the others without a trace.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from junit_xml import TestCase, TestSuite, to_xml_report_string  # type: ignore[import-untyped]
from snow_preflight.reports.html import utc_iso
from snow_preflight.reports.model import CheckResult, Outcome, RunReport
from snow_preflight.reports.text import clip, visible

#: Longest ``message`` attribute; CI front-ends show it on one line.
MESSAGE_LIMIT = 1000

_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")
_SPACES = re.compile(r"\s+")


def _text(value: str, limit: int | None = None) -> str:
    return visible(clip(value, limit) if limit else clip(value))


def _one_line(value: str) -> str:
    """A ``message`` attribute: one line (parsers fold newlines in attributes anyway), clipped."""
    return _SPACES.sub(" ", _text(value, MESSAGE_LIMIT)).strip()


def classname(result: CheckResult) -> str:
    """``snow_preflight.<area>``, the area reduced to a Python-ish name so CI tools can group it."""
    area = _NOT_NAME.sub("_", result.area) or "unknown"
    return f"snow_preflight.{area}"


def body(result: CheckResult) -> str:
    """The text of a result: what was seen, the evidence, the fix, the links."""
    lines = [_text(result.message or result.title), ""]
    lines.append(f"Check: {_text(result.title)}")
    lines.append(f"Id: {_text(result.id)}    Severity: {result.severity.value}    Area: {_text(result.area)}")
    if result.blocked_by:
        lines.append(f"Blocked by: {_text(result.blocked_by)}")
    if result.waiver:
        lines.append(f"Outcome: {result.outcome.value}; {_text(result.waiver.note)}")
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


def _case(result: CheckResult) -> TestCase:
    case = TestCase(
        name=_text(result.id, MESSAGE_LIMIT),
        classname=classname(result),
        # Whole milliseconds keep every sum a plain decimal (never "1e-05"), as JUnit schemas want.
        elapsed_sec=round(result.duration_ms) / 1000,
    )
    message = _one_line(result.message or result.title)
    text = body(result)
    if result.waived and result.waiver:
        # Accepted: CI shows it skipped with the waiver's reason; the body keeps the real outcome.
        case.add_skipped_info(
            message=_one_line(f"{result.waiver.note} ({result.outcome.value})"), output=text
        )
    elif result.outcome is Outcome.FAILED:
        case.add_failure_info(message=message, output=text, failure_type=result.severity.value)
    elif result.outcome is Outcome.ERROR:
        case.add_error_info(message=message, output=text, error_type=result.severity.value)
    elif result.outcome is Outcome.SKIPPED:
        blocked = f"blocked by {result.blocked_by}" if result.blocked_by else "not applicable"
        reason = result.message or blocked
        case.add_skipped_info(message=_one_line(reason), output=text)
    else:
        case.stdout = text
    return case


def render_junit(run: RunReport) -> str:
    """The JUnit XML document for *run*: one suite named after the instance (a fleet: one per instance)."""
    if run.instances:
        from snow_preflight.reports.fleet import render_fleet_junit

        return render_fleet_junit(run)
    info = run.run
    host = urlsplit(info.instance).hostname or info.instance
    suite = TestSuite(
        name=_text(f"snow-preflight {host}", MESSAGE_LIMIT),
        test_cases=[_case(result) for result in run.results],
        hostname=_text(host, MESSAGE_LIMIT),
        package="snow_preflight",
        # JUnit's timestamp is an ISO 8601 date-time without a zone; ours is always UTC.
        timestamp=utc_iso(info.started_at).removesuffix("Z"),
        properties={
            "snow_preflight.version": _text(info.tool_version, MESSAGE_LIMIT),
            "instance": _text(info.instance, MESSAGE_LIMIT),
            "login": _text(info.login, MESSAGE_LIMIT),
            "gate": info.gate.value,
            "verdict": info.verdict.value,
            "started_at_utc": utc_iso(info.started_at),
            "schema_version": str(run.schema_version),
            # A subset never passes for the whole checklist: the checks this run did not judge.
            "not_run": _text(",".join(info.not_run)),
            # A replay judged a bundle offline; started_at_utc is then when that bundle's instance was read.
            **({"replayed_from": _text(info.replayed_from, MESSAGE_LIMIT)} if info.replayed_from else {}),
        },
    )
    return str(to_xml_report_string([suite], prettyprint=True, encoding=None))
