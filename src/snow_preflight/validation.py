"""Whether settings that parse can work: checked before any request, so a mistake is a usage error.

A complete set of credentials (a missing secret names the variable it should come from), Rundeck's token
beside its URL, a report folder this user can write, folders of site checks, and the waivers file and the
baseline read now, so a malformed one stops the run before it starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from snow_preflight.errors import ConfigError
from snow_preflight.options import BY_FIELD
from snow_preflight.servicenow.connection import ConnectionSettings

if TYPE_CHECKING:
    from snow_preflight.settings import Settings


def check_usable(settings: Settings, environ: Mapping[str, str], cannot_ask: str) -> None:
    """Every check below, in the order a person would fix them; the first problem is a ConfigError."""
    check_login(settings.connection, environ, cannot_ask)
    check_rundeck(settings, environ)
    check_report_dir(settings.report_dir)
    for folder in settings.checks_dirs:
        if not folder.is_dir():
            raise ConfigError(f"--checks {folder} is not a folder: name a folder of check modules")
    check_inputs(settings.waivers, settings.baseline)


def check_login(conn: ConnectionSettings, environ: Mapping[str, str], cannot_ask: str) -> None:
    """A complete set of credentials, or a ConfigError; a missing secret says where it should come from."""
    try:
        conn.auth_mode()
    except ConfigError:
        if conn.token is not None or conn.api_key is not None:
            raise
        if conn.client_id is not None and conn.client_secret is None:
            raise ConfigError(
                no_secret(
                    "client_secret", "client secret", environ, f"OAuth client {conn.client_id!r}", cannot_ask
                )
            ) from None
        if conn.username is not None and conn.password is None:
            raise ConfigError(
                no_secret("password", "password", environ, f"the login {conn.username!r}", cannot_ask)
            ) from None
        raise


def check_rundeck(settings: Settings, environ: Mapping[str, str]) -> None:
    """Rundeck is checked with a URL and a token together; projects without a URL would be ignored."""
    if settings.rundeck_url and settings.rundeck_token is None:
        raise ConfigError(
            no_secret("rundeck_token", "Rundeck token", environ, f"Rundeck at {settings.rundeck_url}", "")
            + " (with read on the projects and on their webhooks)"
        )
    if settings.rundeck_projects and not settings.rundeck_url:
        raise ConfigError(
            "--rundeck-project names a Rundeck project, but no Rundeck is given: add --rundeck-url (RD_URL) "
            "and RD_TOKEN, or drop --rundeck-project"
        )


def no_secret(field: str, what: str, environ: Mapping[str, str], whose: str, cannot_ask: str) -> str:
    """Why a secret is missing, naming the CI mistake behind most of them: a secret never mapped in."""
    option = BY_FIELD[field]
    state = "is set but empty" if option.env in environ else "is not set"
    asked = f"; {cannot_ask}" if field == "password" and cannot_ask else ""
    return (
        f"no {what}: {option.env} {state} (in CI, map the secret into the job's environment) and "
        f"--{option.flag} was not given{asked}; {whose} needs one"
    )


def check_report_dir(path: Path) -> None:
    """Refuse a report folder that cannot be written, before any request and without creating anything."""
    if path.exists() and not path.is_dir():
        raise ConfigError(
            f"--report-dir {path} is a file, not a folder: name a folder (it is created if missing)"
        )
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(
            f"--report-dir {path} cannot be created: {existing} is a file, not a folder; name another folder"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(
            f"--report-dir {path} cannot be written: this user may not write to {existing}; name a writable folder"
        )


def check_inputs(waivers: Path | None, baseline: Path | None) -> None:
    """Read the waivers file and the baseline now: a malformed one is a usage error before any request."""
    if waivers is not None:
        from snow_preflight.waivers import load_waivers

        load_waivers(waivers)
    if baseline is not None:
        from snow_preflight.diff import load_side

        load_side(baseline)
