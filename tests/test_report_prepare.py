"""A run prepares the report renderers while the instance answers: rendering afterwards compiles nothing."""

from __future__ import annotations

import pytest
from report_samples import sample_run

from snow_preflight.reports import html


def test_rendering_a_prepared_page_compiles_no_template(monkeypatch: pytest.MonkeyPatch) -> None:
    html.prepare()
    compiled: list[str | None] = []
    compile_template = html._ENV.compile

    def spy(source: str, name: str | None = None, *args: object, **kwargs: object) -> object:
        compiled.append(name)
        return compile_template(source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(html._ENV, "compile", spy)
    assert html.render_html(sample_run()).startswith("<!DOCTYPE html>")
    assert compiled == []
