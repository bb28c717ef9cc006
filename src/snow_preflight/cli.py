"""``snow-preflight``: run the checklist against an instance, the built-in simulator, or a bundle.

This module is the parser (every command, its flags and its help) and the dispatch; what each command does
is in :mod:`snow_preflight.commands`, and ``fix``/``attach`` in :mod:`snow_preflight.fix`, which only the
command line enters.

Exit status follows pytest's: 0 go (nothing at or above --fail-on failed or errored), 1 no-go, 2
interrupted, 3 internal error (or reports not written), 4 usage error (bad option, bad setting, unreadable
bundle), 5 nothing judged.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from snow_preflight import __version__
from snow_preflight.errors import PreflightError
from snow_preflight.options import add_cli_options

USAGE_ERROR = 4

EPILOG = """\
environment:
  Every flag has an SN_* variable, shown in [brackets] (SN_HOST, SN_USERNAME, SN_PASSWORD, ...; for
  Rundeck RD_URL and RD_TOKEN, as Rundeck's own CLI); a flag wins over its variable. Settings that are
  not secret can also come from a TOML file (--config, default ./snow-preflight.toml), with the keys of
  the README's settings table.

exit status (of a fleet: its worst instance's):
  0 go, 1 no-go (a check at or above --fail-on failed or could not be verified), 2 interrupted,
  3 internal error (also: the reports could not be written), 4 usage error (a bad option, setting,
  config file, credential, TLS file or report folder, found before any request), 5 nothing judged
  (every check deselected, e.g. an --only that matches nothing).

examples:
  snow-preflight demo                                   # the checklist against the built-in simulator
  snow-preflight demo --rundeck webhook_disabled        # ... and Rundeck checked through its stand-in
  SN_PASSWORD=... snow-preflight run --instance acme --username svc_preflight --report-dir out
  snow-preflight replay out/snow-preflight-bundle-*.zip # re-judge a support bundle offline
  snow-preflight run --instance acme-dev --instance acme --username svc_preflight  # a fleet: one report
  snow-preflight run --instances test,prod              # instances named in the config file ([instances.NAME])
  snow-preflight diff yesterday/report.json out         # what got worse or better since an earlier run
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with pytest's usage-error status (4) instead of 2.

    ``lazy_epilog`` makes an epilog only when the help is shown: ``simulate``'s scenario list imports the
    simulator and reads every scenario, which no other command (``--version`` included) should pay for.
    """

    def __init__(self, *args: Any, lazy_epilog: Callable[[], str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_epilog = lazy_epilog

    def format_help(self) -> str:
        if self.lazy_epilog is not None:
            self.epilog, self.lazy_epilog = self.lazy_epilog(), None
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def _scenario_list() -> str:
    from snow_preflight.simulator import list_scenarios

    lines = [f"  {name:<26} {description}" for name, description in list_scenarios()]
    return "scenarios:\n" + "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="snow-preflight",
        description="Pre-flight checks for the Rundeck / PagerDuty Automation app on ServiceNow: app installed, "
        "roles held, MID Server up, every HTTP method of 'Rundeck - API' routed through it. "
        "Read-only: only GET requests reach the instance; only 'fix --apply' and 'attach' write, and "
        "only what they name.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="run the checklist against a ServiceNow instance",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_cli_options(run, "run")
    run.add_argument("--no-prompt", action="store_true", help="never ask for a password, even on a terminal")
    run.add_argument(
        "--instances",
        metavar="NAME,...",
        help="a fleet of the instances of these names in the config file ([instances.NAME] tables; default: "
        "all of them, unless --instance names one) [SN_INSTANCES]",
    )

    demo = commands.add_parser("demo", help="start the built-in simulator and run the checklist against it")
    demo.add_argument(
        "--scenario",
        default="typical",
        help="simulated instance (default: typical); 'snow-preflight simulate --list' lists them",
    )
    demo.add_argument(
        "--rundeck",
        nargs="?",
        const="healthy",
        metavar="SCENARIO",
        help="also start the Rundeck stand-in and check Rundeck through it (scenario: healthy, "
        "webhook_disabled, old_api_version, token_refused or webhooks_denied; default healthy)",
    )
    add_cli_options(demo, "demo")

    simulate = commands.add_parser(
        "simulate",
        help="serve a simulated ServiceNow instance on loopback",
        lazy_epilog=_scenario_list,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate.add_argument(
        "--scenario", default="healthy", help="which instance to simulate (default: healthy)"
    )
    simulate.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    simulate.add_argument(
        "--tls", action="store_true", help="serve HTTPS with a throwaway CA (needs cryptography)"
    )
    simulate.add_argument("--latency-ms", type=float, default=0.0, help="delay added to every answer")
    simulate.add_argument("--list", action="store_true", help="list the scenarios and exit")

    replay = commands.add_parser("replay", help="re-run the checklist on a support bundle, offline")
    replay.add_argument("bundle", type=Path, help="a bundle written by --bundle")
    add_cli_options(replay, "replay")

    from snow_preflight.fix.arguments import add_attach_parser, add_fix_parser

    add_fix_parser(commands)
    add_attach_parser(commands)

    commands.add_parser(
        "schema",
        help="print the JSON Schema that report.json follows",
        description="Print the JSON Schema (draft 2020-12) that every report.json of this version "
        "validates against; the README's 'report.json and its schema' says what may change.",
    )

    diff = commands.add_parser(
        "diff",
        help="compare two runs: what got worse, what got better, what changed in the evidence",
        description="Compare two report.json files (or their folders, or support bundles) by result id: what "
        "got worse (a result now failed or could not be verified: passed -> error is visibility lost), what "
        "got better, and what changed in the evidence (a MID Server switched, a method added, a version "
        "changed). Times and each report's instance URL are not compared.",
        epilog="exit status:\n  0 nothing got worse, 1 something got worse, 4 an input cannot be read\n\n"
        "example:\n  snow-preflight diff yesterday/report.json preflight-report/report.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.add_argument("old", type=Path, help="the earlier run: report.json, its folder, or a bundle")
    diff.add_argument("new", type=Path, help="the later run, in the same forms")
    diff.add_argument("--json", action="store_true", help="print the comparison as JSON instead of text")
    return parser


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    """What command *name* does, imported once the arguments are parsed: --version and --help need none of it."""
    if name in ("fix", "attach"):
        # They write, and the command line is the only way into snow_preflight.fix (its arguments and
        # commands): tests/test_fix_containment.py holds that, so their entry stays here.
        from snow_preflight.fix.commands import attach, fix

        return {"fix": fix, "attach": attach}[name]
    from snow_preflight import commands

    known: dict[str, Callable[[argparse.Namespace], int]] = {
        "run": commands.run,
        "demo": commands.demo,
        "simulate": commands.simulate,
        "replay": commands.replay,
        "schema": commands.schema,
        "diff": commands.diff,
    }
    return known[name]


def main(argv: Sequence[str] | None = None) -> int:
    from snow_preflight.streams import protect_stdout

    parser = build_parser()
    args = parser.parse_args(argv)
    protect_stdout()  # `snow-preflight run | head`: the run still finishes and writes its reports
    try:
        return _command(args.command)(args)
    except PreflightError as exc:
        # Settings that cannot work, a bundle that does not exist: one line, no traceback.
        print(f"snow-preflight: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except LookupError as exc:
        # A stand-in's unknown scenario (they import nothing from the engine, so not a PreflightError).
        from snow_preflight.rundeck_stand_in.scenarios import UnknownRundeckScenarioError
        from snow_preflight.simulator.errors import SimulatorError

        if not isinstance(exc, SimulatorError | UnknownRundeckScenarioError):
            raise
        print(f"snow-preflight: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("snow-preflight: interrupted", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
