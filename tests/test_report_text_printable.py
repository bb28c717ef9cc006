"""visible() passes printable text through untouched: that shortcut is sound only while no character it must
replace is printable, which this test checks for every code point."""

from __future__ import annotations

from snow_preflight.reports.text import _UNFIT, visible


def test_no_unfit_character_is_printable() -> None:
    printable = [hex(code) for code in range(0x110000) if _UNFIT.match(chr(code)) and chr(code).isprintable()]
    assert printable == []
    assert not "\r".isprintable()


def test_printable_text_is_returned_as_it_is_and_the_rest_is_escaped() -> None:
    text = "GET - Projects routes through `mid01` (Up, validated) \u00e9 \U0001f680"
    assert visible(text) is text
    assert visible("a\r\nb\rc\x00d\ud800") == "a\nb\nc\\x00d\\ud800"
