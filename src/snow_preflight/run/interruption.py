"""A run interrupted outside pytest: Ctrl-C or SIGTERM while the instance is read, or after pytest ends.

Inside pytest the plugin reports an interrupt (:mod:`snow_preflight.plugin.ending`); either way the tool's
own earlier reports are removed and one line says so, exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from snow_preflight.interrupts import cause_of, clear_earlier_reports, sigterm_as_interrupt
from snow_preflight.run.outcome import INTERRUPTED
from snow_preflight.settings import Settings


def interrupted_before_judging(settings: Settings, cause: str = "") -> int:
    """Ctrl-C or SIGTERM outside pytest (during the early read): the same clean-up and one line, exit 2."""
    print(clear_earlier_reports(settings.report_dir, cause), file=sys.stderr, flush=True)
    return INTERRUPTED


def interruptible(settings: Settings, body: Callable[[], int]) -> int:
    """*body*'s exit status, with SIGTERM handled like Ctrl-C and either ending the run with exit 2.

    The command line wraps each run in it: an interrupt inside pytest is the plugin's to report; one
    before pytest starts (while the instance is read) or after it ends reaches here.
    """
    try:
        with sigterm_as_interrupt():
            return body()
    except KeyboardInterrupt as interrupt:
        return interrupted_before_judging(settings, cause_of(interrupt))
