"""The result model and its renderers, registered in one table that the writer and the bundle both use.

Every renderer is a pure function of :class:`~snow_preflight.reports.model.RunReport`. ``marker`` is text
that only a file we wrote contains, so the tool can recognise its own earlier reports (and never touch a
file someone else put in the folder).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from snow_preflight.reports.model import RunReport


@dataclass(frozen=True)
class Format:
    kind: str
    filename: str
    marker: str  # found in the first few KiB of every file of this format that snow-preflight wrote

    def render(self, run: RunReport) -> str:
        return _renderer(self.kind)(run)


def _renderer(kind: str) -> Callable[[RunReport], str]:
    # Imported when used: jinja2 and junit-xml are needed only by the run that renders.
    if kind == "json":
        from snow_preflight.reports.json_report import render_json

        return render_json
    if kind == "html":
        from snow_preflight.reports.html import render_html

        return render_html
    from snow_preflight.reports.junit import render_junit

    return render_junit


FORMATS: tuple[Format, ...] = (
    Format("json", "report.json", '"schema_version"'),
    Format("html", "report.html", '<meta name="generator" content="snow-preflight'),
    Format("junit", "junit.xml", 'name="snow_preflight.version"'),
)
