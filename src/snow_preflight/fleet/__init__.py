"""Several instances in one run: a fleet (see the README, "Fleets").

``snow-preflight run --instance A --instance B`` (one login for all), or instances named in the config file
(``[instances.NAME]``), some picked with ``--instances dev,prod``. Every instance is read at once and judged
on its own; one report holds them all: ``report.html`` opens with a matrix (checks down, instances across),
``junit.xml`` has one ``<testsuite>`` per instance, ``report.json`` lists them under ``instances``, and the
exit status is the worst instance's. A bundle holds each instance's own bundle and replays to the same
report.

Modules: :mod:`.members` (which instances, with which settings), :mod:`.judging` (read, judge, combine,
write), :mod:`.console` (the closing lines), :mod:`.bundle` (the fleet's support bundle).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from snow_preflight.fleet.members import Member, fleet_members

__all__ = ["Member", "fleet_members", "is_fleet_bundle", "replay_fleet", "run_members"]


def run_members(members: list[Member]) -> int:
    """Run the checklist against every instance of the fleet; the worst instance's exit status."""
    from snow_preflight.fleet.judging import run_fleet

    return run_fleet(members).exit_code


def is_fleet_bundle(path: Path) -> bool:
    from snow_preflight.fleet.bundle import fleet_manifest

    return fleet_manifest(path) is not None


def replay_fleet(path: Path, changes: Mapping[str, Any]) -> int:
    """Re-judge every instance of a fleet bundle offline, with *changes* to its settings; the exit status."""
    from snow_preflight.fleet.bundle import read_fleet_bundle
    from snow_preflight.fleet.judging import run_fleet

    members, snapshots = read_fleet_bundle(
        path, {"report_dir": Path("preflight-replay"), **changes, "bundle": False}
    )
    return run_fleet(members, snapshots, replayed_from=path.name).exit_code
