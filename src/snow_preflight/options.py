"""The one table of settings a person can give: each has a flag, a pytest option, a variable and a key.

``snow-preflight run --timeout 5``, ``pytest --sn-timeout 5``, ``SN_TIMEOUT=5`` and ``timeout = 5`` under
``[connection]`` in ``snow-preflight.toml`` are the same setting, built from the same :data:`OPTIONS` row,
so the command line, the pytest plugin, the environment and the config file cannot drift apart.
Precedence: flag > environment > config file > the documented defaults (see :mod:`snow_preflight.settings`).
Secrets have no config key: they come from a variable, a flag, or the password prompt.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

    from snow_preflight.settings import Settings

SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class Option:
    field: str  # the settings field it sets
    flag: str  # the CLI flag without dashes; the pytest option is "--sn-" + flag
    help: str
    env: str | None = None  # the environment variable
    section: str | None = None  # config file: "connection", "expect", "" (top level) or None (never)
    metavar: str | None = None
    kind: Callable[[str], Any] = str
    choices: tuple[str, ...] | None = None
    secret: bool = False
    append: bool = False  # may be given several times
    switch: bool = False  # a flag without a value
    commands: tuple[str, ...] = ("run",)  # CLI commands that take it (pytest takes them all)

    @property
    def config_key(self) -> str | None:
        if self.section is None:
            return None
        return f"[{self.section}] {self.field}" if self.section else self.field


_JUDGE = ("run", "demo")
OPTIONS: tuple[Option, ...] = (
    Option(
        "base_url",
        "instance",
        "https://<name>.service-now.com, or just <name>",
        "SN_HOST",
        "connection",
        "URL",
    ),
    Option("username", "username", "login user name", "SN_USERNAME", "connection", "USER"),
    Option(
        "password",
        "password",
        "password; prefer SN_PASSWORD or the prompt, which no process list shows",
        "SN_PASSWORD",
        None,
        "PW",
        secret=True,
    ),
    Option("client_id", "client-id", "OAuth client id", "SN_CLIENT_ID", "connection", "ID"),
    Option(
        "client_secret",
        "client-secret",
        "OAuth client secret; prefer SN_CLIENT_SECRET",
        "SN_CLIENT_SECRET",
        None,
        "SECRET",
        secret=True,
    ),
    Option(
        "ca_bundle",
        "ca-bundle",
        "CA bundle (PEM) to verify the instance's TLS certificate",
        "SN_CA_BUNDLE",
        "connection",
        "PEM",
        Path,
    ),
    Option(
        "client_cert",
        "client-cert",
        "client certificate (PEM) for mutual TLS",
        "SN_CLIENT_CERT",
        "connection",
        "PEM",
        Path,
    ),
    Option(
        "client_key",
        "client-key",
        "private key (PEM) of the client certificate",
        "SN_CLIENT_KEY",
        "connection",
        "PEM",
        Path,
    ),
    Option(
        "timeout",
        "timeout",
        "seconds to wait for each answer (default 10)",
        "SN_TIMEOUT",
        "connection",
        "SEC",
        float,
    ),
    Option(
        "time_budget",
        "time-budget",
        "seconds one read may take with its retries and Retry-After waits (default 60)",
        "SN_TIME_BUDGET",
        "connection",
        "SEC",
        float,
    ),
    Option(
        "max_retries",
        "max-retries",
        "retries of a read that answered 5xx (default 3)",
        "SN_MAX_RETRIES",
        "connection",
        "N",
        int,
    ),
    Option(
        "expected_mid",
        "expected-mid",
        "name of the MID Server every HTTP method must use",
        "SN_EXPECTED_MID",
        "expect",
        "NAME",
        commands=_JUDGE,
    ),
    Option(
        "heartbeat_max_age_minutes",
        "heartbeat-max-age",
        "minutes a MID Server heartbeat may be old (default 15)",
        "SN_HEARTBEAT_MAX_AGE",
        "expect",
        "MIN",
        float,
        commands=_JUDGE,
    ),
    Option(
        "integration_user",
        "integration-user",
        "also check this account's roles",
        "SN_INTEGRATION_USER",
        "expect",
        "USER",
        commands=_JUDGE,
    ),
    Option(
        "fail_on",
        "fail-on",
        "lowest severity that fails the gate (default high)",
        "SN_FAIL_ON",
        "",
        None,
        choices=SEVERITIES,
        commands=(*_JUDGE, "replay"),
    ),
    Option(
        "report_dir",
        "report-dir",
        "where report.json, report.html and junit.xml go (default ./preflight-report)",
        "SN_REPORT_DIR",
        "",
        "DIR",
        Path,
        commands=(*_JUDGE, "replay"),
    ),
    Option(
        "bundle",
        "bundle",
        "also write a redacted support bundle (zip) for offline analysis",
        None,
        "",
        switch=True,
        commands=_JUDGE,
    ),
    Option(
        "ticket",
        "ticket",
        "support ticket id to record in the support bundle (implies --bundle)",
        "SN_TICKET",
        "",
        "ID",
        commands=_JUDGE,
    ),
    Option(
        "checks_dirs",
        "checks",
        "a folder of your own check modules, judged beside ours (repeatable)",
        None,
        "",
        "DIR",
        Path,
        append=True,
        commands=(*_JUDGE, "replay"),
    ),
)
BY_FIELD: Mapping[str, Option] = {option.field: option for option in OPTIONS}
#: Variable → settings field, for :func:`snow_preflight.settings.resolve` (secrets without a flag too).
ENVIRONMENT: Mapping[str, str] = {
    **{option.env: option.field for option in OPTIONS if option.env},
    "SN_ACCESS_TOKEN": "token",
    "SN_API_KEY": "api_key",
}
CONFIG_OPTION = ("config", "TOML config file (never secrets; default ./snow-preflight.toml)", "SN_CONFIG")


def flag_for(field: str, front_end: str = "cli") -> str:
    """The flag that sets *field* in the front end a person is using ("cli" or "pytest")."""
    flag = BY_FIELD[field].flag
    return f"--sn-{flag}" if front_end == "pytest" else f"--{flag}"


def _describe(option: Option) -> str:
    sources = [f"[{option.env}]"] if option.env else []
    return " ".join([option.help, *sources])


def add_cli_options(parser: argparse.ArgumentParser, command: str) -> None:
    """The flags of one ``snow-preflight`` command, grouped as ``--help`` shows them."""
    groups: dict[str, Any] = {}
    for option in OPTIONS:
        if command not in option.commands:
            continue
        title = "instance and login" if option.section == "connection" or option.secret else "what to judge"
        group = groups.setdefault(title, parser.add_argument_group(title))
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
                action="append" if option.append else "store",
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
    """Settings from the ``--sn-*`` options, the environment and the config file; ConfigError if invalid."""
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
    return resolve(flags, config_path=Path(path) if path else None)
