"""Text from an instance made fit for a report file, shared by the renderers.

An instance may hold any string: control characters, a lone surrogate from a JSON ``\\ud800`` escape,
Unicode non-characters, megabytes in one field. XML 1.0 forbids most of those outright, HTML calls them
parse errors, and UTF-8 cannot encode a lone surrogate at all. :func:`visible` replaces each such
character with its escape written as text (``\\x00``, ``\\ud800``), so the file stays well-formed and the
reader still sees that something odd was there. :func:`clip` bounds one value, pointing to
``report.json`` for the whole of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

# Characters not allowed in XML 1.0 or discouraged there (C1 controls but NEL, non-characters), plus
# every surrogate: the same set junit-xml strips silently, so after this nothing is lost unseen.
_NONCHAR_PLANES = "".join(f"{chr(p * 0x10000 + 0xFFFE)}-{chr(p * 0x10000 + 0xFFFF)}" for p in range(1, 17))
_UNFIT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + _NONCHAR_PLANES
    + "]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")

#: The longest value a human-facing report shows; report.json keeps everything.
CLIP = 4000

M = TypeVar("M", bound=BaseModel)


def escape_char(char: str) -> str:
    """One character as Python would write its escape: ``\\x00``, ``\\ud800``, ``\\U0001fffe``."""
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str) -> str:
    """*text* with line ends made ``\\n`` and every unfit character replaced by its escape as text."""
    # Printable text (most of a report) holds no CR and no unfit character: every one of those is a
    # control, a surrogate or a non-character, none printable. The check costs a tenth of the search.
    if text.isprintable():
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNFIT.sub(lambda m: escape_char(m.group()), text)


def without_surrogates(text: str) -> str:
    """*text* with lone surrogates (which UTF-8 cannot encode) replaced by their escape as text."""
    return _SURROGATE.sub(lambda m: escape_char(m.group()), text)


def clip(text: str, limit: int = CLIP) -> str:
    """*text*, cut to *limit* characters with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\u2026 [{len(text) - limit} more characters in report.json]"


def map_strings(model: M, func: Callable[[str], str]) -> M:
    """A copy of *model* with *func* applied to every string value in it (keys are left alone)."""

    def walk(value: object) -> object:
        if isinstance(value, str):
            return func(value)
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return type(model).model_validate(walk(model.model_dump(mode="json")))
