"""report.html in a real headless Chromium (Debian's ``chromium``), driven by Playwright.

Needs ``apt-get install -y chromium`` and ``pip install -e '.[test]'`` (Playwright's Python API). The
browser is never downloaded by Playwright: we launch the system one. In CI (``CI`` set) a missing browser
is a failure, so CI cannot go green without ever opening the page; on a developer's machine it is a skip
whose reason says how to install it, so the README's test command still works where Chromium is absent.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from report_samples import IMG_MARKUP, SCRIPT_MARKUP, sample_run
from snow_preflight.reports.model import RunReport
from snow_preflight.reports.writer import write_reports

from snow_preflight.redaction import Redactor

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


def test_verdict_is_visible_in_the_first_viewport(
    opened: tuple[Page, Watch], request: pytest.FixtureRequest
) -> None:
    """The NO-GO verdict lies wholly inside the first 1280x800 viewport; a screenshot is saved."""
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
    artifacts = request.config.rootpath / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "report.png"))
    extra = os.environ.get("SNOW_PREFLIGHT_SCREENSHOT")
    if extra:
        Path(extra).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=extra)
    assert (artifacts / "report.png").stat().st_size > 0


def test_failed_checks_come_before_passed_in_dom_order(opened: tuple[Page, Watch]) -> None:
    """In the DOM, every failed or error check comes before the first passed one."""
    page, _ = opened
    order: list[str] = page.eval_on_selector_all(
        "article.check", "rows => rows.map(row => row.dataset.outcome)"
    )
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
    assert page.get_by_text(IMG_MARKUP, exact=True).is_visible()
    assert page.get_by_text(SCRIPT_MARKUP, exact=False).first.is_visible()
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    page.wait_for_timeout(200)
    assert watch.dialogs == []


def test_filter_hides_passed_checks(opened: tuple[Page, Watch]) -> None:
    """With JavaScript on, unticking Passed hides the passed checks and keeps the failed ones."""
    page, _ = opened
    page.locator("#filters input[data-outcome='passed']").uncheck()
    assert page.locator("article.check[data-outcome='passed']").first.is_hidden()
    assert page.locator("article.check[data-outcome='failed']").first.is_visible()


def test_every_check_is_visible_without_javascript(
    browser: Browser, report_file: Path, report_run: RunReport
) -> None:
    """With JavaScript disabled, every check and the verdict are visible and the filter stays hidden."""
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(report_file.as_uri(), wait_until="load")
        rows = page.locator("article.check")
        assert rows.count() == len(report_run.results)
        for index in range(rows.count()):
            assert rows.nth(index).is_visible()
        assert page.locator("#verdict-word").is_visible()
        assert page.locator("#filters").is_hidden()
    finally:
        context.close()


def test_print_view_expands_details_and_hides_the_filter(opened: tuple[Page, Watch]) -> None:
    """In print media the filter is hidden and the collapsed request log is shown."""
    page, _ = opened
    assert page.locator("table.requests").is_hidden()
    page.emulate_media(media="print")
    assert page.locator("#filters").is_hidden()
    assert page.locator("table.requests").is_visible()
