"""report.html: the change manager's go/no-go page, checked as text and as parsed HTML."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from html.parser import HTMLParser

import pytest
from jinja2 import StrictUndefined
from report_samples import IMG_MARKUP, NASTY, SCRIPT_MARKUP, nasty_run, passing_run, sample_run

from snow_preflight.reports import html as html_report
from snow_preflight.reports.html import render_html
from snow_preflight.reports.model import Outcome
from snow_preflight.severity import Severity

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class StrictParser(HTMLParser):
    """Parses HTML and records every imbalance of tags, plus the facts the accessibility tests need."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.starts.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag not in VOID:
            self.stack.append(tag)
        self._in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.problems.append(f"self-closing non-void <{tag}/> at {self.getpos()}")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False
        if tag in VOID:
            self.problems.append(f"end tag for void <{tag}> at {self.getpos()}")
        elif not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1:]!r}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.starts if tag == name]


def parse(text: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(text)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(sample_run(planted=True))


@pytest.fixture(scope="module")
def parsed(page: str) -> StrictParser:
    return parse(page)


def outcomes_in_order(page: str) -> list[str]:
    """The outcome of every result on the page, in page order: finding cards, then one-line rows."""
    return re.findall(r'<(?:article|details) class="check"[^>]*data-outcome="([a-z]+)"', page)


def test_page_tags_balance(parsed: StrictParser) -> None:
    """Every element of the page is closed in order, no void element is closed, and none is left open."""
    assert parsed.problems == []
    assert parsed.stack == []


def test_page_is_html5_with_lang_and_charset(page: str, parsed: StrictParser) -> None:
    """The page starts with the HTML5 doctype, declares lang="en" and a UTF-8 charset."""
    assert page.startswith("<!DOCTYPE html>\n")
    assert parsed.tags("html") == [{"lang": "en"}]
    assert {"charset": "utf-8"} in parsed.tags("meta")


def test_ids_are_unique(parsed: StrictParser) -> None:
    """No two elements share an id."""
    assert len(parsed.ids) == len(set(parsed.ids))


def test_one_h1_and_headings_do_not_skip_levels(parsed: StrictParser) -> None:
    """There is exactly one h1, and no heading is more than one level below the one before it."""
    levels = [int(tag[1]) for tag, _ in parsed.starts if re.fullmatch(r"h[1-6]", tag)]
    assert levels.count(1) == 1
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))


def test_every_table_has_a_caption_and_every_th_a_scope(page: str, parsed: StrictParser) -> None:
    """Each data table has a caption, each header cell says whether it heads a row or a column, and the one
    layout table (whose head repeats the instance and verdict on printed pages) says it is presentation."""
    tables = parsed.tags("table")
    layout = [t for t in tables if t.get("role") == "presentation"]
    assert [t.get("class") for t in layout] == ["sheet"]
    assert len(tables) - len(layout) == page.count("<caption>") > 0
    assert all(attrs.get("scope") in ("row", "col") for attrs in parsed.tags("th"))


def test_planted_markup_is_escaped(page: str, parsed: StrictParser) -> None:
    """Markup from the instance is written as escaped text: no img element and only our one script."""
    assert IMG_MARKUP not in page
    assert SCRIPT_MARKUP not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert parsed.tags("img") == []
    assert len(parsed.tags("script")) == 1


def test_template_is_autoescaped_with_strict_undefined() -> None:
    """The .j2 template is autoescaped, and an undefined name is an error, not an empty string."""
    env = html_report._ENV
    template = env.get_template(html_report.TEMPLATE)
    assert template.environment.autoescape(html_report.TEMPLATE) is True
    assert env.undefined is StrictUndefined


