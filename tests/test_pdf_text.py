"""The test helper that reads Chromium's PDFs reads every stream whole, whatever its last byte."""

from __future__ import annotations

import zlib

from pdf_text import _stream


def _compressed_ending_in_cr() -> tuple[bytes, bytes]:
    for n in range(10_000):
        plain = b"hello %d" % n
        data = zlib.compress(plain)
        if data.endswith(b"\r"):
            return plain, data
    raise AssertionError("no sample ends in a carriage return")  # pragma: no cover - one in 256 does


def test_a_stream_whose_data_ends_in_a_carriage_return_is_read_whole() -> None:
    """Compressed data ending in 0x0D is not mistaken for a line break before ``endstream`` (a flaky cut)."""
    plain, data = _compressed_ending_in_cr()
    body = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream\n"
    assert _stream(body) == plain


def test_an_indirect_length_falls_back_to_the_end_of_stream_marker() -> None:
    """``/Length 12 0 R`` is a reference, not a length: the data runs to ``endstream``."""
    plain = b"BT ET"
    data = zlib.compress(plain)
    body = b"<< /Length 12 0 R /Filter /FlateDecode >>\nstream\n" + data + b"\nendstream\n"
    assert _stream(body) == plain
