"""Redaction: secrets stay in memory.

A :class:`Redactor` knows the secret values of one run (password, client secret, tokens, API key) and
replaces them, and the encodings in which they travel (URL-encoded, the base64 of a Basic ``user:password``
pair), wherever they appear: in exception text, the exchange log, the snapshot, every report and console
line. Values under keys that name a secret (``password``, ``Authorization``, ``Cookie``, ...) are replaced
whatever they hold, so a secret the instance echoes under such a key is caught even when we never knew it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"

# Key names whose values are secret whatever they hold. Matched case-insensitively against the whole key
# or its last dotted part ("basic_auth_password", "Authorization", "x-sn-apikey", "set-cookie").
_SECRET_KEY = re.compile(
    r"(^pass$|password|passwd|passphrase|pwd|secret|token|authorization|cookie|api[-_]?key|credential"
    r"|private[-_]?key)",
    re.IGNORECASE,
)

# Secrets shorter than this are not searched for in free text: replacing "a" everywhere would wreck the
# report and hide nothing. Keys that name a secret are still masked whatever the length.
_MIN_LEN = 4


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


class Redactor:
    """Replaces known secret values, and values under secret-looking keys, with ``[REDACTED]``."""

    def __init__(self, secrets: Iterable[str | None] = (), *, username: str | None = None) -> None:
        self._secrets = [s for s in secrets if s]
        self._username = username
        values: set[str] = set()
        for secret in secrets:
            if not secret or len(secret) < _MIN_LEN:
                continue
            values.update({secret, quote(secret, safe=""), quote_plus(secret)})
            values.add(base64.b64encode(secret.encode()).decode())
            if username:
                pair = f"{username}:{secret}".encode()
                values.add(base64.b64encode(pair).decode())
        # Longest first, so a secret that contains another is replaced whole.
        ordered = sorted((v for v in values if len(v) >= _MIN_LEN), key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    def add(self, *secrets: str | None) -> Redactor:
        """A new redactor that also knows *secrets*."""
        return Redactor([*self._secrets, *secrets], username=self._username)

    def text(self, value: str) -> str:
        """*value* with every known secret replaced."""
        if self._pattern is None or not value:
            return value
        return self._pattern.sub(MASK, value)

    def data(self, value: Any) -> Any:
        """A deep copy of *value* (dicts, lists, strings) with secrets replaced."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            out: dict[Any, Any] = {}
            for key, item in value.items():
                if isinstance(key, str) and is_secret_key(key) and item not in ("", None):
                    out[key] = MASK
                else:
                    out[key] = self.data(item)
            return out
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        return value


#: A redactor that knows no values; it still masks secret-looking keys.
NULL = Redactor()
