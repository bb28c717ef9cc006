"""report.html as each audience reads it: the verdict box, the Run section, one-line rows, the printed page.

Checked as text; tests/test_browser.py checks the same page in a real browser, on a phone and printed.
"""

from __future__ import annotations

import re

import pytest
from report_samples import passing_run, sample_run

from snow_preflight.reports import html as html_report
from snow_preflight.reports.html import render_html
from snow_preflight.reports.model import Expected


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(sample_run(planted=True))


def test_print_stylesheet_is_compact_and_repeats_the_verdict(page: str) -> None:
    """In print the filter is hidden, findings stay whole, passed rows stay one line, and the layout table's
    head (instance and verdict) is a table header group, which Chromium repeats on every page."""
    printing = page.split("@media print", 1)[1]
    assert "#filters" in printing
    assert "break-inside: avoid" in printing
    assert "text-overflow: ellipsis" in printing
    assert "table.sheet > thead { display: table-header-group; }" in printing
    [head] = re.findall(r'<thead><tr><td class="runhead">(.*?)</td></tr></thead>', page)
    assert "<strong>acme.service-now.com</strong>" in head
    assert '<strong class="no-go">NO-GO</strong>' in head


def test_verdict_box_names_each_decisive_result_with_a_link_to_its_card(page: str) -> None:
    """The verdict box lists every result that decides the NO-GO: id, severity, outcome, message, and a link
    to the card with that id; nothing below the gate is listed there."""
    run = sample_run(planted=True)
    box = page.split('id="verdict"', 1)[1].split("</section>", 1)[0]
    items = re.findall(
        r'<li><a href="#(result-\d+)"><code>([^<]+)</code></a> <span class="sev">(\w+)</span>', box
    )
    decisive = [r for r in html_report.ordered(run.results) if r.fails_gate(run.run.gate)]
    assert [(item_id, severity) for _, item_id, severity in items] == [
        (r.id.replace("'", "&#39;"), r.severity.value) for r in decisive
    ]
    for anchor, item_id, _ in items:
        assert re.search(
            f'<article class="check" id="{anchor}"[^>]*>\\n<h4[^>]*>.*\\n<p class="meta">[^\\n]*'
            f"<code>{re.escape(item_id)}</code>",
            page,
        )
    assert "1 finding below the gate does not decide it" in box
    assert '<a href="#unverified">what was not verified, and why</a>' in box


def test_go_box_links_to_what_was_not_verified() -> None:
    """A GO page says nothing at or above the gate failed, lists no decisive result, and says whether
    everything could be verified."""
    page = render_html(passing_run())
    box = page.split('id="verdict"', 1)[1].split("</section>", 1)[0]
    assert 'class="decisive"' not in box
    assert "No result at or above the gate severity <strong>high</strong> failed" in box
    assert "Every result could be verified with this login." in box


def test_passed_and_skipped_results_are_one_line_rows_that_open_without_script(page: str) -> None:
    """Each skipped or passed result is a closed details row whose summary shows outcome, id, severity and
    message; its evidence is inside the row; failed and error results are full cards."""
    rows = re.findall(
        r'<details class="check" id="result-\d+" data-outcome="(\w+)"[^>]*>\n<summary>(.*?)</summary>', page
    )
    assert {outcome for outcome, _ in rows} == {"passed", "skipped"}
    assert len(rows) == 6
    summary = next(s for o, s in rows if "app_installed" in s)
    assert (
        '<span class="badge o-passed">\u2713 PASSED</span> <code>app_installed</code> <span class="sev">critical</span>'
        in summary
    )
    cards = re.findall(r'<article class="check"[^>]*data-outcome="(\w+)"', page)
    assert set(cards) == {"failed", "error"}
    assert " open" not in "".join(re.findall(r"<details[^>]*>", page))


def test_run_section_states_who_where_and_the_expectations() -> None:
    """The Run section names the OS user and host, links the CI job, names the config file, and lists the
    expectations used: app scope, REST message, roles, expected MID Server, heartbeat limit, gate."""
    run = sample_run(planted=True)
    info = run.run.model_copy(
        update={
            "os_user": "jenkins",
            "host": "ci-agent-07",
            "ci_job_url": "https://ci.example.com/job/preflight/42/",
            "config_file": "snow-preflight.toml",
            "expected": Expected(
                app_scope="x_pd_process_autom",
                rest_message="Rundeck - API",
                required_roles=["web_service_admin", "x_pd_process_autom.app_user"],
                expected_mid="mid-prod-01",
                heartbeat_max_age_minutes=15,
            ),
        }
    )
    page = render_html(run.model_copy(update={"run": info}))
    section = page.split('<section id="run"', 1)[1]
    for fact in (
        '<th scope="row">Run by</th><td><code>jenkins</code> on <code>ci-agent-07</code></td>',
        '<a href="https://ci.example.com/job/preflight/42/" rel="noopener noreferrer" target="_blank">',
        '<th scope="row">Config file</th><td><code>snow-preflight.toml</code></td>',
        '<th scope="row">App scope</th><td><code>x_pd_process_autom</code></td>',
        '<th scope="row">REST message</th><td>Rundeck - API</td>',
        "<code>web_service_admin</code>, <code>x_pd_process_autom.app_user</code>",
        '<th scope="row">Expected MID Server</th><td><code>mid-prod-01</code></td>',
        '<th scope="row">Heartbeat limit</th><td>15 min</td>',
        "<code>--fail-on high</code>",
        "<code>--junit-below-gate failure</code>",
    ):
        assert fact in section
