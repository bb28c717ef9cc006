"""``snow-preflight fix`` and ``snow-preflight attach``: settings, console lines, files, exit statuses.

Every write is shown on the console as it is made, and recorded in the exchange log saved with the result
(``fix-result.json``, ``attach-result.json``). A refusal, a failure or a write the instance denies is one
line on stderr naming the cause and the fix. Console lines and files pass through the login's redactor.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from snow_preflight.errors import ConfigError, FixRefusedError, InstanceError
from snow_preflight.fix.model import (
    PLAN_FILE,
    RESULT_FILE,
    Plan,
    Result,
    read_plan,
    read_undo,
    remove_plan,
    write_json,
)
from snow_preflight.options import BY_FIELD
from snow_preflight.settings import Settings, resolve

if TYPE_CHECKING:
    from snow_preflight.fix.client import WritingClient

NOTHING_TO_DO, FAILED, PENDING, REFUSED = 0, 1, 2, 4
INTERRUPTED = 2  # the checklist's status for an interrupt
#: Credentials of the run's login, left out when attach logs in as --attach-username.
_LOGIN_FIELDS = ("username", "password", "client_id", "client_secret", "token", "api_key")


class Console:
    """What the person at the terminal reads, through the client's redactor (which learns OAuth tokens as
    they are fetched): no line carries a secret, even one the instance echoes back."""

    def __init__(self, command: str, client: WritingClient) -> None:
        self.command = command
        self.client = client

    def text(self, text: str) -> str:
        return self.client.redactor.text(text)

    def say(self, line: str) -> None:
        print(self.text(line), flush=True)

    def error(self, message: str) -> None:
        print(self.text(f"snow-preflight {self.command}: {message}"), file=sys.stderr, flush=True)


def _ask(args: argparse.Namespace) -> tuple[Callable[[str], str] | None, str]:
    if args.no_prompt:
        return None, "--no-prompt forbids asking for it"
    if not sys.stdin.isatty():
        return None, "there is no terminal to ask for it at"

    def ask(username: str) -> str:
        try:
            return getpass.getpass(f"Password for {username}: ")
        except EOFError:
            return ""

    return ask, ""


def settings_for(args: argparse.Namespace, *, attach_username: str | None = None) -> Settings:
    """The run's settings from the flags, SN_* variables and config file, checked before any request.

    With *attach_username*, the login is that user with SN_ATTACH_PASSWORD (or the prompt), never the
    pre-flight login's credentials.
    """
    flags = {key: value for key, value in vars(args).items() if key in BY_FIELD and value is not None}
    environ: dict[str, str] = dict(os.environ)
    ask, cannot_ask = _ask(args)
    if attach_username:
        logins = {BY_FIELD[key].env for key in _LOGIN_FIELDS}
        environ = {key: value for key, value in environ.items() if key not in logins}
        flags = {key: value for key, value in flags.items() if key not in _LOGIN_FIELDS}
        password = os.environ.get("SN_ATTACH_PASSWORD") or (ask(attach_username) if ask else "")
        if not password:
            state = "is set but empty" if "SN_ATTACH_PASSWORD" in os.environ else "is not set"
            why = f"; {cannot_ask}" if cannot_ask else ""
            raise ConfigError(
                f"no password for --attach-username {attach_username}: SN_ATTACH_PASSWORD {state} (in CI, map "
                f"the secret into the job's environment){why}"
            )
        flags.update(username=attach_username, password=password)
        ask = None
    config = args.config or (Path(os.environ["SN_CONFIG"]) if os.environ.get("SN_CONFIG") else None)
    return resolve(flags, environ, config, ask=ask, cannot_ask=cannot_ask)


# -- fix -----------------------------------------------------------------------------------------------


def fix(args: argparse.Namespace) -> int:
    """The ``fix`` command; its exit status (see ``snow-preflight fix --help``)."""
    if args.undo is None and not (args.mid or args.mid_sys_id):
        raise ConfigError(
            "fix needs the target: --mid NAME (or --mid-sys-id SYS_ID); or --undo FILE to go back"
        )
    if args.undo is not None and (args.mid or args.mid_sys_id):
        raise ConfigError("--undo restores what its file says: give it without --mid or --mid-sys-id")
    settings = settings_for(args)
    from snow_preflight.fix.client import WritingClient

    with WritingClient(settings.connection) as client:
        out = Console("fix", client)
        try:
            return _fix(args, settings, client, out)
        except KeyboardInterrupt:
            # Not 2: for fix that means "changes pending". The undo file already lists what was changed.
            out.error(
                f"interrupted; a change already made is listed in the fix-undo-*.json in {settings.report_dir}"
            )
            return FAILED


def _fix(args: argparse.Namespace, settings: Settings, client: WritingClient, out: Console) -> int:
    from snow_preflight.fix.apply import apply_plan
    from snow_preflight.fix.plan import describe

    directory = settings.report_dir
    try:
        plan = (
            _undo_plan(client, settings, args.undo) if args.undo else _fix_plan(client, settings, args, out)
        )
    except FixRefusedError as exc:
        gone = args.undo is None and remove_plan(directory)
        out.error(f"refused: {exc}{' (removed the earlier ' + PLAN_FILE + ')' if gone else ''}")
        return REFUSED
    except InstanceError as exc:
        out.error(f"failed: {exc}")
        return FAILED
    for line in describe(plan):
        out.say(line)
    if not plan.changes:
        if plan.kind == "fix" and remove_plan(directory):
            out.say(f"Removed the earlier {directory / PLAN_FILE}: it no longer describes the instance.")
        out.say("Nothing to change.")
        return NOTHING_TO_DO
    if not args.apply:
        out.say(_pending(plan, args, directory, out))
        return PENDING
    try:
        result = apply_plan(client, plan, directory, out.say)
        result.exchanges = client.log.items()
        written = write_json(directory / RESULT_FILE, result, out.text)
    except OSError as exc:  # the undo file is written before any change: failing there changed nothing
        out.error(
            f"failed: {exc.filename}: {exc.strerror or exc}; choose a writable folder with --report-dir"
        )
        return FAILED
    remove_plan(directory)  # applied: as a plan of what to change, it is spent
    _report(result, written, out)
    if not any(outcome.changed for outcome in result.outcomes):
        out.error(f"failed: nothing was changed: {_first_reason(result)}")
        return FAILED
    return _checklist(settings, plan, out, complete=all(outcome.changed for outcome in result.outcomes))


def _fix_plan(client: WritingClient, settings: Settings, args: argparse.Namespace, out: Console) -> Plan:
    from snow_preflight.fix.plan import find_target, make_plan

    saved = read_plan(settings.report_dir / PLAN_FILE) if args.apply else None
    if saved is not None and saved.target is not None and _same_fix(saved, client, settings, args):
        when = f"{saved.planned_at:%Y-%m-%d %H:%M:%S} UTC"
        out.say(f"Applying the plan saved in {settings.report_dir / PLAN_FILE} at {when}.")
        client.authenticate()
        saved.target = find_target(client, None, saved.target.sys_id)  # still one, Up and validated?
        return saved
    return make_plan(client, settings, args.mid, args.mid_sys_id)


def _same_fix(saved: Plan, client: WritingClient, settings: Settings, args: argparse.Namespace) -> bool:
    """The saved plan is for this instance, REST message and target MID Server."""
    target = saved.target
    assert target is not None
    return (
        saved.instance == client.conn.base_url
        and (saved.rest_message, saved.scope) == (settings.expect.rest_message, settings.expect.app_scope)
        and (not args.mid or args.mid == target.name)
        and (not args.mid_sys_id or args.mid_sys_id == target.sys_id)
    )


def _undo_plan(client: WritingClient, settings: Settings, path: Path) -> Plan:
    from snow_preflight.fix.undo import plan_undo

    return plan_undo(client, settings, read_undo(path), path)


def _pending(plan: Plan, args: argparse.Namespace, directory: Path, out: Console) -> str:
    if plan.kind == "undo":
        return f"Nothing was changed. Restore with: snow-preflight fix --undo {args.undo} --apply"
    path = write_json(directory / PLAN_FILE, plan, out.text)
    target = f"--mid-sys-id {args.mid_sys_id}" if args.mid_sys_id else f"--mid {args.mid}"
    return f"Nothing was changed. Plan saved to {path}; apply it with: snow-preflight fix {target} --apply"


def _first_reason(result: Result) -> str:
    return next((o.reason for o in result.outcomes if not o.changed), "no change was planned")


def _report(result: Result, written: Path, out: Console) -> None:
    changed = [o.name for o in result.outcomes if o.changed]
    kept = [f"{o.name} ({o.reason})" for o in result.outcomes if not o.changed]
    out.say(f"Changed ({len(changed)}): {', '.join(changed) or 'none'}.")
    if kept:
        out.say(f"Not changed ({len(kept)}): {'; '.join(kept)}.")
    for line in result.captured:
        out.say(f"Captured: {line}")
    if result.undo_file:
        out.say(f"Undo with: snow-preflight fix --undo {result.undo_file} --apply")
    out.say(f"Result and exchange log: {written}")


def _checklist(settings: Settings, plan: Plan, out: Console, *, complete: bool) -> int:
    """Re-run the checklist (the usual reports); its exit status, and at least 1 when a change was not made."""
    from snow_preflight.run import interruptible, run_checklist

    if plan.kind == "fix" and plan.target is not None and settings.expect.expected_mid is None:
        expect = dataclasses.replace(settings.expect, expected_mid=plan.target.name)
        settings = settings.replace(expect=expect)
    out.say("Re-running the checklist against the instance:")
    code = interruptible(settings, lambda: run_checklist(settings).exit_code)
    if code == INTERRUPTED:  # for fix, 2 means "changes pending"; the changes are made, the check was not
        return FAILED
    return code if complete or code != 0 else FAILED


# -- attach --------------------------------------------------------------------------------------------


def attach(args: argparse.Namespace) -> int:
    """The ``attach`` command; 0 attached, 1 the change request could not take it, 4 usage."""
    from snow_preflight.fix.attach import RESULT_FILE as ATTACH_FILE
    from snow_preflight.fix.attach import attach_evidence, read_evidence
    from snow_preflight.fix.client import WritingClient

    username = args.attach_username or os.environ.get("SN_ATTACH_USERNAME") or None
    settings = settings_for(args, attach_username=username)
    evidence = read_evidence(settings.report_dir)
    with WritingClient(settings.connection) as client:
        out = Console("attach", client)
        where = f"{settings.report_dir}/report.html and report.json"
        out.say(f"snow-preflight attach: {where} to {args.change} on {settings.connection.base_url}")
        try:
            result = attach_evidence(client, args.change, evidence, out.say)
        except InstanceError as exc:
            out.error(f"failed: {exc}")
            return FAILED
        result.exchanges = client.log.items()
        written = write_json(settings.report_dir / ATTACH_FILE, result, out.text)
        attached = ", ".join(a.file_name for a in result.attached)
        out.say(f"Attached to {result.change}: {attached}; work note: {result.work_note}")
        out.say(f"Result and exchange log: {written}")
    return 0
