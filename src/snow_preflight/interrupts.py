"""Ctrl-C and SIGTERM: a run that stops early never leaves an earlier run's reports looking current.

Python ends a process on SIGTERM with no clean-up at all, and pytest installs nothing for it, so while a run
is active (:func:`sigterm_as_interrupt`) SIGTERM raises :class:`KeyboardInterrupt` like Ctrl-C does. Who
catches it (the pytest plugin inside a session, :func:`snow_preflight.run.interruptible` outside one) calls
:func:`clear_earlier_reports` and prints the one line it returns.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The argument of the KeyboardInterrupt a SIGTERM raises, so the line can name the signal.
SIGTERM_CAUSE = "SIGTERM"


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(SIGTERM_CAUSE)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises KeyboardInterrupt; the previous handler is restored after.

    Only the main thread may set signal handlers; elsewhere (a run inside a worker thread) it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        # None: a handler set outside Python, which cannot be put back; the default is the closest.
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def cause_of(interrupt: BaseException) -> str:
    """The cause a message names: ``SIGTERM`` when our handler raised *interrupt*, else none (Ctrl-C)."""
    return SIGTERM_CAUSE if interrupt.args == (SIGTERM_CAUSE,) else ""


def clear_earlier_reports(report_dir: Path, cause: str = "") -> str:
    """Remove the tool's own reports and bundles from *report_dir*; the one line that says so.

    Files are recognised by their content (:func:`snow_preflight.reports.files.remove_own_reports`), so a
    file the tool did not write is never touched, whatever its name.
    """
    from snow_preflight.reports.files import remove_own_reports  # light: no pydantic, no renderer

    _forget_unhandled_interrupt()
    removed = remove_own_reports(report_dir)
    what = f"interrupted by {cause}" if cause else "interrupted"
    if not removed:
        return f"snow-preflight: {what}; no reports written"
    names = ", ".join(path.name for path in removed)
    return f"snow-preflight: {what}; no reports written (removed the earlier {names} from {report_dir})"


def _forget_unhandled_interrupt() -> None:
    """Undo CPython's mark that an interrupt went unhandled: this one was handled, the exit status is 2.

    CPython (3.11 at least) marks a KeyboardInterrupt that leaves code run by ``exec`` of a string as
    unhandled, even when it is caught further up, and then ends the process by SIGINT (exit -2/130)
    instead of with our status. dataclasses, namedtuple and pydantic build their methods that way, so a
    Ctrl-C during start-up often passes through such code. Running any string clears the mark.
    """
    exec("None")  # noqa: S102 - a constant string of ours, run only to clear the interpreter's mark