def test_csp_forbids_network_and_allows_only_our_script(parsed: StrictParser) -> None:
    """The CSP meta forbids every load by default and allows the one inline script by its SHA-256 hash."""
    [csp] = [a for a in parsed.tags("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    policy = str(csp["content"])
    assert "default-src 'none'" in policy
    assert "img-src data:" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    [script] = parsed.scripts
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy


def test_page_loads_nothing_from_outside(page: str, parsed: StrictParser) -> None:
    """The page has no src attribute, no stylesheet link, no CSS url() or @import: it is self-contained."""
    assert not any("src" in attrs for _, attrs in parsed.starts)
    assert parsed.tags("link") == []
    assert "url(" not in page
    assert "@import" not in page


def test_links_open_safely_and_only_over_http(parsed: StrictParser) -> None:
    """Every link out of the page points at an http(s) URL and carries rel="noopener noreferrer"."""
    anchors = [a for a in parsed.tags("a") if not str(a["href"]).startswith("#")]  # in-page: to a card
    assert anchors
    assert all(str(a["href"]).startswith("https://acme.service-now.com") for a in anchors)
    assert all(a.get("rel") == "noopener noreferrer" for a in anchors)


def test_javascript_urls_are_never_links() -> None:
    """A javascript: URL from the instance is shown as text, never as an href."""
    page = render_html(nasty_run())
    assert 'href="javascript' not in page.lower()
    assert "javascript:alert(" in page


def test_failed_and_error_come_first_by_severity_then_skipped_then_passed(page: str) -> None:
    """Checks are listed failed/error first, critical before lower severities, then skipped, then passed."""
    order = outcomes_in_order(page)
    assert order == sorted(order, key=lambda o: {"failed": 0, "error": 0, "skipped": 1, "passed": 2}[o])
    severities = re.findall(r'data-outcome="(?:failed|error)" data-severity="([a-z]+)"', page)
    assert severities == sorted(severities, key=lambda s: Severity(s).rank)
    assert severities[0] == "critical"


def test_every_result_appears_once(page: str) -> None:
    """Each result of the model is one article on the page."""
    run = sample_run(planted=True)
    assert len(outcomes_in_order(page)) == len(run.results)
    for result in run.results:
        assert page.count(f"id <code>{result.id}</code> &middot;") == 1


def test_outcome_is_written_as_word_and_symbol(page: str) -> None:
    """Each outcome shows a word and a symbol, so colour is never the only signal."""
    for label in ("\u2717 FAILED", "\u26a0 ERROR", "\u2298 SKIPPED", "\u2713 PASSED"):
        assert label in page


def test_verdict_no_go_names_the_gate_and_counts(page: str) -> None:
    """A run with a critical failure under gate high reads NO-GO, names the gate and counts by outcome."""
    assert "&#x2717; NO-GO</p>" in page
    assert "3 results at or above the gate severity <strong>high</strong>" in page
    assert (
        '<td class="num">3</td><td class="num">1</td><td class="num">1</td><td class="num">5</td>'
        '<td class="num">10</td>'
    ) in page


def test_verdict_go_when_nothing_blocks() -> None:
    """A run where every check passed reads GO."""
    page = render_html(passing_run())
    assert "&#x2713; GO</p>" in page
    assert "NO-GO" not in page


def test_evidence_is_a_table_and_remediation_an_ordered_list(page: str) -> None:
    """Evidence is a label/value table with deep links; remediation is a numbered list in UI words."""
    assert '<tr><th scope="row">Use MID Server</th>' in page
    assert (
        '<a href="https://acme.service-now.com/sys_rest_message_fn.do?sys_id=0f1e2d3c4b5a69788796a5b4c3d2e1f0"'
        ' rel="noopener noreferrer" target="_blank">POST - Run Webhook</a>'
    ) in page
    assert "<li>System Web Services &gt; REST Message &gt; Rundeck - API &gt; HTTP Methods" in page


def test_run_facts_and_request_log_are_shown(page: str) -> None:
    """The page states instance, login, version, UTC start, duration, gate, Python, platform, requests."""
    for fact in (
        "https://acme.service-now.com",
        "<code>rundeck.integration</code>",
        "snow-preflight 0.1.0",
        '<time datetime="2024-05-01T09:30:00Z">',
        "1.84 s",
        "3.11.7",
        "Linux-6.1.0-x86_64-with-glibc2.36",
        "5 requests to the instance",
        '<td class="mono">/api/now/table/sys_user_has_role</td><td class="num">200</td>'
        '<td class="num">102</td>',
        "timeout (2 retries)",
    ):
        assert fact in page


def test_nasty_strings_become_visible_escapes() -> None:
    """Control characters and lone surrogates show as escape text; emoji stay; the page encodes as UTF-8."""
    page = render_html(nasty_run())
    page.encode("utf-8")
    assert "\x00" not in page
    assert "\\x00" in page
    assert "\\ud800" in page
    assert NASTY["emoji"] in page
    assert "[196000 more characters in report.json]" in page
    assert parse(page).problems == []


def test_output_is_deterministic() -> None:
    """The same model renders to the same text."""
    assert render_html(sample_run(planted=True)) == render_html(sample_run(planted=True))


def test_blocked_by_is_named_for_skipped(page: str) -> None:
    """A skipped check names the check that blocked it."""
    assert "blocked by <code>login_has_role[web_service_admin]</code>" in page


def test_sort_keeps_checklist_order_for_ties() -> None:
    """Results that tie on outcome group and severity keep the checklist's order."""
    run = sample_run()
    passed = [r.id for r in html_report.ordered(run.results) if r.outcome is Outcome.PASSED]
    assert passed == [r.id for r in run.results if r.outcome is Outcome.PASSED]
