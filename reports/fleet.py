"""A fleet's ``report.html`` and ``junit.xml``: pure functions of a result model that has ``instances``.

The page opens with the fleet's verdict and a matrix (checks down, instances across, the outcome in each
cell, each instance's verdict at the head of its column), then each instance's section exactly as its own
report shows it: the ``<main>`` of the single-instance page, with its ids prefixed by the instance (so
every link still lands in its own section) and its headings one level down. ``junit.xml`` holds one
``<testsuite>`` per instance, named after it, its cases' ``classname`` ``snow_preflight.<instance>.<area>``
so a CI server that files cases by class keeps the instances apart.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markupsafe import Markup

from snow_preflight.reports.html import (
    _ENV,
    OUTCOME_STYLES,
    _script,
    ordered,
    render_html,
    safe_href,
    utc_iso,
)
from snow_preflight.reports.junit import render_junit
from snow_preflight.reports.model import CheckResult, InstanceReport, RunReport, Verdict

FLEET_TEMPLATE = "fleet.html.j2"

_MAIN = re.compile(r"<main>(.*)</main>", re.DOTALL)
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_H1 = re.compile(r"<h1\b.*?</h1>\s*", re.DOTALL)
_HEADING = re.compile(r"<(/?)h([1-5])\b")
# Attributes of our own markup that name an id; the instance's text cannot forge one (autoescape turns its
# quotes into &#34;), so only the template's own attributes match.
_ID_ATTRIBUTES = re.compile(r'\b(id|for|headers|aria-labelledby|aria-describedby)="([^"#]+)"')
_FRAGMENT = re.compile(r'href="#([^"]+)"')


def slug(name: str) -> str:
    """An id-safe form of an instance name: ``127.0.0.1:8443`` → ``i-127-0-0-1-8443``."""
    return "i-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower() or "instance")


def _page(member: InstanceReport) -> tuple[str, str]:
    """The instance's own report page: its style sheet and the inside of its ``<main>``."""
    page = render_html(member)
    style, main = _STYLE.search(page), _MAIN.search(page)
    return (style.group(1) if style else ""), (main.group(1) if main else "")


def section(body: str, name: str) -> Markup:
    """The inside of an instance's page as a section of the fleet page: ids prefixed, h1 dropped."""
    prefix = slug(name)
    body = _H1.sub("", body, count=1)
    body = _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", body)
    body = _ID_ATTRIBUTES.sub(
        lambda m: f'{m.group(1)}="' + " ".join(f"{prefix}-{i}" for i in m.group(2).split()) + '"', body
    )
    body = _FRAGMENT.sub(lambda m: f'href="#{prefix}-{m.group(1)}"', body)
    # Our own template's output, escaped when it was rendered: marked safe so it is not escaped twice.
    return Markup(body)  # noqa: S704


def result_ids(instances: list[InstanceReport]) -> dict[str, str]:
    """Every result id of the fleet with its title, in checklist order (checks as first met, items within)."""
    found: dict[str, tuple[str, str]] = {}
    for member in instances:
        for result in member.results:
            found.setdefault(result.id, (result.check, result.title))
    order = {check: index for index, check in enumerate(dict.fromkeys(check for check, _ in found.values()))}
    ids = sorted(found, key=lambda rid: order[found[rid][0]])  # stable: items keep the order first met
    return {rid: found[rid][1] for rid in ids}


def matrix(run: RunReport) -> list[tuple[str, str, list[tuple[CheckResult | None, str]]]]:
    """Rows of the matrix: (result id, title, [(each instance's result or None, the link to its card)])."""
    columns = []
    for member in run.instances:
        numbered = {result.id: number for number, result in enumerate(ordered(member.results), 1)}
        by_id = {result.id: result for result in member.results}
        columns.append((slug(member.name), numbered, by_id))
    rows = []
    for result_id, title in result_ids(run.instances).items():
        cells: list[tuple[CheckResult | None, str]] = []
        for key, numbered, by_id in columns:
            found = by_id.get(result_id)
            cells.append((found, f"#{key}-result-{numbered[result_id]}" if found else ""))
        rows.append((result_id, title, cells))
    return rows


def render_fleet_html(run: RunReport) -> str:
    """The fleet's go/no-go page: the verdict, the matrix, then each instance's section."""
    script, script_hash = _script()
    go = run.run.verdict is Verdict.GO
    names = ", ".join(member.name for member in run.instances)
    pages = [(member, *_page(member)) for member in run.instances]
    return _ENV.get_template(FLEET_TEMPLATE).render(
        run=run,
        info=run.run,
        host=f"{len(run.instances)} instances ({names})",
        go=go,
        verdict_word="GO" if go else "NO-GO",
        results=[],
        anchors={},
        # The single page's own style sheet, so the sections look as their pages do (our file, not data).
        style=Markup(pages[0][1] if pages else ""),  # noqa: S704
        members=[(member, slug(member.name), section(body, member.name)) for member, _, body in pages],
        rows=matrix(run),
        no_go=[(m, slug(m.name)) for m in run.instances if m.run.verdict is Verdict.NO_GO or m.problem],
        styles=OUTCOME_STYLES,
        started=utc_iso(run.run.started_at),
        safe_href=safe_href,
        script=script,
        script_hash=script_hash,
    )


def render_fleet_junit(run: RunReport) -> str:
    """One ``<testsuite>`` per instance, each its own run's suite renamed after it; an instance that was not
    judged is one error. The root ``<testsuites>`` sums them up."""
    suites = []
    for member in run.instances:
        document = ET.fromstring(render_junit(member).encode())  # noqa: S314 - our own XML, just rendered
        suite = document if document.tag == "testsuite" else document.find("testsuite")
        if suite is None:  # pragma: no cover - render_junit writes one suite for one instance
            raise ValueError(f"junit.xml of instance {member.name} holds no <testsuite>")
        suite.set("name", member.name)
        group = re.sub(r"[^A-Za-z0-9_]", "_", member.name)
        for case in suite.findall("testcase"):
            case.set("classname", f"snow_preflight.{group}." + case.get("classname", "").rpartition(".")[2])
        if member.problem:
            case = ET.SubElement(
                suite, "testcase", name="instance_judged", classname=f"snow_preflight.{group}", time="0.000"
            )
            ET.SubElement(case, "error", message=member.problem, type="internal")
            for key in ("tests", "errors"):
                suite.set(key, str(int(suite.get(key, "0")) + 1))
        suites.append(suite)
    root = ET.Element("testsuites")
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in suites)))
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
