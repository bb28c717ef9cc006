"""What each command of ``snow-preflight`` does, once :mod:`snow_preflight.cli` has parsed its arguments.

Every command function takes the parsed arguments and returns the exit status. Each imports what it uses
when it runs (the run, the simulator, the reports), so the parser and ``--version`` stay light. ``fix`` and
``attach`` are :mod:`snow_preflight.fix`'s, entered by the command line itself.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from snow_preflight.run import RunOutcome

#: Parsed arguments that are not settings: the command, --config, --no-prompt, demo and simulate flags, --instances.
_NOT_SETTINGS = {
    "command",
    "scenario",
    "rundeck",
    "no_prompt",
    "config",
    "port",
    "tls",
    "latency_ms",
    "list",
    "instances",
}


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    return {key: value for key, value in vars(args).items() if key not in _NOT_SETTINGS}


def _ask_password(username: str) -> str:
    """The password for *username*, typed at the terminal without echo ('' when input ends)."""
    try:
        return getpass.getpass(f"Password for {username}: ")
    except EOFError:
        return ""


def run(args: argparse.Namespace) -> int:
    from snow_preflight.run import interruptible, run_checklist
    from snow_preflight.settings import resolve

    # Everything that can be checked without the instance is checked here, before pytest starts: a
    # mistake is a usage error with its reason, never a run that fails or is "interrupted" later.
    # The password is asked for only when a person is at a terminal and a user name has none.
    if args.no_prompt:
        ask, cannot_ask = None, "--no-prompt forbids asking for it"
    elif not sys.stdin.isatty():
        ask, cannot_ask = None, "there is no terminal to ask for it at"
    else:
        ask, cannot_ask = _ask_password, ""
    config = args.config or (Path(os.environ["SN_CONFIG"]) if os.environ.get("SN_CONFIG") else None)
    flags = _flags(args)
    from snow_preflight.fleet import fleet_members, run_members

    # Several --instance, --instances or [instances.NAME] in the config file: a fleet, each instance
    # resolved (and checked) here too, before any request.
    members = fleet_members(flags, args.instances, config_path=config, ask=ask, cannot_ask=cannot_ask)
    if members is not None:
        return interruptible(members[0].settings, lambda: run_members(members))
    flags["base_url"] = (flags.get("base_url") or [None])[0]
    settings = resolve(flags, config_path=config, ask=ask, cannot_ask=cannot_ask)
    return interruptible(settings, lambda: _judged(settings.output_format, run_checklist(settings)))


def _judged(output_format: str, outcome: RunOutcome) -> int:
    """*outcome*'s exit status; with ``--format json``, its summary is printed first, alone on stdout."""
    if output_format == "json":
        from snow_preflight.console import json_summary
        from snow_preflight.run import INTERNAL_ERROR

        unwritten = outcome.exit_code == INTERNAL_ERROR and outcome.report is not None and not outcome.written
        problem = "the reports could not be written; the reason is on stderr" if unwritten else None
        print(json_summary(outcome.report, outcome.written, outcome.exit_code, problem), flush=True)
    return outcome.exit_code


def demo(args: argparse.Namespace) -> int:
    from snow_preflight.run import interruptible, run_checklist, simulator_settings
    from snow_preflight.simulator import Simulator

    with Simulator(args.scenario) as sim, contextlib.ExitStack() as stack:
        flags = _flags(args)
        if args.rundeck:
            from snow_preflight.rundeck_stand_in import RundeckStandIn

            rundeck = stack.enter_context(RundeckStandIn(args.rundeck))
            flags |= {"rundeck_url": rundeck.url, "rundeck_token": rundeck.token}
            flags["rundeck_projects"] = flags.get("rundeck_projects") or rundeck.projects
        # The demo ignores SN_* variables: they point at a real instance, not at the simulator.
        settings = simulator_settings(sim, config_path=args.config, **flags)
        # --format json keeps stdout for the summary alone.
        out = sys.stderr if settings.output_format == "json" else sys.stdout
        print(f"snow-preflight demo: simulated instance '{args.scenario}' at {sim.url}", file=out, flush=True)
        if args.rundeck:
            where = flags["rundeck_url"]
            print(f"snow-preflight demo: Rundeck stand-in '{args.rundeck}' at {where}", file=out, flush=True)
        return interruptible(settings, lambda: _judged(settings.output_format, run_checklist(settings)))


def simulate(args: argparse.Namespace) -> int:
    from snow_preflight.errors import ConfigError
    from snow_preflight.simulator import list_scenarios
    from snow_preflight.simulator.errors import SimulatorError
    from snow_preflight.simulator.scenarios import UnknownScenarioError

    if args.list:
        for name, description in list_scenarios():
            print(f"{name:<28} {description}")
        return 0
    from snow_preflight.simulator.serve import serve

    try:
        serve(args.scenario, port=args.port, tls=args.tls, latency_ms=args.latency_ms)
    except (SimulatorError, UnknownScenarioError) as exc:
        # A busy, privileged or out-of-range port, --tls without cryptography, an unknown scenario:
        # one line naming the cause and the fix, exit 4, no traceback.
        raise ConfigError(str(exc)) from exc
    return 0


def replay(args: argparse.Namespace) -> int:
    from snow_preflight.run import replay_bundle
    from snow_preflight.validation import check_inputs, check_report_dir

    flags = {k: v for k, v in _flags(args).items() if v is not None and k != "bundle"}
    check_report_dir(flags.get("report_dir", Path("preflight-replay")))  # replay_bundle's default
    check_inputs(flags.get("waivers"), flags.get("baseline"))
    from snow_preflight.fleet import is_fleet_bundle, replay_fleet

    if is_fleet_bundle(args.bundle):
        return replay_fleet(args.bundle, flags)
    return _judged(flags.get("output_format", "text"), replay_bundle(args.bundle, flags))


def diff(args: argparse.Namespace) -> int:
    from snow_preflight.diff import diff_command

    return diff_command(args.old, args.new, as_json=args.json)


def schema(args: argparse.Namespace) -> int:
    from snow_preflight.reports.schema import render

    sys.stdout.write(render())
    return 0
