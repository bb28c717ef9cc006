"""Which instances a fleet run reads, each with its own settings, all checked before any request.

A run is a fleet when ``--instance`` is given more than once (one login for all), when ``--instances
dev,prod`` picks named instances, or when the config file names instances and no ``--instance`` is given::

    [instances.dev]
    base_url = "acme-dev"
    [instances.prod]
    base_url = "https://acme.service-now.com"
    username = "svc_preflight_prod"
    expected_mid = "prod-mid-01"

A named instance's table takes the keys of ``[connection]`` and ``[expect]`` (never a secret). Its settings,
highest first: a command-line flag (one for all), its own ``SN_<NAME>_PASSWORD`` / ``_CLIENT_SECRET`` /
``_ACCESS_TOKEN`` / ``_API_KEY``, its ``[instances.NAME]`` table, the unnamed ``SN_*`` variables, the rest
of the config file, the defaults. Every instance's settings are resolved (and checked) before any request.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from snow_preflight.config_file import DEFAULT_CONFIG_FILE
from snow_preflight.errors import ConfigError
from snow_preflight.options import BY_FIELD, SECRET_FIELDS
from snow_preflight.settings import Settings, resolve

#: The secrets an instance may have of its own: SN_<NAME>_PASSWORD and so on.
SECRET_VARIABLES = tuple(BY_FIELD[field].env for field in ("password", "client_secret", "token", "api_key"))


@dataclass(frozen=True)
class Member:
    """One instance of a fleet: the name its reports use, and its settings."""

    name: str
    settings: Settings


def variable_prefix(name: str) -> str:
    """``SN_<NAME>_``: the prefix of an instance's own variables (``prod-eu`` → ``SN_PROD_EU_``)."""
    return f"SN_{re.sub(r'[^A-Za-z0-9]+', '_', name).strip('_').upper()}_"


def named_instances(config_path: Path | None) -> dict[str, dict[str, Any]]:
    """The ``[instances.NAME]`` tables of the config file (the default file when none is named)."""
    path = config_path or Path(DEFAULT_CONFIG_FILE)
    if not path.is_file():
        return {}  # a named file that is missing is resolve()'s to report
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}  # likewise: resolve() names the file and the reason
    tables = data.get("instances", {})
    found: dict[str, dict[str, Any]] = {}
    for name, table in tables.items() if isinstance(tables, dict) else ():
        where = f"config file {path} [instances.{name}]"
        if not isinstance(table, dict):
            raise ConfigError(f'{where} must be a table of settings, e.g. base_url = "acme"')
        for key in table:
            option = BY_FIELD.get(key)
            if key in SECRET_FIELDS:
                raise ConfigError(
                    f"{where} holds a secret ({key}); give it as {variable_prefix(name)}"
                    f"{BY_FIELD[key].env.removeprefix('SN_')} or {BY_FIELD[key].env}. Remove it from the file."
                )
            if option is None or option.section not in ("connection", "expect"):
                raise ConfigError(
                    f"{where}: unknown key {key!r}; an instance takes the keys of [connection] and [expect]"
                )
        if not table.get("base_url"):
            raise ConfigError(f'{where} has no base_url: add base_url = "<name>.service-now.com"')
        found[name] = dict(table)
    return found


def name_from_url(url: str) -> str:
    """A short name for an instance given by URL: ``acme`` for acme.service-now.com; host:port for an IP."""
    parts = urlsplit(url if "//" in url else f"https://{url}")
    host = parts.hostname or url
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host.split(".")[0] if host != "localhost" else f"{host}:{parts.port}"
    return f"{host}:{parts.port}" if parts.port else host


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


def fleet_members(
    flags: Mapping[str, Any],
    pick: str | None,
    *,
    config_path: Path | None,
    environ: Mapping[str, str] | None = None,
    ask: Callable[[str], str] | None = None,
    cannot_ask: str = "",
) -> list[Member] | None:
    """The instances of a fleet run with their settings; None when the run reads one instance."""
    environ = os.environ if environ is None else environ
    urls = flags.get("base_url") or []
    named = named_instances(config_path)
    pick = pick or (None if urls else environ.get("SN_INSTANCES"))  # a flag beats the variable
    if pick:
        if urls:
            raise ConfigError(
                "--instance and --instances together: name instances by URL or by name, not both"
            )
        chosen = [name.strip() for name in pick.split(",") if name.strip()]
        unknown = [name for name in chosen if name not in named]
        if unknown:
            known = ", ".join(named) or "none: add [instances.NAME] tables to the config file"
            raise ConfigError(
                f"--instances names {', '.join(unknown)}, not in the config file (it names {known})"
            )
        tables = [(name, named[name]) for name in dict.fromkeys(chosen)]
    elif len(urls) > 1:
        if len(set(urls)) < len(urls):
            raise ConfigError("--instance names the same instance twice: give each instance once")
        tables = list(
            zip(_unique([name_from_url(url) for url in urls]), [{"base_url": u} for u in urls], strict=True)
        )
    elif urls or not named:
        return None
    else:
        tables = list(named.items())
    asked: dict[str, str] = {}

    def ask_once(username: str) -> str:  # one login for all: one prompt per user name, not per instance
        if username not in asked and ask is not None:
            asked[username] = ask(username)
        return asked.get(username, "")

    shared = {key: value for key, value in flags.items() if value is not None and key != "base_url"}
    return [
        Member(
            name, _resolve(name, table, shared, environ, config_path, ask_once if ask else None, cannot_ask)
        )
        for name, table in tables
    ]


def _resolve(
    name: str,
    table: dict[str, Any],
    flags: dict[str, Any],
    environ: Mapping[str, str],
    config_path: Path | None,
    ask: Callable[[str], str] | None,
    cannot_ask: str,
) -> Settings:
    """One member's settings: its table above the environment, its own secrets above the unnamed ones."""
    prefix = variable_prefix(name)
    own_env = dict(environ)
    for variable in SECRET_VARIABLES:
        if environ.get(prefix + variable.removeprefix("SN_")):
            own_env[variable] = environ[prefix + variable.removeprefix("SN_")]
    try:
        return resolve({**table, **flags}, own_env, config_path, ask=ask, cannot_ask=cannot_ask)
    except ConfigError as exc:
        message = str(exc)
        for variable in SECRET_VARIABLES:  # say where this instance's own secret would come from
            own = prefix + variable.removeprefix("SN_")
            message = re.sub(rf"\b{variable}\b", f"{own} (or {variable})", message)
        raise ConfigError(f"instance {name}: {message}") from None
