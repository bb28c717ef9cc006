"""Standard output that survives its reader going away (``snow-preflight run | head -3``).

When the reader of a pipe exits, the next write raises BrokenPipeError, wherever it happens: inside
pytest's terminal writer that is an INTERNALERROR traceback, and a run stopped there would write no
reports, leaving an earlier run's looking current. Like a well-behaved Unix tool, the command instead
stops writing to that stream and finishes its work: the reports are written and the exit status is still
the verdict's.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO


class PipeSafe:
    """A text stream that turns into a sink once its pipe is broken; everything else is the stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._sink()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._sink()

    def _sink(self) -> None:
        self.broken = True
        # Point the file descriptor at /dev/null too, so the interpreter's own flush at exit (and anything
        # writing to the descriptor directly) finds nothing to complain about.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):  # no descriptor behind the stream: the flag alone suffices
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def protect_stdout() -> None:
    """Make ``sys.stdout`` pipe-safe for the rest of the process (idempotent)."""
    if not isinstance(sys.stdout, PipeSafe) and sys.stdout is not None:
        sys.stdout = PipeSafe(sys.stdout)
