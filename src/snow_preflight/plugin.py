"""The pytest plugin, loaded by the ``pytest11`` entry point: glue between pytest and a :class:`Run`.

Like pytest's own junitxml plugin, the module-level hooks add the options and build one
:class:`PreflightPlugin` per session, kept in ``config.stash``, registered, and unregistered by that same
handle; on an xdist worker it does nothing. It is inert until pytest collects a check module (ours, in
``snow_preflight.checks``, or a site's ``--sn-checks`` folder): other projects' sessions see no option
side effects, no network, no reports. The run itself (settings, snapshot, judging, reports) is
:mod:`snow_preflight.run`'s; the plugin only feeds it what pytest collects and judges.

At the end, a session that judged nothing (``--collect-only``, every check deselected) exits 5 and writes
nothing; an interrupted one (Ctrl-C, or SIGTERM, which the plugin turns into Ctrl-C while a run is active)
removes the tool's own earlier reports, says so in one line on stderr, exits 2 and leaves out pytest's
interrupt banner; a write that fails exits 3 with its reason on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Generator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from snow_preflight import hookspecs
from snow_preflight.errors import PreflightError
from snow_preflight.judge.catalogue import CheckSpec, Evidence, spec_of
from snow_preflight.judge.loading import builtin_dir, check_locations
from snow_preflight.judge.outcomes import Blocker, Verdict, build_result, judge_call
from snow_preflight.options import add_pytest_options, for_pytest, settings_from_pytest
from snow_preflight.reports.model import Outcome

if TYPE_CHECKING:
    from snow_preflight.run import Run

PLUGIN_KEY = pytest.StashKey["PreflightPlugin"]()
EVIDENCE_KEY = pytest.StashKey[Evidence]()
BLOCKER_KEY = pytest.StashKey[Blocker]()
PYTEST_INI = Path(__file__).with_name("pytest.ini")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_pytest_options(parser.getgroup("snow-preflight", "snow-preflight: ServiceNow / Rundeck pre-flight"))


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes the reports
        return
    plugin = PreflightPlugin(config)
    config.stash[PLUGIN_KEY] = plugin
    config.pluginmanager.register(plugin, "snow-preflight-run")


def pytest_unconfigure(config: pytest.Config) -> None:
    plugin = config.stash.get(PLUGIN_KEY, None)
    if plugin is not None:
        del config.stash[PLUGIN_KEY]
        plugin.close()
        config.pluginmanager.unregister(plugin)


class Handoff:
    """How ``snow-preflight`` hands its prepared :class:`Run` to the plugin: ``plugins=[Handoff(run)]``."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def pytest_snow_preflight_run(self, config: pytest.Config) -> Run:
        return self.run


def checklist_args(run: Run, extra: Sequence[str] = ()) -> list[str]:
    """Arguments that make pytest judge exactly the checklist, whatever the working directory holds."""
    checks = builtin_dir()
    dirs = [str(path) for path in check_locations(run.settings.checks_dirs)]  # ours, --checks, installed
    return [
        *dirs,
        "-c",
        str(PYTEST_INI),
        "--rootdir",
        str(checks),
        # -qq: no pytest summary line ("1 failed" under a GO); the console's verdict line counts instead.
        "-qq",
        "--no-header",
        "--tb=no",
        "-rN",
        *extra,
    ]


class CheckPackage(pytest.Package):
    """Our checks package: collected like any package, but its ``__init__`` is no test module to import."""

    def setup(self) -> None:
        return None


class CheckModule(pytest.Module):
    """A check module: imported once by the catalogue, its ``check_*`` functions are the tests."""

    def _getobj(self) -> Any:
        plugin: PreflightPlugin = self.config.stash[PLUGIN_KEY]
        return plugin.module_for(self.path)

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        if self.config.stash[PLUGIN_KEY].module_for(self.path) is None:
            return []  # the settings or the catalogue are unusable: a usage error once collection ends
        return list(super().collect())

    def funcnamefilter(self, name: str) -> bool:
        return name.startswith("check_")

    def classnamefilter(self, name: str) -> bool:
        return False

    def istestfunction(self, obj: object, name: str) -> bool:
        return spec_of(obj) is not None and super().istestfunction(obj, name)


