"""The session's end: an interrupt (Ctrl-C, SIGTERM), the reports written, the exit status, the summary.

A session that judged nothing (``--collect-only``, every check deselected) exits 5 and writes nothing; an
interrupted one removes the tool's own earlier reports, says so in one line on stderr, exits 2 and leaves
out pytest's interrupt banner; a write that fails exits 3 with its reason on stderr.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import pytest

from snow_preflight.errors import PreflightError
from snow_preflight.plugin.glue import Glue

if TYPE_CHECKING:
    from snow_preflight.run import Run


class Ending(Glue):
    """The hooks of the end: the interrupt, the reports and the exit status, the console's summary."""

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Ctrl-C or SIGTERM: remove our earlier reports, say so in one line, and hide pytest's banner."""
        run = self._run or self.config.hook.pytest_snow_preflight_run(config=self.config)
        if run is None:
            return  # an ordinary pytest session: pytest reports its own interrupt
        from snow_preflight.interrupts import cause_of

        self._report_interrupt(run, cause_of(excinfo.value))
        # The one line above is the whole story: no "!!! KeyboardInterrupt !!!" banner, no traceback,
        # no "no tests ran" line. The terminal reporter prints those; it has nothing else left to say.
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None:
            self.config.pluginmanager.unregister(terminal)

    def _report_interrupt(self, run: Run, cause: str) -> None:
        if not self.interrupt_reported:
            self.interrupt_reported = True
            print(run.interrupted(cause), file=sys.stderr, flush=True)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.active or self._run is None:
            return
        run = self._run
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            self._report_interrupt(run, "")  # reported already, unless pytest itself stopped the session
            return
        if self.config.option.collectonly or not run.tracker.results:
            # Nothing was judged (--collect-only, or every check deselected): no report, and no exit 0
            # that a CI gate could take for GO.
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED
            return
        try:
            run.finish()
        except PreflightError as exc:
            self.write_error = str(exc)
            print(f"snow-preflight: {exc}", file=sys.stderr, flush=True)
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
            return
        except KeyboardInterrupt as interrupt:  # while writing: the writer left none of ours behind
            from snow_preflight.interrupts import cause_of

            self._report_interrupt(run, cause_of(interrupt))
            session.exitstatus = pytest.ExitCode.INTERRUPTED
            return
        if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = pytest.ExitCode.OK if run.go else pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.active or self._run is None or self.interrupt_reported:
            return
        run = self._run
        if run.report is None:
            if self.config.option.collectonly or not run.tracker.results:
                terminalreporter.write_line(f"snow-preflight: {_why_nothing_judged(self.config)}")
            return
        from snow_preflight.console import json_summary, summary

        settings = run.settings
        if settings.output_format == "json":
            if not self.handed:  # the command prints it on its own stdout, after pytest
                code = 3 if self.write_error else 0 if run.go else 1  # as sessionfinish set it
                terminalreporter.write_line(json_summary(run.report, run.written, code, self.write_error))
            return
        detail = "quiet" if settings.quiet else "verbose" if settings.verbose else "normal"
        # auto: pytest's own judgement of the terminal (a tty, NO_COLOR, FORCE_COLOR, PY_COLORS, TERM=dumb).
        color = {"yes": True, "no": False}.get(settings.color, terminalreporter.hasmarkup)
        lines = summary(run.report, run.written, self.write_error, detail=detail, color=color)
        # Under pytest's own output (the progress line and its summary), a blank line sets the table apart.
        for line in lines if self.handed else ["", *lines]:
            terminalreporter.write_line(line)


def _why_nothing_judged(config: pytest.Config) -> str:
    if config.option.collectonly:
        return "--collect-only judges nothing; no reports written"
    return "no check was judged (every check deselected); no reports written"
