"""What every part of the plugin shares: one session's state, its :class:`Run`, and the stash keys.

:class:`Glue` is the base of the parts composed into :class:`~snow_preflight.plugin.PreflightPlugin`
(collection, judging, the end): each adds its hooks, all share the run and what collection found.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from snow_preflight.errors import PreflightError
from snow_preflight.judge.catalogue import CheckSpec, Evidence, spec_of
from snow_preflight.judge.outcomes import Blocker
from snow_preflight.options import settings_from_pytest

if TYPE_CHECKING:
    from snow_preflight.plugin import PreflightPlugin
    from snow_preflight.run import Run

PLUGIN_KEY: pytest.StashKey[PreflightPlugin] = pytest.StashKey()
EVIDENCE_KEY = pytest.StashKey[Evidence]()
BLOCKER_KEY = pytest.StashKey[Blocker]()


class Glue:
    """One pytest session's glue to its :class:`Run`: the state the plugin's parts share."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._run: Run | None = None
        self.problem: PreflightError | None = None  # a usage error found while collecting, raised after
        self.active = False
        self.write_error: str | None = None
        self.interrupt_reported = False
        self._handed: bool | None = None
        self._dirs: set[Path] | None = None
        self._cleanup = ExitStack()  # what activation set up (the SIGTERM handler), undone at unconfigure
        self._registered: set[str] = set()  # the area and severity markers declared to pytest so far

    def activate(self) -> None:
        """A check was collected: this session is a run, so SIGTERM now stops it like Ctrl-C."""
        if not self.active:
            from snow_preflight.interrupts import sigterm_as_interrupt

            self.active = True
            self._cleanup.enter_context(sigterm_as_interrupt())

    def close(self) -> None:
        self._cleanup.close()

    # -- the run, built when a check module is first collected ----------------------------------------

    @property
    def run(self) -> Run:
        if self._run is None:
            handed = self.config.hook.pytest_snow_preflight_run(config=self.config)
            if handed is None:
                from snow_preflight.run import Run

                handed = Run(settings_from_pytest(self.config), front_end="pytest")
            self._run = handed
        return self._run

    @property
    def handed(self) -> bool:
        """True when ``snow-preflight`` handed this session its run (it prints the console itself)."""
        if self._handed is None:
            self._handed = self.config.hook.pytest_snow_preflight_run(config=self.config) is not None
        return self._handed


def spec_for(item: pytest.Item) -> CheckSpec | None:
    """The check *item* judges; None for any other test in the session."""
    return spec_of(item.function) if isinstance(item, pytest.Function) else None


def param_of(item: pytest.Item, spec: CheckSpec) -> Any:
    """The item of a parametrised check (``each=``) that *item* judges; None for a check of the whole."""
    if spec.each is None or not isinstance(item, pytest.Function) or not hasattr(item, "callspec"):
        return None
    return item.callspec.params.get(spec.each)
