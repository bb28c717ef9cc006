"""The config file: where it is, and its keys by settings field.

A TOML file (``--config``, ``SN_CONFIG``, else ``./snow-preflight.toml`` when it exists) holds the settings
that are not secret, under the keys of :data:`snow_preflight.options.OPTIONS`: connection keys under
``[connection]``, expectations under ``[expect]``, the rest at the top. A secret in the file, an unknown key
or a key in the wrong section is a usage error naming the file, the section and the fix. Named instances
(``[instances.NAME]``) are a fleet's, read by :mod:`snow_preflight.fleet`.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from snow_preflight.errors import ConfigError
from snow_preflight.options import BY_FIELD, OPTIONS, SECRET_FIELDS

DEFAULT_CONFIG_FILE = "snow-preflight.toml"

#: The config file's sections; other keys stand at its top.
_SECTIONS = ("connection", "expect")


def config_used(path: Path | None) -> Path | None:
    """The config file :func:`read_config` reads for *path*: it, or the default file when that exists."""
    if path is not None:
        return path
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def read_config(path: Path | None) -> dict[str, Any]:
    """The config file's settings by field; ``{}`` when none is named and the default file is absent."""
    if path is None:
        default = Path(DEFAULT_CONFIG_FILE)
        if not default.is_file():
            return {}
        path = default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist; check the --config path") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ConfigError(f"config file {path} cannot be read: {reason}") from None
    found: dict[str, Any] = {}
    for key, value in data.items():
        if key == "instances" and isinstance(value, dict):
            continue  # named instances, [instances.NAME]: a fleet, read by snow_preflight.fleet
        if key in _SECTIONS and isinstance(value, dict):
            for inner, item in value.items():
                found[_config_key(path, key, inner)] = item
        else:
            found[_config_key(path, "", key)] = value
    return found


def _config_key(path: Path, section: str, key: str) -> str:
    """*key* of *section*, when the table has that key there; a ConfigError naming file and section if not."""
    where = f"{path} [{section}]" if section else str(path)
    if key in SECRET_FIELDS:
        raise ConfigError(
            f"config file {path} holds a secret ({key}); secrets belong in SN_PASSWORD, SN_CLIENT_SECRET, "
            "SN_ACCESS_TOKEN, SN_API_KEY or RD_TOKEN, or a prompt. Remove it from the file."
        )
    option = BY_FIELD.get(key)
    if option is not None and option.section == section:
        return key
    if option is not None and option.section is not None:
        home = f"under [{option.section}]" if option.section else "at the top of the file, before any section"
        hint = f"; it belongs {home}"
    else:
        keys = [o.field for o in OPTIONS if o.section is not None] + ([] if section else list(_SECTIONS))
        close = difflib.get_close_matches(key, keys, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "; the README's settings table lists the keys"
    raise ConfigError(f"{where}: unknown key {key!r}{hint}")
