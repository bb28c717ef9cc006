"""Settings: where the instance is, how to log in, what to expect, where reports go.

Precedence, highest first: command-line flag > environment (``SN_*``, the names the servicenow.itsm Ansible
collection uses) > TOML config file (never secrets) > defaults that match the documented app.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from snow_preflight.errors import ConfigError
from snow_preflight.options import ENVIRONMENT
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.severity import Severity

#: The app as the Rundeck documentation describes it (servicenow-facts.md §1).
APP_SCOPE = "x_pd_process_autom"
LEGACY_SCOPE = "x_runde_rundeck_it"
REST_MESSAGE = "Rundeck - API"
REQUIRED_ROLES = ("web_service_admin", "x_pd_process_autom.app_user")
DOCUMENTED_METHODS = ("POST - Run Webhook", "GET - Webhooks", "GET - Projects")
DEFAULT_CONFIG_FILE = "snow-preflight.toml"

SECRET_FIELDS = frozenset({"password", "client_secret", "token", "api_key"})


class Expectations(BaseModel):
    """What a correct installation looks like."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    app_scope: str = APP_SCOPE
    legacy_scope: str = LEGACY_SCOPE
    rest_message: str = REST_MESSAGE
    required_roles: tuple[str, ...] = REQUIRED_ROLES
    documented_methods: tuple[str, ...] = DOCUMENTED_METHODS
    expected_mid: str | None = None
    heartbeat_max_age_minutes: float = Field(default=15.0, gt=0)
    integration_user: str | None = None
    # A RESTProbe output still "ready" after this long went unanswered by the MID Server.
    probe_stuck_after_minutes: float = Field(default=5.0, gt=0)


class Settings(BaseModel):
    """Everything one run needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    connection: ConnectionSettings
    expect: Expectations = Expectations()
    report_dir: Path = Path("preflight-report")
    fail_on: Severity = Severity.HIGH
    bundle: bool = False
    # A support ticket id, recorded in the bundle (so a ticket id implies a bundle); one printable line.
    ticket: str | None = None
    # Folders of a site's own check modules, judged beside ours (see docs/site-checks.md).
    checks_dirs: tuple[Path, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _ticket_implies_bundle(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("ticket") and not data.get("bundle"):
            return {**data, "bundle": True}
        return data

    @field_validator("ticket")
    @classmethod
    def _one_printable_line(cls, ticket: str | None) -> str | None:
        if ticket is not None and not (0 < len(ticket) <= 100 and ticket.isprintable()):
            raise ValueError("a ticket id is one line of 1 to 100 printable characters, e.g. CS0012345")
        return ticket


def _read_config(path: Path | None) -> dict[str, Any]:
    """The config file's contents; ``{}`` when none is named and the default file is absent."""
    if path is None:
        default = Path(DEFAULT_CONFIG_FILE)
        if not default.is_file():
            return {}
        path = default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist; check the --config path") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from None
    leaked = sorted(SECRET_FIELDS & set(data)) + sorted(SECRET_FIELDS & set(data.get("connection", {})))
    if leaked:
        raise ConfigError(
            f"config file {path} holds a secret ({', '.join(leaked)}); secrets belong in SN_PASSWORD, "
            "SN_CLIENT_SECRET, SN_ACCESS_TOKEN or SN_API_KEY, or a prompt. Remove it from the file."
        )
    return data


def resolve(
    flags: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Build :class:`Settings` from flags, the environment and the config file.

    *flags* uses the field names of :class:`ConnectionSettings`, :class:`Expectations` and
    :class:`Settings`; ``None`` values mean "not given".
    """
    environ = os.environ if environ is None else environ
    config = _read_config(config_path)
    connection: dict[str, Any] = dict(config.get("connection", {}))
    expect: dict[str, Any] = dict(config.get("expect", {}))
    top: dict[str, Any] = {k: v for k, v in config.items() if k not in ("connection", "expect")}
    from_environment = {field: environ[name] for name, field in ENVIRONMENT.items() if environ.get(name)}
    connection_fields = set(ConnectionSettings.model_fields)
    expect_fields = set(Expectations.model_fields)
    # The environment over the config file, the flags over both.
    for layer in (from_environment, flags):
        for key, value in layer.items():
            if value is None:
                continue
            if key in connection_fields:
                connection[key] = value
            elif key in expect_fields:
                expect[key] = value
            else:
                top[key] = value
    if not connection.get("base_url"):
        raise ConfigError("no instance given: pass --instance https://<name>.service-now.com or set SN_HOST")
    for field in SECRET_FIELDS & set(connection):
        if isinstance(connection[field], str):
            connection[field] = SecretStr(connection[field])
    try:
        return Settings(
            connection=ConnectionSettings(**connection),
            expect=Expectations(**expect),
            **top,
        )
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    """One line per invalid setting, never echoing the value (it may be a secret)."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        problems.append(f"{where}: {error['msg']}")
    return "invalid settings: " + "; ".join(problems)
