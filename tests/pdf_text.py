"""The pages of a PDF that Chromium printed, and the text on each: enough PDF to check a printed report.

Not a test module (no ``test_`` prefix). Chromium (Skia) writes each page as an object ``/Type /Page`` with
one content stream, and its text as glyph ids of Type0 fonts whose ``/ToUnicode`` CMap maps them back to
characters; this reads exactly that, so a test can say what page 1 shows without a PDF library.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_LENGTH = re.compile(rb"/Length\s+(\d+)\b(?!\s+\d+\s+R)")
_REF = re.compile(rb"/(\w+)\s+(\d+)\s+0\s+R")
_SHOW = re.compile(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|(T\*|ET|Td|TD|Tm)\b")


def page_count(pdf: bytes) -> int:
    """How many pages *pdf* has: its ``/Type /Page`` objects (``/Pages`` is the tree, not a page)."""
    return len(_PAGE.findall(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page of *pdf*, in page order; runs of text are separated by spaces."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}
    root = next(body for body in objects.values() if re.search(rb"/Type\s*/Catalog\b", body))
    top = re.search(rb"/Pages\s+(\d+)\s+0\s+R", root)
    assert top, "the catalog names no page tree"
    return [_page_text(objects, page) for page in _pages(objects, int(top.group(1)))]


def _pages(objects: dict[int, bytes], number: int) -> list[bytes]:
    """The pages under the page-tree node *number*, in order (a long document nests its nodes)."""
    node = objects[number]
    if _PAGE.search(node):
        return [node]
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", node)
    assert kids, f"page-tree node {number} names no kids"
    return [
        page for kid in re.findall(rb"(\d+)\s+0\s+R", kids.group(1)) for page in _pages(objects, int(kid))
    ]


def compact(text: str) -> str:
    """*text* without white space and with ligatures undone (the font writes "fl" as one glyph): how PDF
    text is compared, since Chromium places glyphs one by one."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _stream(body: bytes) -> bytes:
    found = _STREAM.search(body)
    assert found, "an object without a stream"
    raw = found.group(1)
    # The dictionary's direct /Length says where the data ends: compressed data may itself end in a byte
    # 0x0D, which the end-of-line pattern above would take for part of the line break and cut off.
    length = _LENGTH.search(body[: found.start()])
    if length:
        start = found.start(1)
        raw = body[start : start + int(length.group(1))]
    return zlib.decompress(raw) if b"/FlateDecode" in body[: found.start()] else raw


def _cmap(stream: bytes) -> dict[int, str]:
    """A ToUnicode CMap's glyph id → text, from its bfchar and bfrange sections."""
    mapping: dict[int, str] = {}
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for glyph, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            mapping[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, start in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section
        ):
            first = int(start, 16)
            for offset, glyph in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[glyph] = chr(first + offset)
    return mapping


def _page_text(objects: dict[int, bytes], page: bytes) -> str:
    fonts: dict[bytes, dict[int, str]] = {}
    font_dict = re.search(rb"/Font\s*<<(.*?)>>", page, re.S)
    for name, number in _REF.findall(font_dict.group(1) if font_dict else b""):
        unicode_ref = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", objects[int(number)])
        fonts[name] = _cmap(_stream(objects[int(unicode_ref.group(1))])) if unicode_ref else {}
    contents = re.search(rb"/Contents\s+(\d+)\s+0\s+R", page)
    assert contents, "a page without content"
    text: list[str] = []
    cmap: dict[int, str] = {}
    for match in _SHOW.finditer(_stream(objects[int(contents.group(1))])):
        font, glyphs, move = match.groups()
        if font is not None:
            cmap = fonts.get(font, {})
        elif glyphs is not None:
            text += [cmap.get(int(glyphs[i : i + 4], 16), "") for i in range(0, len(glyphs), 4)]
        elif move is not None:
            text.append(" ")
    return re.sub(r"\s+", " ", "".join(text)).strip()
