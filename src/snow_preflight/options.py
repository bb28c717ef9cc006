"""The one table of settings a person can give: each has a flag, a pytest option, a variable and a key.

``snow-preflight run --timeout 5``, ``pytest --sn-timeout 5``, ``SN_TIMEOUT=5`` and ``timeout = 5`` under
``[connection]`` in ``snow-preflight.toml`` are the same setting, built from the same :data:`OPTIONS` row,
so the command line, the pytest plugin, the environment and the config file cannot drift apart; the README's
settings table is :func:`markdown_table`, and a test holds the two together.
Precedence: flag > environment > config file > the documented defaults (see :mod:`snow_preflight.settings`).
Secrets have no config key: they come from a variable, a flag, or the password prompt.

Messages name settings by their CLI flag (``--timeout``); :func:`for_pytest` rewrites them for a person
driving pytest, who knows them as ``--sn-timeout``.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

    from snow_preflight.settings import Settings

SEVERITIES = ("critical", "high", "medium", "low", "info")
#: The commands that log in to an instance: a row without a note in the README's table belongs to them.
_CONNECT = ("run", "fix", "attach")


@dataclass(frozen=True)
class Option:
    field: str  # the settings field it sets
    flag: str  # the CLI flag without dashes; the pytest option is "--sn-" + flag
    help: str
    env: str  # the environment variable (a list option takes a comma-separated list)
    section: str | None = None  # config file: "connection", "expect", "" (top level) or None (never)
    metavar: str | None = None
    kind: Callable[[str], Any] = str
    choices: tuple[str, ...] | None = None
    secret: bool = False
    append: bool = False  # may be given several times; a list in the config file
    several: tuple[str, ...] = ()  # CLI commands where it may be given several times: a fleet (run)
    switch: bool = False  # a flag without a value
    commands: tuple[str, ...] = _CONNECT  # CLI commands that take it (pytest takes them all)

    @property
    def config_key(self) -> str | None:
        if self.section is None:
            return None
        return f"[{self.section}] {self.field}" if self.section else self.field

    @property
    def group(self) -> str:
        """The heading ``--help`` shows it under."""
        if self.field.startswith("rundeck_"):
            return "Rundeck, checked from this host (optional)"
        if self.secret or self.section == "connection":
            return "instance and login"
        return "what to expect" if self.section == "expect" else "what to judge and where reports go"


_JUDGE = ("run", "demo", "fix")  # fix judges too: it re-runs the checklist after its changes
_ALL = ("run", "demo", "replay", "fix")
_CONSOLE = ("run", "demo", "replay")  # the commands that print the checklist's summary
_RUNDECK = ("run", "demo")  # read with the instance; a bundle replays Rundeck's answers as they were
OPTIONS: tuple[Option, ...] = (
    # -- instance and login -------------------------------------------------------------------------
    Option("base_url", "instance", "the instance: acme, acme.service-now.com or an https:// URL (run: "
           "repeat it for a fleet, see the README's Fleets)", "SN_HOST", "connection", "URL", several=("run",)),
    Option("username", "username", "login user name", "SN_USERNAME", "connection", "USER"),
    Option("password", "password", "password; prefer SN_PASSWORD or the prompt, which no process list shows",
           "SN_PASSWORD", None, "PW", secret=True),
    Option("client_id", "client-id", "OAuth client id", "SN_CLIENT_ID", "connection", "ID"),
    Option("client_secret", "client-secret", "OAuth client secret; prefer SN_CLIENT_SECRET",
           "SN_CLIENT_SECRET", None, "SECRET", secret=True),
    Option("token", "token", "OAuth access token obtained elsewhere (bearer); prefer SN_ACCESS_TOKEN",
           "SN_ACCESS_TOKEN", None, "TOKEN", secret=True),
    Option("api_key", "api-key", "API key (x-sn-apikey header); prefer SN_API_KEY", "SN_API_KEY", None, "KEY",
           secret=True),
    Option("ca_bundle", "ca-bundle", "CA bundle (PEM) to verify the instance's TLS certificate",
           "SN_CA_BUNDLE", "connection", "PEM", Path),
    Option("client_cert", "client-cert", "client certificate (PEM) for mutual TLS", "SN_CLIENT_CERT",
           "connection", "PEM", Path),
    Option("client_key", "client-key", "private key (PEM, not encrypted) of the client certificate",
           "SN_CLIENT_KEY", "connection", "PEM", Path),
    Option("timeout", "timeout", "seconds to wait for each answer (default 10)", "SN_TIMEOUT", "connection",
           "SEC", float),
    Option("time_budget", "time-budget",
           "seconds one read may take with its retries and Retry-After waits (default 60)", "SN_TIME_BUDGET",
           "connection", "SEC", float),
    Option("max_retries", "max-retries", "retries of a read that answered 5xx (default 3)", "SN_MAX_RETRIES",
           "connection", "N", int),
    # -- what to expect (the defaults are the documented app's) --------------------------------------
    Option("expected_mid", "expected-mid", "name of the MID Server every HTTP method must use",
           "SN_EXPECTED_MID", "expect", "NAME", commands=_JUDGE),
    Option("heartbeat_max_age_minutes", "heartbeat-max-age",
           "minutes a MID Server heartbeat may be old (default 15)", "SN_HEARTBEAT_MAX_AGE", "expect", "MIN",
           float, commands=_JUDGE),
    Option("integration_user", "integration-user", "also check this account's roles", "SN_INTEGRATION_USER",
           "expect", "USER", commands=_JUDGE),
    Option("app_scope", "app-scope", "scope of the app (default x_pd_process_autom)", "SN_APP_SCOPE",
           "expect", "SCOPE", commands=_JUDGE),
    Option("legacy_scope", "legacy-scope", "scope of the legacy 1.x app (default x_runde_rundeck_it)",
           "SN_LEGACY_SCOPE", "expect", "SCOPE", commands=_JUDGE),
    Option("rest_message", "rest-message", "name of the app's REST message (default 'Rundeck - API')",
           "SN_REST_MESSAGE", "expect", "NAME", commands=_JUDGE),
    Option("required_roles", "required-role",
           "a role the logins must hold (repeatable; default web_service_admin and "
           "x_pd_process_autom.app_user)", "SN_REQUIRED_ROLES", "expect", "ROLE", append=True,
           commands=_JUDGE),
    Option("documented_methods", "documented-method",
           "an HTTP method the REST message must have (repeatable; default the three documented ones)",
           "SN_DOCUMENTED_METHODS", "expect", "NAME", append=True, commands=_JUDGE),
    Option("probe_stuck_after_minutes", "probe-stuck-after",
           "minutes after which an unanswered RESTProbe counts as stuck (default 5)", "SN_PROBE_STUCK_AFTER",
           "expect", "MIN", float, commands=_JUDGE),
    Option("delivery_window_hours", "delivery-window",
           "hours of ECC queue traffic in which each HTTP method's last call is judged (default 24)",
           "SN_DELIVERY_WINDOW", "expect", "HOURS", int, commands=_JUDGE),
    # -- the Rundeck end, checked from this host (optional) -------------------------------------------
    Option("rundeck_url", "rundeck-url",
           "also check Rundeck from this host (API version, projects, webhooks), e.g. "
           "https://rundeck.example.com:4440", "RD_URL", "", "URL", commands=_RUNDECK),
    Option("rundeck_token", "rundeck-token",
           "Rundeck API token with read on the projects and their webhooks; prefer RD_TOKEN", "RD_TOKEN", None,
           "TOKEN", secret=True, commands=_RUNDECK),
    Option("rundeck_projects", "rundeck-project",
           "a Rundeck project the app uses: checked present, its webhooks enabled (repeatable)",
           "SN_RUNDECK_PROJECTS", "", "PROJECT", append=True, commands=_RUNDECK),
    Option("rundeck_api_version", "rundeck-api-version",
           "the Rundeck API version the app calls (default 34, the app's minimum)", "SN_RUNDECK_API_VERSION",
           "", "N", int, commands=_RUNDECK),
    # -- what to judge, the gate, the reports --------------------------------------------------------
    Option("only", "only", "judge only the checks whose check id or result id matches (repeatable; a glob "
           "such as 'mid_*' or an id such as 'rest_method_uses_mid[GET - Projects]')", "SN_ONLY", "",
           "ID|GLOB", append=True, commands=_ALL),
    Option("skip", "skip", "do not judge the checks whose check id or result id matches (repeatable)",
           "SN_SKIP", "", "ID|GLOB", append=True, commands=_ALL),
    Option("fail_on", "fail-on", "lowest severity that fails the gate (default high)", "SN_FAIL_ON", "",
           choices=SEVERITIES, commands=_ALL),
    Option("report_dir", "report-dir",
           "where report.json, report.html and junit.xml go (default ./preflight-report; "
           "./preflight-replay for replay)", "SN_REPORT_DIR", "", "DIR", Path, commands=(*_ALL, "attach")),
    Option("bundle", "bundle", "also write a redacted support bundle (zip) for offline analysis",
           "SN_BUNDLE", "", switch=True, commands=_JUDGE),
    Option("ticket", "ticket", "support ticket id to record in the support bundle (implies --bundle)",
           "SN_TICKET", "", "ID", commands=_JUDGE),
    Option("checks_dirs", "checks", "a folder of your own check modules, judged beside ours (repeatable)",
           "SN_CHECKS", "", "DIR", Path, append=True, commands=_ALL),
    Option("waivers", "waivers", "a TOML file of accepted findings ([[waiver]] tables with an expiry date; "
           "see the README's Waivers)", "SN_WAIVERS", "", "FILE", Path, commands=_ALL),
    Option("baseline", "baseline", "an earlier report.json (or its folder, or a bundle): the reports open with "
           "what changed since it", "SN_BASELINE", "", "FILE", Path, commands=_ALL),
    # -- how junit.xml and the console show it --------------------------------------------------------
    Option("junit_below_gate", "junit-below-gate",
           "how junit.xml shows a failed or unverified result below --fail-on: failure (default) or skipped, "
           "so it cannot mark a GO build unstable", "SN_JUNIT_BELOW_GATE", "", choices=("failure", "skipped"),
           commands=_ALL),
    Option("color", "color", "colour the verdict: auto (default: on a terminal, unless NO_COLOR is set; "
           "FORCE_COLOR forces it), yes or no", "SN_COLOR", "", choices=("auto", "yes", "no"),
           commands=_CONSOLE),
    Option("quiet", "quiet", "print only the verdict and the results that decide it", "SN_QUIET", "",
           switch=True, commands=_CONSOLE),
    Option("verbose", "verbose", "print every result's evidence, and the steps to fix each finding (--quiet wins)",
           "SN_VERBOSE", "", switch=True, commands=_CONSOLE),
    Option("output_format", "format", "text (default), or json: the summary as one JSON object on stdout, "
           "for scripts", "SN_FORMAT", "", choices=("text", "json"), commands=_CONSOLE),
)  # fmt: skip
BY_FIELD: Mapping[str, Option] = {option.field: option for option in OPTIONS}
SECRET_FIELDS = frozenset(option.field for option in OPTIONS if option.secret)
CONFIG_OPTION = ("config", "TOML config file (never secrets; default ./snow-preflight.toml)", "SN_CONFIG")
_FLAGS = re.compile(
    r"(?<![\w-])--("
    + "|".join(sorted((re.escape(o.flag) for o in OPTIONS), key=len, reverse=True))
    + f"|{CONFIG_OPTION[0]})(?![\\w-])"
)


def flag_for(field: str, front_end: str = "cli") -> str:
    """The flag that sets *field* in the front end a person is using ("cli" or "pytest")."""
    flag = BY_FIELD[field].flag
    return f"--sn-{flag}" if front_end == "pytest" else f"--{flag}"


def for_pytest(message: str) -> str:
    """*message* with every flag of the table named as pytest knows it: ``--timeout`` → ``--sn-timeout``."""
    return _FLAGS.sub(r"--sn-\1", message)


def _describe(option: Option) -> str:
    listed = ", comma-separated" if option.append else ""
    return f"{option.help} [{option.env}{listed}]"


def add_cli_options(parser: argparse.ArgumentParser, command: str) -> None:
    """The flags of one ``snow-preflight`` command, grouped as ``--help`` shows them."""
    groups: dict[str, Any] = {}
    for option in OPTIONS:
        if command not in option.commands:
            continue
        if option.group not in groups:
            groups[option.group] = parser.add_argument_group(option.group)
        group = groups[option.group]
        name = f"--{option.flag}"
        if option.switch:
            group.add_argument(
                name, dest=option.field, action="store_true", default=None, help=_describe(option)
            )
        else:
            group.add_argument(
                name,
                dest=option.field,
                metavar=option.metavar,
                type=option.kind,
                choices=option.choices,
                action="append" if option.append or command in option.several else "store",
                help=_describe(option),
            )
    config, help_text, env = CONFIG_OPTION
    parser.add_argument(f"--{config}", metavar="FILE", type=Path, help=f"{help_text} [{env}]")


def add_pytest_options(group: Any) -> None:
    """The same options for pytest, each as ``--sn-<flag>``."""
    for option in OPTIONS:
        dest = f"sn_{option.field}"
        name = f"--sn-{option.flag}"
        if option.switch:
            group.addoption(name, dest=dest, action="store_true", default=None, help=_describe(option))
        else:
            group.addoption(
                name,
                dest=dest,
                metavar=option.metavar,
                choices=option.choices,
                default=None,
                action="append" if option.append else "store",
                help=_describe(option),
            )
    config, help_text, env = CONFIG_OPTION
    group.addoption(
        f"--sn-{config}", dest="sn_config", metavar="FILE", default=None, help=f"{help_text} [{env}]"
    )


def settings_from_pytest(config: pytest.Config) -> Settings:
    """Settings from the ``--sn-*`` options, the environment and the config file; ConfigError if invalid.

    Messages name the ``--sn-*`` options, as the person typed them.
    """
    import os

    from snow_preflight.errors import ConfigError
    from snow_preflight.settings import resolve

    flags: dict[str, Any] = {}
    for option in OPTIONS:
        value = config.getoption(f"sn_{option.field}")
        if value is not None and option.kind is not str and not option.switch:
            try:
                value = [option.kind(v) for v in value] if option.append else option.kind(value)
            except ValueError:
                raise ConfigError(f"--sn-{option.flag} {value!r} is not a valid {option.metavar}") from None
        flags[option.field] = value
    path = config.getoption("sn_config") or os.environ.get(CONFIG_OPTION[2])
    try:
        return resolve(flags, config_path=Path(path) if path else None, cannot_ask="pytest does not prompt")
    except ConfigError as exc:
        raise ConfigError(for_pytest(str(exc))) from None


def markdown_table() -> str:
    """The README's settings table: every row of :data:`OPTIONS`, as each front end spells it."""
    rows = [
        "| setting | `snow-preflight` flag | pytest option | environment | config file (`snow-preflight.toml`) |",
        "|---|---|---|---|---|",
    ]
    for option in OPTIONS:
        metavar = "|".join(option.choices) if option.choices else option.metavar
        value = "" if option.switch else f" {metavar}".replace("|", "\\|")
        commands = "" if option.commands == _CONNECT else f" ({', '.join(option.commands)})"
        env = f"`{option.env}`" + (" (comma-separated)" if option.append else "")
        key = f"`{option.config_key}`" if option.config_key else "never (a secret)"
        help_text = option.help.replace("|", "\\|")
        rows.append(
            f"| {help_text} | `--{option.flag}{value}`{commands} | `--sn-{option.flag}` | {env} | {key} |"
        )
    config, help_text, env = CONFIG_OPTION
    rows.append(f"| {help_text} | `--{config} FILE` | `--sn-{config}` | `{env}` | — |")
    return "\n".join(rows) + "\n"
