"""report.html in a real headless Chromium (Debian's ``chromium``), driven by Playwright.

A sample run checks the page's behaviour (escaping, filter, no script needed); the reports of simulator
scenarios (``typical``, ``healthy``, ``mid_table_hidden`` for what could not be verified, ``large`` for size)
check what each audience reads: the verdict box names what decides it, a 390 px phone never scrolls
sideways, and printed to PDF page 1 carries the verdict and the decisive findings, every page names the
instance and the verdict, and the page counts stay small. Screenshots and PDFs are kept in
``test-artifacts/``; ``docs/report.png`` is copied from ``test-artifacts/report-typical.png``.

Needs ``apt-get install -y chromium`` and ``pip install -e '.[test]'`` (Playwright's Python API). The
browser is never downloaded by Playwright: we launch the system one. In CI (``CI`` set) a missing browser
is a failure, so CI cannot go green without ever opening the page; on a developer's machine it is a skip
whose reason says how to install it, so the README's test command still works where Chromium is absent.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pdf_text import compact, page_count, page_texts
from report_samples import IMG_MARKUP, SCRIPT_MARKUP, passing_run, sample_run

from snow_preflight.redaction import Redactor
from snow_preflight.reports.html import host_of
from snow_preflight.reports.model import Outcome, RunReport, Verdict
from snow_preflight.reports.writer import write_reports
from snow_preflight.run import RunOutcome

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
#: Scenarios read as each audience would: NO-GO, GO, and NO-GO decided by what could not be verified.
SCENARIOS = ("typical", "healthy", "mid_table_hidden")
#: Most pages each may print on (A4): an all-green report two, the 40-method instance eight.
PAGE_LIMITS = {"healthy": 2, "large": 8, "typical": 4, "mid_table_hidden": 4}
INSTALL = (
    "Install them with: apt-get update && apt-get install -y chromium; pip install -e '.[test]'"
    " (never 'playwright install': the tests use the system browser at /usr/bin/chromium)."
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright  # imported here to fail with advice
    except ImportError:
        pytest.fail(f"Playwright's Python package is missing. {INSTALL}", pytrace=False)
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}. {INSTALL}", pytrace=False)
        pytest.skip(f"Chromium is missing at {CHROMIUM}: the report is not checked in a browser. {INSTALL}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def report_run() -> RunReport:
    return sample_run(planted=True)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory, report_run: RunReport) -> Path:
    paths = write_reports(report_run, tmp_path_factory.mktemp("browser"), Redactor())
    return paths["html"]


class Watch:
    """Everything the page did that it should not: requests, console errors, dialogs."""

    def __init__(self, page: Page) -> None:
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def opened(browser: Browser, report_file: Path) -> Iterator[tuple[Page, Watch]]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    watch = Watch(page)
    page.goto(report_file.as_uri(), wait_until="load")
    try:
        yield page, watch
    finally:
        context.close()


def test_verdict_is_visible_in_the_first_viewport(opened: tuple[Page, Watch]) -> None:
    """The NO-GO verdict lies wholly inside the first 1280x800 viewport."""
    page, _ = opened
    verdict = page.locator("#verdict-word")
    assert verdict.is_visible()
    assert "NO-GO" in verdict.inner_text()
    box = verdict.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["y"] >= 0
    assert box["x"] + box["width"] <= VIEWPORT["width"]
    assert box["y"] + box["height"] <= VIEWPORT["height"]


def test_failed_checks_come_before_passed_in_dom_order(opened: tuple[Page, Watch]) -> None:
    """In the DOM, every failed or error check comes before the first passed one."""
    page, _ = opened
    order: list[str] = page.eval_on_selector_all(".check", "rows => rows.map(row => row.dataset.outcome)")
    assert "failed" in order
    assert "passed" in order
    last_gating = max(i for i, outcome in enumerate(order) if outcome in ("failed", "error"))
    assert last_gating < order.index("passed")


def test_page_makes_no_request_but_itself(opened: tuple[Page, Watch], report_file: Path) -> None:
    """The only request the page causes is the load of the file itself."""
    page, watch = opened
    page.wait_for_load_state("networkidle")
    assert watch.requests == [report_file.as_uri()]


def test_no_console_errors(opened: tuple[Page, Watch]) -> None:
    """The page logs no console error: the CSP lets our script run and blocks nothing the page needs."""
    page, watch = opened
    page.locator("#filters").wait_for(state="visible")
    assert watch.console_errors == []


def test_planted_markup_shows_as_text_and_never_runs(opened: tuple[Page, Watch]) -> None:
    """Markup planted in instance fields is visible as text; no dialog opens and no img element exists."""
    page, watch = opened
    assert page.get_by_text(IMG_MARKUP, exact=True).first.is_visible()
    assert page.get_by_text(SCRIPT_MARKUP, exact=False).first.is_visible()
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    page.wait_for_timeout(200)
    assert watch.dialogs == []


def test_filter_hides_passed_checks(opened: tuple[Page, Watch]) -> None:
    """With JavaScript on, unticking Passed hides the passed rows and keeps the failed cards."""
    page, _ = opened
    page.locator("#filters input[data-outcome='passed']").uncheck()
    assert page.locator(".check[data-outcome='passed']").first.is_hidden()
    assert page.locator(".check[data-outcome='failed']").first.is_visible()


def test_every_check_is_visible_without_javascript(
    browser: Browser, report_file: Path, report_run: RunReport
) -> None:
    """With JavaScript disabled, every finding card and every passed or skipped row is visible, a row opens
    to its evidence on a click, and the filter stays hidden."""
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(report_file.as_uri(), wait_until="load")
        rows = page.locator(".check")
        assert rows.count() == len(report_run.results)
        for index in range(rows.count()):
            assert rows.nth(index).is_visible()
        row = page.locator("details.check[data-outcome='passed']").first
        assert row.locator("table.evidence").is_hidden()
        row.locator("summary").click()
        assert row.locator("table.evidence").is_visible()
        assert page.locator("#verdict-word").is_visible()
        assert page.locator("#filters").is_hidden()
    finally:
        context.close()


def test_print_view_hides_the_filter_and_keeps_rows_to_one_line(opened: tuple[Page, Watch]) -> None:
    """In print media the filter is hidden, the running head shows, and a passed row is one line tall."""
    page, _ = opened
    assert page.locator(".runhead").is_hidden()
    page.emulate_media(media="print")
    assert page.locator("#filters").is_hidden()
    assert page.locator(".runhead").is_visible()
    row = page.locator("details.check[data-outcome='passed'] > summary").first
    box = row.bounding_box()
    assert box is not None
    assert box["height"] < 20


# -- the reports of simulated instances, as each audience reads them ----------------------------------------


@pytest.fixture(scope="module")
def artifacts(request: pytest.FixtureRequest) -> Path:
    folder = request.config.rootpath / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder


def _open(browser: Browser, html: Path, viewport: ViewportSize) -> tuple[Page, Watch, Any]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    watch = Watch(page)
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, watch, context


def _judged(scenario_run: Callable[[str], RunOutcome], name: str) -> tuple[RunReport, Path]:
    outcome = scenario_run(name)
    assert outcome.report is not None
    return outcome.report, outcome.written["html"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_verdict_box_names_what_decides_it(
    browser: Browser, scenario_run: Callable[[str], RunOutcome], artifacts: Path, name: str
) -> None:
    """The verdict box names each result that decides a NO-GO, each a link to its card, and links to what
    could not be verified; a GO names none. The page loads nothing and logs no error. Screenshot kept."""
    report, html = _judged(scenario_run, name)
    page, watch, context = _open(browser, html, VIEWPORT)
    try:
        box = page.locator("#verdict")
        decisive = [r for r in report.results if r.fails_gate(report.run.gate)]
        assert (report.run.verdict is Verdict.GO) is (not decisive)
        links = box.locator("#decisive li > a")
        assert links.count() == len(decisive)
        assert sorted(links.all_inner_texts()) == sorted(r.id for r in decisive)
        for index in range(links.count()):
            target = str(links.nth(index).get_attribute("href"))
            assert page.locator(target).locator("code", has_text=links.nth(index).inner_text()).count() >= 1
        unverified = [r for r in report.results if r.outcome is Outcome.ERROR]
        assert (box.locator("a[href='#unverified']").count() == 1) is bool(unverified)
        assert page.locator("#unverified li").count() == len(unverified)
        assert watch.requests == [html.as_uri()]
        assert watch.console_errors == []
        page.screenshot(path=str(artifacts / f"report-{name}.png"))
        extra = os.environ.get("SNOW_PREFLIGHT_SCREENSHOT")
        if extra and name == "typical":
            Path(extra).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=extra)
    finally:
        context.close()


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_horizontal_scroll_on_a_phone(
    browser: Browser, scenario_run: Callable[[str], RunOutcome], artifacts: Path, name: str
) -> None:
    """At 390 px wide the page never scrolls sideways, with every finding and row opened; long URLs and
    values wrap inside their cards. Screenshot kept."""
    _, html = _judged(scenario_run, name)
    page, watch, context = _open(browser, html, PHONE)
    try:
        page.eval_on_selector_all("details", "all => all.forEach(d => d.open = true)")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        wider = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 391)"
            ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
        )
        assert wider == []
        assert watch.console_errors == []
        page.screenshot(path=str(artifacts / f"report-{name}-390px.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("name", [*SCENARIOS, "large"])
def test_printed_page_one_carries_the_verdict_and_every_page_names_it(
    browser: Browser, scenario_run: Callable[[str], RunOutcome], artifacts: Path, name: str
) -> None:
    """Printed to PDF (A4): page 1 shows the verdict and each decisive result, every page names the instance
    and the verdict, and the page count stays within its limit (healthy 2, large 8). PDF kept."""
    report, html = _judged(scenario_run, name)
    page, _, context = _open(browser, html, VIEWPORT)
    try:
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        context.close()
    (artifacts / f"report-{name}.pdf").write_bytes(pdf)
    texts = [compact(text) for text in page_texts(pdf)]
    assert len(texts) == page_count(pdf) <= PAGE_LIMITS[name]
    word = "GO" if report.run.verdict is Verdict.GO else "NO-GO"
    first = texts[0]
    assert f"Verdict{'✓' if word == 'GO' else '✗'}{word}" in first
    for result in report.results:
        if result.fails_gate(report.run.gate):
            assert compact(result.id) in first
    head = f"snow-preflight·{host_of(report.run.instance)}·{word}·"
    assert all(text.startswith(head) for text in texts)


def test_an_all_green_report_prints_on_two_pages_at_most(browser: Browser, tmp_path: Path) -> None:
    """A run where every check passed prints on at most two A4 pages, its GO on page 1."""
    html = write_reports(passing_run(), tmp_path, Redactor())["html"]
    page, _, context = _open(browser, html, VIEWPORT)
    try:
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        context.close()
    texts = [compact(text) for text in page_texts(pdf)]
    assert page_count(pdf) <= 2
    assert "Verdict✓GO" in texts[0]
