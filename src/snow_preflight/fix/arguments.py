"""The ``fix`` and ``attach`` subcommands' arguments and help; light, as every command builds the parser.

Their own flags are not rows of :data:`snow_preflight.options.OPTIONS`: they are actions of one command,
not settings of a run (pytest has no use for ``--apply``). The connection, expectation and report options
are the table's, added by :func:`snow_preflight.options.add_cli_options`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from snow_preflight.options import add_cli_options

FIX_EPILOG = """\
what it does:
  Without --apply: reads the instance and prints the plan (nothing is written to the instance), and
  saves it as fix-plan.json in --report-dir. With --apply: applies the saved plan when it is for this
  instance and MID Server (else plans afresh), refusing any method whose record changed since the plan,
  writes fix-undo-<instance>-<UTC time>.json before the first write, PATCHes use_mid_server alone on
  each method that needs it, says which update set captured the change, then re-runs the checklist and
  writes the usual reports. --undo FILE [--apply] plans [and applies] the way back.

rights:
  the plan reads ecc_agent, sys_rest_message and sys_rest_message_fn (web_service_admin); --apply also
  writes sys_rest_message_fn (web_service_admin); where the change was captured is read from
  sys_update_xml, usually admin-only.

exit status (terraform's -detailed-exitcode convention for the plan):
  0 nothing to change, 2 changes pending (plan shown, not applied), 4 refused (the target is not one Up
  and validated MID Server, a method is protected by policy, a stale or foreign undo file) or a usage
  error, 1 a write failed or was refused (403), the instance could not be read, or an interrupt. With
  --apply: the checklist's status afterwards (0 go, 1 no-go, ...), and 1 when a planned change was not made.

examples:
  snow-preflight fix --instance acme --username svc_preflight --mid prod-mid-server
  snow-preflight fix --instance acme --username svc_preflight --mid prod-mid-server --apply
  snow-preflight fix --instance acme --username svc_preflight --undo preflight-report/fix-undo-*.json --apply
"""

ATTACH_EPILOG = """\
what it does:
  Uploads report.html and report.json of --report-dir to the change request through the Attachment API,
  then adds a work note with the verdict, the instance, the time and the tool version.

rights:
  write access to the change request (itil, typically), which a pre-flight login usually lacks: give
  another login with --attach-username and its password in SN_ATTACH_PASSWORD (or at the prompt).

exit status:
  0 attached, 1 the change request does not exist, cannot be seen or cannot be written, or the instance
  could not be reached, 4 usage error (no report in --report-dir, a bad option or setting).

example:
  SN_ATTACH_PASSWORD=... snow-preflight attach --instance acme --attach-username chg.bot --change CHG0030001
"""


def _prompt_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-prompt", action="store_true", help="never ask for a password, even on a terminal"
    )


def add_fix_parser(commands: Any) -> argparse.ArgumentParser:
    """``snow-preflight fix``: plan, apply or undo setting Use MID Server on the app's HTTP methods."""
    fix: argparse.ArgumentParser = commands.add_parser(
        "fix",
        help="set Use MID Server on every HTTP method of the app's REST message (plan; --apply to change)",
        description="Plan, apply or undo the documented fix: Use MID Server set on every HTTP method of the "
        "app's REST message (the one in the app's scope, never a copy). Writes only with --apply.",
        epilog=FIX_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = fix.add_argument_group("what to fix")
    what.add_argument("--mid", metavar="NAME", help="the MID Server every HTTP method should use")
    what.add_argument(
        "--mid-sys-id", metavar="SYS_ID", help="its sys_id, when two MID Server records share the name"
    )
    what.add_argument("--apply", action="store_true", help="make the planned changes (without it: plan only)")
    what.add_argument(
        "--undo", metavar="FILE", type=Path, help="plan (with --apply: make) the restore of an undo file"
    )
    _prompt_flag(fix)
    add_cli_options(fix, "fix")
    return fix


def add_attach_parser(commands: Any) -> argparse.ArgumentParser:
    """``snow-preflight attach``: the reports and a work note on a change request."""
    attach: argparse.ArgumentParser = commands.add_parser(
        "attach",
        help="attach report.html and report.json to a change request, with a work note of the verdict",
        description="Attach the reports of --report-dir to a change request and add a work note with the verdict.",
        epilog=ATTACH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = attach.add_argument_group("where the evidence goes")
    where.add_argument(
        "--change", metavar="CHG|SYS_ID", required=True, help="the change request: its number or sys_id"
    )
    where.add_argument(
        "--attach-username",
        metavar="USER",
        help="log in as this user to attach (password: SN_ATTACH_PASSWORD, or the prompt) [SN_ATTACH_USERNAME]",
    )
    _prompt_flag(attach)
    add_cli_options(attach, "attach")
    return attach
