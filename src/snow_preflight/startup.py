"""What keeps a run's own pytest session lean: the plugins it loads, the collector's work it spares, and
the report renderers it prepares while the instance is still answering.

:func:`snow_preflight.run.judge` runs the checklist in pytest inside the command's own process, so pytest's
start-up and finish are part of every run's cost. ``benchmarks/bench_startup.py`` measures what is left.
"""

from __future__ import annotations

import atexit
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

#: Built-in pytest plugins a run does without, as they give a check nothing: other report formats
#: (junitxml, pastebin), other kinds of test (doctest, unittest, subtests), other ways to run (stepwise,
#: setuponly, setupplan, debugging), py.path fixtures (legacypath), and the two that turn stray exceptions
#: into warnings at the price of a full garbage collection at the end (unraisableexception,
#: threadexception). The fixtures a site check may use (tmp_path, monkeypatch, caplog, capsys, recwarn)
#: stay, and so do capture, logging and warnings, which decide what a check's output looks like.
UNUSED_PYTEST_PLUGINS = (
    *("junitxml", "pastebin", "doctest", "unittest", "subtests", "stepwise", "setuponly", "setupplan"),
    *("debugging", "legacypath", "unraisableexception", "threadexception"),
)
#: The plugins a run loads: ours, by name (no entry point is scanned: see only_our_plugins), and pytest's
#: own but for the unused ones.
PYTEST_PLUGINS = ("-p", "snow_preflight.plugin", *(f"-pno:{name}" for name in UNUSED_PYTEST_PLUGINS))


@contextmanager
def only_our_plugins() -> Iterator[None]:
    """Within the block, pytest loads no plugin by entry point: the checklist needs only its own.

    Other installed plugins (a random orderer, a timeout, platformdirs' own) would cost start-up time and
    could change how the checks run; ``-p`` still loads one on purpose.
    """
    key = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
    before = os.environ.get(key)
    os.environ[key] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[key]
        else:
            os.environ[key] = before


@contextmanager
def collector_spared() -> Iterator[None]:
    """The garbage collector leaves alone what exists before the run: modules, catalogue, settings.

    Hundreds of thousands of objects come from imports and live to the end; without this, each full
    collection during the run walks them all again, and the interpreter's last one at exit costs tens of
    milliseconds. They are handed back to the collector after the run, so a caller's own garbage is
    still collected; at exit it is spared (``atexit``), when nothing needs collecting any more.
    """
    global _SPARED_AT_EXIT
    if not _SPARED_AT_EXIT:
        atexit.register(gc.freeze)
        _SPARED_AT_EXIT = True
    # Objects someone else froze (the caller, a library) stay frozen: unfreezing them too would not leave
    # the collector as it was found.
    found_frozen = gc.get_freeze_count() > 0
    if not found_frozen:
        gc.freeze()
    try:
        yield
    finally:
        if not found_frozen:
            gc.unfreeze()


_SPARED_AT_EXIT = False


def prepare_reports() -> None:
    """Import what writes the reports and compile the HTML templates now, while the instance answers."""
    from snow_preflight import console  # noqa: F401 - imported to be ready
    from snow_preflight.reports import html, json_report, junit, writer  # noqa: F401 - imported to be ready

    html.prepare()
