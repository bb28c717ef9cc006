"""One run's lifecycle: settings → collect → judge → result model → render → write.

:class:`Run` owns a run from start to finish; the pytest plugin (:mod:`snow_preflight.plugin`) is glue that
feeds it what pytest collects and judges. The command line builds the :class:`Run` and hands it to the
plugin through the ``pytest_snow_preflight_run`` hook (:mod:`snow_preflight.hookspecs`); a person driving
pytest directly gets one built from the ``--sn-*`` options.

The parts: ``lifecycle`` (the :class:`Run` and the result model it builds), ``reading`` (the wave of
reads, made early in a thread), ``starting`` (:func:`run_checklist`, :func:`judge` in one in-process
pytest session, :func:`replay_bundle`, :func:`simulator_settings`), ``outcome`` (exit statuses,
:class:`RunOutcome`) and ``interruption`` (Ctrl-C or SIGTERM outside pytest). Every caller imports them
from here.
"""

from typing import TYPE_CHECKING, Any

from snow_preflight.run.interruption import interrupted_before_judging, interruptible
from snow_preflight.run.outcome import (
    GO,
    INTERNAL_ERROR,
    INTERRUPTED,
    NO_GO,
    NOTHING_JUDGED,
    USAGE_ERROR,
    RunOutcome,
)
from snow_preflight.run.reading import read_early, read_instance
from snow_preflight.run.starting import judge, replay_bundle, run_checklist, simulator_settings

if TYPE_CHECKING:
    from snow_preflight.run.lifecycle import Run


def __getattr__(name: str) -> Any:
    """``Run``, imported when first asked for: with it come the checklist's views and the result model,
    which a command reading an instance needs only after its reads are sent."""
    if name == "Run":
        from snow_preflight.run.lifecycle import Run

        return Run
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "GO",
    "INTERNAL_ERROR",
    "INTERRUPTED",
    "NOTHING_JUDGED",
    "NO_GO",
    "USAGE_ERROR",
    "Run",
    "RunOutcome",
    "interrupted_before_judging",
    "interruptible",
    "judge",
    "read_early",
    "read_instance",
    "replay_bundle",
    "run_checklist",
    "simulator_settings",
]
