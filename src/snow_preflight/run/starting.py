"""Starting a run: the checklist judged in one in-process pytest session, for an instance or a bundle.

:func:`run_checklist` loads the catalogue, starts the early read and hands the :class:`Run` to pytest
(:func:`judge`, with only the plugins a run needs: :mod:`snow_preflight.startup`); :func:`replay_bundle`
does the same offline from a support bundle, and :func:`simulator_settings` points a run at the simulator.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from concurrent.futures import Future
from contextlib import nullcontext, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snow_preflight.run.outcome import RunOutcome
from snow_preflight.run.reading import read_early
from snow_preflight.settings import Settings, resolve

if TYPE_CHECKING:
    from snow_preflight.reads import Read
    from snow_preflight.run.lifecycle import Run
    from snow_preflight.simulator import Simulator
    from snow_preflight.snapshot import Snapshot


def run_checklist(
    settings: Settings,
    snapshot: Snapshot | Future[Snapshot] | None = None,
    extra: Sequence[str] = (),
    *,
    replayed_from: str | None = None,
) -> RunOutcome:
    """Run the checklist in pytest against *settings*' instance (or *snapshot*, offline).

    The built-in reads go out first, before the checklist is loaded and pytest imported (see
    :func:`read_early`); the reads site checks declare join them once it is loaded, and what the end of
    the run needs is prepared while the instance answers, so a run costs little more than its one round
    trip. An invalid catalogue (ours or a site's) is a CatalogueError that reaches the command line, which
    says why in one line (exit 4); the reads already sent are abandoned, unjudged.
    """
    site_reads: Future[Sequence[Read]] = Future()
    if snapshot is None:
        snapshot = read_early(settings, site_reads)
    # Imported only now: the checklist, its views and the run's model are not needed to send the reads.
    from snow_preflight.judge.loading import load_catalogue
    from snow_preflight.run.lifecycle import Run, item_kinds

    try:
        catalogue = load_catalogue(settings.checks_dirs, item_kinds())
    except BaseException as exc:
        site_reads.set_exception(exc)  # the wave stops waiting for them
        raise
    site_reads.set_result(catalogue.reads())
    run = Run(settings, snapshot, replayed_from=replayed_from, catalogue=catalogue)
    return RunOutcome(judge(run, extra), run.report, run.written)


def judge(run: Run, extra: Sequence[str] = ()) -> int:
    """Judge *run* in one in-process pytest session, which finishes it (``Run.finish``); its exit status.

    A fleet (:mod:`snow_preflight.fleet`) calls it once per instance, each with a :class:`Run` of its own.
    """
    import pytest

    from snow_preflight.plugin import Handoff, checklist_args
    from snow_preflight.startup import PYTEST_PLUGINS, collector_spared, only_our_plugins, prepare_reports

    prepare_reports()
    # --format json: stdout is the script's, for the one JSON summary; whatever pytest prints goes to stderr.
    terminal = redirect_stdout(sys.stderr) if run.settings.output_format == "json" else nullcontext()
    with only_our_plugins(), collector_spared(), terminal:
        return int(pytest.main([*PYTEST_PLUGINS, *checklist_args(run, extra)], plugins=[Handoff(run)]))


def simulator_settings(sim: Simulator, **flags: Any) -> Settings:
    """Settings that log in to a running simulator as its demo login; SN_* variables are ignored."""
    config_path = flags.pop("config_path", None)
    creds = sim.credentials
    base = {"base_url": sim.url, "username": creds["username"], "password": creds["password"]}
    return resolve(base | flags, environ={}, config_path=config_path)


def replay_bundle(
    bundle: Path, changes: dict[str, Any] | None = None, extra: Sequence[str] = ()
) -> RunOutcome:
    """Re-judge the snapshot in a support bundle with the current checklist, with no network.

    *changes* override the bundle's settings (``report_dir``, ``fail_on``, ``checks_dirs``).
    """
    from snow_preflight.bundle import read_bundle

    settings, snapshot = read_bundle(bundle)
    changes = {"report_dir": Path("preflight-replay"), **(changes or {}), "bundle": False}
    replay = settings.replace(**changes)
    return run_checklist(replay, snapshot, extra, replayed_from=bundle.name)
