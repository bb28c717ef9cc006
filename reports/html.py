"""``report.html``: the change manager's go/no-go page, as a pure function of the result model.

The page is one self-contained file meant to be attached to a change record or mailed: inline CSS, no
external fonts, scripts or images, and a Content-Security-Policy that forbids every network load. It reads
fully with JavaScript off (skipped and passed results are ``<details>`` rows that open without it); the
one inline script only adds a filter by outcome, and it is allowed by its SHA-256 hash, not by
``'unsafe-inline'``, so even a markup injection that slipped past autoescape could not run a script.

Everything taken from the instance reaches the template as plain ``str`` and is escaped by Jinja's
autoescape; only our own static script is marked safe.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup

from snow_preflight.reports.model import CheckResult, Outcome, RunReport, Verdict
from snow_preflight.reports.text import clip, visible
from snow_preflight.severity import Severity

TEMPLATE = "report.html.j2"
SCRIPT = "filter.js"


def _finalize(value: object) -> object:
    """Every ``{{ value }}``: instance text is clipped and its unfit characters shown as escapes.

    Markup (only our own script) passes untouched; everything else is then autoescaped by Jinja.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(clip(value))
    return value


_ENV = Environment(
    loader=PackageLoader("snow_preflight.reports", "templates"),
    # ".j2" is listed so that "report.html.j2" is escaped; default=True escapes any other name too.
    autoescape=select_autoescape(
        enabled_extensions=("html", "htm", "xml", "j2"), default_for_string=True, default=True
    ),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    finalize=_finalize,
)


@dataclass(frozen=True)
class OutcomeStyle:
    """How one outcome is shown: a word and a symbol, so colour is never the only signal."""

    label: str
    symbol: str


OUTCOME_STYLES: dict[Outcome, OutcomeStyle] = {
    Outcome.FAILED: OutcomeStyle("FAILED", "\u2717"),  # ✗
    Outcome.ERROR: OutcomeStyle("ERROR", "\u26a0"),  # ⚠
    Outcome.SKIPPED: OutcomeStyle("SKIPPED", "\u2298"),  # ⊘
    Outcome.PASSED: OutcomeStyle("PASSED", "\u2713"),  # ✓
}

# Failed and error first (the reader's to-do list), then skipped, then passed.
_OUTCOME_GROUP = {Outcome.FAILED: 0, Outcome.ERROR: 0, Outcome.SKIPPED: 1, Outcome.PASSED: 2}
_OUTCOME_TIE = {Outcome.FAILED: 0, Outcome.ERROR: 1, Outcome.SKIPPED: 0, Outcome.PASSED: 0}


def ordered(results: list[CheckResult]) -> list[CheckResult]:
    """Results in reading order: failed/error by severity (critical first), then skipped, then passed.

    The sort is stable, so results that tie keep the checklist's own order.
    """
    return sorted(
        results,
        key=lambda r: (_OUTCOME_GROUP[r.outcome], r.severity.rank, _OUTCOME_TIE[r.outcome]),
    )


def safe_href(url: str | None) -> str | None:
    """*url* when it is an absolute http(s) URL, else None; a ``javascript:`` link is never a link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def utc_iso(moment: datetime) -> str:
    """*moment* in UTC as ``2024-05-01T09:30:00Z``; a naive time is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def host_of(instance: str) -> str:
    return urlsplit(instance).hostname or instance


@functools.cache
def _script() -> tuple[Markup, str]:
    """Our own static script, and the CSP source that allows exactly it (read once per process)."""
    source, _, _ = _ENV.loader.get_source(_ENV, SCRIPT)  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    # Marked safe because it is a file of this package, never data from the instance.
    return Markup(source), f"'sha256-{digest}'"  # noqa: S704


@functools.cache
def _template() -> Template:
    """The page's template, compiled once per process: compiling costs more than rendering it."""
    return _ENV.get_template(TEMPLATE)


def prepare() -> None:
    """Compile the page's templates and read the script now, so that rendering costs only the rendering.

    A run calls it while the instance is still answering, when the work costs no time of its own. The
    partials the page includes (``_name.html.j2``) and its style sheet (``report.css``) are compiled too:
    Jinja would compile each one on first use, in the middle of the render. A template used only sometimes
    (the fleet page) waits until it is.
    """
    _template()
    for name in _ENV.list_templates(filter_func=_included):
        _ENV.get_template(name)
    _script()


def _included(name: str) -> bool:
    """True for a template every page includes: a partial (``_name.html.j2``) or the style sheet."""
    base = name.rpartition("/")[2]
    return base.startswith("_") or base.endswith(".css")


def render_html(run: RunReport) -> str:
    """The go/no-go page for *run*, as one self-contained HTML5 document."""
    if run.instances:  # a fleet: its matrix, then each instance's own page as a section
        from snow_preflight.reports.fleet import render_fleet_html

        return render_fleet_html(run)
    script, script_hash = _script()
    template = _template()
    results = ordered(run.results)
    gate = run.run.gate
    go = run.run.verdict is Verdict.GO
    return template.render(
        run=run,
        info=run.run,
        host=host_of(run.run.instance),
        go=go,
        verdict_word="GO" if go else "NO-GO",
        results=results,
        # Each result's card or row, by result id: the verdict box and the lists link to it.
        anchors={result.id: f"result-{number}" for number, result in enumerate(results, 1)},
        blocking=[r for r in results if r.fails_gate(gate)],
        below=[r for r in results if r.gating and not r.waived and not r.fails_gate(gate)],
        unverified=[r for r in results if r.outcome is Outcome.ERROR],
        findings=[r for r in results if r.gating],
        others=[r for r in results if not r.gating],
        styles=OUTCOME_STYLES,
        outcomes=list(OUTCOME_STYLES),
        severities=list(Severity),
        started=utc_iso(run.run.started_at),
        safe_href=safe_href,
        script=script,
        script_hash=script_hash,
    )