class PreflightPlugin:
    """One pytest session's glue to its :class:`Run`."""

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

    def _check_dirs(self) -> set[Path]:
        if self._dirs is None:
            handed = self.config.hook.pytest_snow_preflight_run(config=self.config)
            given = handed.settings.checks_dirs if handed else self.config.getoption("sn_checks_dirs") or ()
            self._dirs = set(check_locations([Path(d) for d in given]))
        return self._dirs

    def is_check_file(self, path: Path) -> bool:
        if path.suffix != ".py" or path.name.startswith("_"):
            return False
        resolved = path.resolve()  # in a check folder, or an installed site check that is one module
        return resolved.parent in self._check_dirs() or resolved in self._check_dirs()

    def module_for(self, path: Path) -> Any:
        try:
            module = self.run.catalogue.module_for(path)
        except PreflightError as exc:
            self.problem = self.problem or exc
            return None
        return module

    # -- collection ------------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> None:
        """The whole checklist includes the site's: ``--sn-checks`` folders and installed site checks.

        Only when the whole checklist was asked for (``--pyargs snow_preflight.checks`` or its folder): a
        path or module given on its own is a subset, and stays one.
        """
        args = self.config.args
        if not any(_is_whole_checklist(arg, self.config.option.pyargs) for arg in args):
            return
        given = [Path(folder) for folder in self.config.getoption("sn_checks_dirs") or ()]
        present = {Path(arg).resolve() for arg in args} | {builtin_dir()}
        args.extend(str(where) for where in check_locations(given) if where not in present)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collect_directory(self, path: Path, parent: pytest.Collector) -> pytest.Collector | None:
        if path.resolve() in self._check_dirs() and (path / "__init__.py").is_file():
            return CheckPackage.from_parent(parent, path=path)  # ours, or an installed site-checks package
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(
        self, module_path: Path, parent: pytest.Collector
    ) -> pytest.Module | None:
        return CheckModule.from_parent(parent, path=module_path) if self.is_check_file(module_path) else None

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
        """Check modules need no ``python_files`` pattern; those pytest takes anyway go through makemodule."""
        if not self.is_check_file(file_path) or parent.session.isinitpath(file_path):
            return None
        patterns = self.config.getini("python_files")
        if any(file_path.match(pattern) for pattern in patterns):
            return None
        return CheckModule.from_parent(parent, path=file_path)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        spec = spec_of(metafunc.function)
        if spec is None:
            return
        self.activate()
        if spec.each is None:
            return
        from snow_preflight.judge.views import Unavailable

        try:
            items = self.run.view.items(spec.each)
        except PreflightError as exc:
            self.problem = self.problem or exc
            items = Unavailable(str(exc))
        if not items:
            items = Unavailable(f"not applicable: there is no {spec.each} to check", skip=True)
        if isinstance(items, Unavailable):
            metafunc.parametrize(spec.each, [items], ids=["*"])
        else:
            metafunc.parametrize(spec.each, list(items), ids=[str(item) for item in items])

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        spec = _spec(item)
        if spec is None:
            return
        self.activate()
        for name, about in ((spec.area, "checks of area"), (spec.severity.value, "checks of severity")):
            self.config.addinivalue_line("markers", f"{name}: snow-preflight {about} {name}")
            item.add_marker(name)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.problem is not None:
            cli = self.config.hook.pytest_snow_preflight_run(config=self.config) is not None  # handed a Run
            raise pytest.UsageError(
                f"snow-preflight: {self.problem if cli else for_pytest(str(self.problem))}"
            )
        if not self.active:
            return
        self._deselect(items)
        catalogue = self.run.catalogue
        order = {item: index for index, item in enumerate(items)}
        items.sort(key=lambda i: (*catalogue.order(s.id), order[i]) if (s := _spec(i)) else (99, 0, order[i]))

    def _deselect(self, items: list[pytest.Item]) -> None:
        """``--only``/``--skip`` (by check id, result id or glob) deselect checks the way ``-k`` does."""
        settings = self.run.settings
        if not (settings.only or settings.skip):
            return
        from snow_preflight.judge.views import Unavailable

        kept: list[pytest.Item] = []
        dropped: list[pytest.Item] = []
        for item in items:
            spec = _spec(item)
            param = _param(item, spec) if spec else None
            label = None if param is None or isinstance(param, Unavailable) else str(param)
            chosen = spec is None or settings.selects(spec.id, f"{spec.id}[{label}]" if label else spec.id)
            (kept if chosen else dropped).append(item)
        if dropped:
            items[:] = kept
            self.config.hook.pytest_deselected(items=dropped)

    # -- judging ---------------------------------------------------------------------------------------

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        spec = _spec(item)
        if spec is None:
            return
        from snow_preflight.judge.views import Unavailable

        item.stash[EVIDENCE_KEY] = Evidence()
        blocker = self.run.tracker.blocker(spec, self.run.catalogue.specs)
        if blocker is not None:
            item.stash[BLOCKER_KEY] = blocker
            pytest.skip(blocker.reason)
        param = _param(item, spec)
        if isinstance(param, Unavailable):
            if param.skip:
                pytest.skip(param.reason)
            from snow_preflight.errors import CannotVerify

            raise CannotVerify(param.reason, param.fix)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        spec = _spec(item)
        if spec is None or report.when == "teardown" or (report.when == "setup" and report.passed):
            return report
        from snow_preflight.judge.views import Unavailable

        param = _param(item, spec)
        # An Unavailable standing for unseen items has its own label ("unseen"); one for the whole list has none.
        label = (
            param.label if isinstance(param, Unavailable) else None if param is None else str(param) or None
        )
        evidence = item.stash.get(EVIDENCE_KEY, Evidence())
        if report.skipped:
            reason = str(getattr(call.excinfo.value, "msg", "")) if call.excinfo else ""
            verdict = Verdict(Outcome.SKIPPED, reason or "skipped")
        else:
            verdict = judge_call(spec, call.excinfo.value if call.excinfo else None, evidence)
        blocker = item.stash.get(BLOCKER_KEY, None)
        result = build_result(
            spec,
            label,
            verdict,
            evidence,
            facts=self.run.facts,
            blocker=blocker,
            duration_ms=report.duration * 1000,
        )
        self.run.tracker.add(spec, result, blocker)  # DuplicateResultError: an internal error, exit 3
        report.user_properties.append(("snow_preflight_outcome", result.outcome.value))
        return report

    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, str] | None:
        outcome = dict(getattr(report, "user_properties", ())).get("snow_preflight_outcome")
        status = ("error", "E", "ERROR") if outcome == "error" and report.when == "call" else None
        if not self.handed:
            return status
        # The command prints its own table: no progress letters (an "F" under a GO says nothing useful).
        if status is None:
            if report.when != "call" and report.passed:
                return "", "", ""
            status = ("error" if report.when != "call" else report.outcome, "", "")
        return status[0], "", ""

    @property
    def handed(self) -> bool:
        """True when ``snow-preflight`` handed this session its run (it prints the console itself)."""
        if self._handed is None:
            self._handed = self.config.hook.pytest_snow_preflight_run(config=self.config) is not None
        return self._handed

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """The banner, before any result: the instance, the login and the config file read (or none)."""
        if not self.active or self.problem is not None or self.config.option.collectonly:
            return
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        settings = self.run.settings
        if terminal is None or settings.quiet:
            return
        from snow_preflight.console import banner

        conn = settings.connection
        login = conn.username or conn.client_id or "(token)"
        terminal.write_line(banner(conn.base_url, login, settings.config_file, self.run.replayed_from))

    # -- the end ---------------------------------------------------------------------------------------

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


def _is_whole_checklist(arg: str, pyargs: bool) -> bool:
    if pyargs and arg == "snow_preflight.checks":
        return True
    return "::" not in arg and Path(arg).resolve() == builtin_dir()


def _spec(item: pytest.Item) -> CheckSpec | None:
    return spec_of(item.function) if isinstance(item, pytest.Function) else None


def _param(item: pytest.Item, spec: CheckSpec) -> Any:
    if spec.each is None or not isinstance(item, pytest.Function) or not hasattr(item, "callspec"):
        return None
    return item.callspec.params.get(spec.each)


@pytest.fixture
def view(request: pytest.FixtureRequest) -> Any:
    """The snapshot, as typed views that know what was verified."""
    return request.config.stash[PLUGIN_KEY].run.view


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """Where a check records what it saw, pass or fail."""
    found: Evidence = request.node.stash[EVIDENCE_KEY]
    return found
