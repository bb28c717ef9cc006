"""Settings: where the instance is, how to log in, what to expect, where reports go.

Precedence, highest first: command-line flag > environment (``SN_*``, the names the servicenow.itsm Ansible
collection uses) > TOML config file (never secrets) > defaults that match the documented app. Every setting
a person can give is a row of :data:`snow_preflight.options.OPTIONS`.

:func:`resolve` checks everything that can be checked without the instance before a run starts, so a
mistake is a usage error (exit 4) with its reason, never a run that fails later: the config file's keys
(:mod:`snow_preflight.config_file`), the values and the files named (CA bundle, client certificate and
key: the models' own validators), then whether the settings can work (:mod:`snow_preflight.validation`):
the login (a complete set of credentials), the folders (reports, site checks), waivers and baseline.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from snow_preflight.config_file import config_used, read_config
from snow_preflight.errors import ConfigError, InvalidSettingError
from snow_preflight.options import BY_FIELD, OPTIONS, SECRET_FIELDS
from snow_preflight.redaction import Redactor
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.severity import Severity
from snow_preflight.validation import check_usable
from snow_preflight.values import Secret, coerce, positive, within

#: The app as the Rundeck documentation describes it (servicenow-facts.md §1).
APP_SCOPE = "x_pd_process_autom"
LEGACY_SCOPE = "x_runde_rundeck_it"
REST_MESSAGE = "Rundeck - API"
REQUIRED_ROLES = ("web_service_admin", "x_pd_process_autom.app_user")
DOCUMENTED_METHODS = ("POST - Run Webhook", "GET - Webhooks", "GET - Projects")
#: The Rundeck API version the app calls, by default and at least (servicenow-facts §1.3).
RUNDECK_API_VERSION = 34


@dataclass(frozen=True)
class Expectations:
    """What a correct installation looks like."""

    app_scope: str = APP_SCOPE
    legacy_scope: str = LEGACY_SCOPE
    rest_message: str = REST_MESSAGE
    required_roles: tuple[str, ...] = REQUIRED_ROLES
    documented_methods: tuple[str, ...] = DOCUMENTED_METHODS
    expected_mid: str | None = None
    heartbeat_max_age_minutes: float = 15.0
    integration_user: str | None = None
    # A RESTProbe output still "ready" after this long went unanswered by the MID Server.
    probe_stuck_after_minutes: float = 5.0
    # The ECC queue traffic judged: each HTTP method's last call in this many hours (gs.hoursAgoStart).
    delivery_window_hours: int = 24

    def __post_init__(self) -> None:
        coerce(self)
        positive(self, "heartbeat_max_age_minutes", "probe_stuck_after_minutes")
        within(self, "delivery_window_hours", 1, 720)


@dataclass(frozen=True)
class Settings:
    """Everything one run needs."""

    connection: ConnectionSettings
    expect: Expectations = field(default_factory=Expectations)
    report_dir: Path = Path("preflight-report")
    fail_on: Severity = Severity.HIGH
    bundle: bool = False
    # A support ticket id, recorded in the bundle (so a ticket id implies a bundle); one printable line.
    ticket: str | None = None
    # Folders of a site's own check modules, judged beside ours (see docs/site-checks.md).
    checks_dirs: tuple[Path, ...] = ()
    # Selection: check ids, result ids or globs of them (``--only``/``--skip``).
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    # The Rundeck end, checked from this host when a URL is given (RD_URL and RD_TOKEN, as Rundeck's CLI).
    rundeck_url: str | None = None
    rundeck_token: Secret | None = None
    rundeck_projects: tuple[str, ...] = ()
    rundeck_api_version: int = RUNDECK_API_VERSION
    # Accepted findings: a TOML file of [[waiver]] tables (see snow_preflight.waivers).
    waivers: Path | None = None
    # How junit.xml shows findings below the gate, and how the console shows the run (see options.py).
    junit_below_gate: Literal["failure", "skipped"] = "failure"
    color: Literal["auto", "yes", "no"] = "auto"
    quiet: bool = False
    verbose: bool = False
    output_format: Literal["text", "json"] = "text"
    # The config file the settings were read from (None: none was read); set by resolve(), never a flag.
    config_file: Path | None = None
    # An earlier report.json, its folder or a bundle: the reports say what changed since (snow_preflight.diff).
    baseline: Path | None = None

    def __post_init__(self) -> None:
        coerce(self)
        within(self, "rundeck_api_version", 1, 999)
        if self.ticket is not None and not (0 < len(self.ticket) <= 100 and self.ticket.isprintable()):
            raise InvalidSettingError(
                "ticket", "a ticket id is one line of 1 to 100 printable characters, e.g. CS0012345"
            )
        if self.ticket and not self.bundle:
            object.__setattr__(self, "bundle", True)  # the ticket is recorded in the bundle
        object.__setattr__(self, "rundeck_url", _rundeck_base_url(self.rundeck_url))

    def replace(self, **changes: Any) -> Settings:
        """These settings with *changes* (field names), converted and checked as on creation."""
        return dataclasses.replace(self, **changes)

    def selects(self, check_id: str, result_id: str) -> bool:
        """True when ``--only``/``--skip`` let the result *result_id* of check *check_id* be judged.

        A pattern matches when it is either id or a glob of either (``mid_*``, ``login_has_role[*]``): ``*``
        and ``?`` are wildcards, and brackets are the brackets of a result id, not a character class.
        """

        def hit(patterns: tuple[str, ...]) -> bool:
            return any(id_glob(p).fullmatch(i) for p in patterns for i in (check_id, result_id))

        return (not self.only or hit(self.only)) and not hit(self.skip)

    def redactor(self) -> Redactor:
        """A redactor that knows every secret of this run: the instance's, and Rundeck's token."""
        token = self.rundeck_token.get_secret_value() if self.rundeck_token is not None else None
        return self.connection.redactor().add(token, kind="token")


def _rundeck_base_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.query:
        raise InvalidSettingError(
            "rundeck_url",
            "give Rundeck's base URL with no user, token or query in it, such as https://rundeck.example.com:4440",
        )
    return url.strip().rstrip("/")


def id_glob(pattern: str) -> re.Pattern[str]:
    """*pattern* as ``--only`` reads it: ``*`` and ``?`` are wildcards, everything else (brackets too) literal."""
    return re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), re.DOTALL)


def resolve(
    flags: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    *,
    ask: Callable[[str], str] | None = None,
    cannot_ask: str = "",
) -> Settings:
    """Build :class:`Settings` from flags, the environment and the config file, and check that they work.

    *flags* uses the field names of :class:`ConnectionSettings`, :class:`Expectations` and
    :class:`Settings`; ``None`` values mean "not given". *ask* (user name → password) is called when a user
    name was given without a password; without it, *cannot_ask* says why nobody was asked.
    """
    environ = os.environ if environ is None else environ
    values = read_config(config_path)
    values.update(_from_environment(environ))
    values.update({key: value for key, value in flags.items() if value is not None})
    if not values.get("base_url"):
        raise ConfigError("no instance given: pass --instance https://<name>.service-now.com or set SN_HOST")
    if (
        ask is not None
        and values.get("username")
        and not any(values.get(k) for k in ("password", "token", "api_key"))
    ):
        values["password"] = ask(str(values["username"]))
        cannot_ask = "the password typed at the prompt was empty"
    parts: dict[str, dict[str, Any]] = {"connection": {}, "expect": {}, "": {}}
    for key, value in values.items():
        home = "connection" if key in _CONNECTION_FIELDS else ""
        home = "expect" if key in _EXPECT_FIELDS else home
        parts[home][key] = Secret(value) if key in SECRET_FIELDS and isinstance(value, str) else value
    try:
        settings = Settings(
            connection=ConnectionSettings(**parts["connection"]),
            expect=Expectations(**parts["expect"]),
            **parts[""],
            config_file=config_used(config_path),
        )
    except InvalidSettingError as exc:
        raise ConfigError(_describe(exc)) from None
    check_usable(settings, environ, cannot_ask)
    return settings


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The ``SN_*`` variables that are set and not empty, by settings field; lists are comma-separated."""
    found: dict[str, Any] = {}
    for option in OPTIONS:
        value = environ.get(option.env)
        if not value:
            continue
        found[option.field] = [v.strip() for v in value.split(",") if v.strip()] if option.append else value
    return found


def _describe(exc: InvalidSettingError) -> str:
    """The invalid setting, named as the person gave it, never echoing the value (a secret?)."""
    option = BY_FIELD.get(exc.field)
    where = f"--{option.flag} ({option.env})" if option is not None else exc.field or "settings"
    return f"invalid settings: {where}: {exc.problem}"


_CONNECTION_FIELDS = frozenset(field.name for field in dataclasses.fields(ConnectionSettings))
_EXPECT_FIELDS = frozenset(field.name for field in dataclasses.fields(Expectations))
