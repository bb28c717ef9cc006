"""Redaction: secrets stay in memory.

A :class:`Redactor` knows the secret values of one run (password, client secret, tokens, API key) and
replaces them, and the encodings in which they travel (URL-encoded, the base64 of a Basic ``user:password``
pair), wherever they appear: in exception text, the exchange log, the snapshot, every report and console
line. Values under keys that name a secret (``password``, ``Authorization``, ``Cookie``, ...) are replaced
whatever they hold, so a secret the instance echoes under such a key is caught even when we never knew it.
It counts its replacements by kind of secret (:data:`KINDS`), never keeping the values, so a support bundle
can say what was hidden from it.

Some secrets are known by where they stand, not by their value (:func:`scrub`): the ECC queue keeps the
Rundeck webhook token in the path of each call's endpoint (``.../webhook/<token>``), and RESTProbe payloads
keep request and response headers in clear (``<field name="X-Rundeck-Auth-Token" value="..."/>``,
``Authorization: Basic ...``, a webhook list's ``"authToken":"..."``). Those values are replaced wherever
they stand, in every text this module redacts.
"""

from __future__ import annotations

import base64
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"

#: The kinds of secret whose replacements are counted: a secret given without a kind counts as "secret".
KINDS = (
    "password",
    "client_secret",
    "token",
    "api_key",
    "basic_pair",
    "secret_named_key",
    "webhook_token",
    "secret_header",
)

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


#: Values :meth:`Redactor.data` copies as they are: nothing in them can be secret text.
_LEAVES = frozenset({int, float, bool, type(None)})


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


# The token in a Rundeck webhook URL: the path segment after /webhook/ (plain or URL-encoded slashes). A
# ServiceNow variable (``${rd_wh_auth_token}``) is configuration, not a secret, and stays readable.
_WEBHOOK_PATH = re.compile(
    r"(?P<lead>(?:/|%2F)webhook(?:/|%2F))(?!\$\{|\[REDACTED\])(?P<value>[^/?#&\s\"'<>\\%]+)(?P<tail>)",
    re.IGNORECASE,
)
# A quote: plain, escaped as &quot; (XML nested in an attribute's value) or \" (JSON text).
_Q = r"(?:\"|'|&quot;|\\\")"
# A value that is a secret: never a quote, a tag or an entity inside, so it cannot run into the next pair.
_V = r"(?P<value>[^\"'<>&\r\n]*?)"
# A name that looks secret (as :func:`is_secret_key` decides), so pairs of other names are passed over
# without being consumed: a header list nested in a parameter's value is still searched.
_WORDS = r"(?:pass|password|passwd|passphrase|pwd|secret|token|authorization|cookie|api[-_]?key|credential|private[-_]?key)"
_NAME = rf"(?P<name>[^\"'&<>\\]{{0,100}}?{_WORDS}[^\"'&<>\\]{{0,100}}?)"
# name/value pairs of RESTProbe payloads: <field name="X-Rundeck-Auth-Token" value="..."/>, either order.
_NAME_VALUE = re.compile(
    rf"(?P<lead>name\s*=\s*(?P<q1>{_Q}){_NAME}(?P=q1)\s+value\s*=\s*(?P<q2>{_Q})){_V}(?P<tail>(?P=q2))",
    re.IGNORECASE,
)
_VALUE_NAME = re.compile(
    rf"(?P<lead>value\s*=\s*(?P<q2>{_Q})){_V}(?P<tail>(?P=q2)\s+name\s*=\s*(?P<q1>{_Q}){_NAME}(?P=q1))",
    re.IGNORECASE,
)
# "key": "value" pairs inside a text (a Rundeck webhook list in an ECC payload: "authToken":"...").
_KEY_VALUE = re.compile(
    rf"(?P<lead>(?P<q1>{_Q})(?P<name>[A-Za-z0-9_.-]{{0,100}}?{_WORDS}[A-Za-z0-9_.-]{{0,100}}?)(?P=q1)\s*:\s*"
    rf"(?P<q2>{_Q})){_V}(?P<tail>(?P=q2))",
    re.IGNORECASE,
)
# HTTP header lines: "X-Rundeck-Auth-Token: ...", "Authorization: Basic ...", "Cookie: ...".
_HEADER_LINE = re.compile(
    r"(?P<lead>\b(?:X-[A-Za-z0-9-]*(?:Token|Key|Secret|Auth)[A-Za-z0-9-]*|(?:Proxy-)?Authorization"
    r"|(?:Set-)?Cookie)\s*:\s*)(?!\[REDACTED\])(?P<value>[^\r\n\"'<>&,;]+)(?P<tail>)",
    re.IGNORECASE,
)
#: (pattern, kind, whether its value is secret only under a secret-looking name, a cheap test to skip it)
_PLACES = (
    (_WEBHOOK_PATH, "webhook_token", False, "webhook"),
    (_NAME_VALUE, "secret_header", True, "value"),
    (_VALUE_NAME, "secret_header", True, "value"),
    (_KEY_VALUE, "secret_header", True, ":"),
    (_HEADER_LINE, "secret_header", False, ":"),
)


def _scrub(value: str, count: Callable[[str], None]) -> str:
    """*value* with the secrets known by where they stand replaced; *count* hears the kind of each."""
    lowered = value.lower()
    for pattern, kind, named, hint in _PLACES:
        if hint not in lowered:
            continue

        def mask(match: re.Match[str], kind: str = kind, named: bool = named) -> str:
            if match["value"] in ("", MASK) or (named and not is_secret_key(match["name"])):
                return match[0]
            count(kind)
            return match["lead"] + MASK + match["tail"]

        value = pattern.sub(mask, value)
    return value


def scrub(value: str) -> str:
    """*value* with the webhook token of a URL path and the values of secret-looking headers replaced.

    For text about to be shortened (an error string shown in one line): a secret cut in half would no
    longer be found whole. A run's :class:`Redactor` applies the same patterns to everything it redacts.
    """
    return _scrub(value, lambda kind: None)


class Redactor:
    """Replaces known secret values, and values under secret-looking keys, with ``[REDACTED]``."""

    def __init__(
        self,
        secrets: Iterable[str | tuple[str, str | None] | None] | Mapping[str, str | None] = (),
        *,
        username: str | None = None,
        _tally: tuple[Counter[str], threading.Lock] | None = None,
    ) -> None:
        # A mapping or (kind, value) pairs name each secret's kind; a plain string is a secret of no kind.
        items = secrets.items() if isinstance(secrets, Mapping) else secrets
        pairs = (item if isinstance(item, tuple) else ("secret", item) for item in items)
        self._secrets = [(kind, secret) for kind, secret in pairs if secret]
        self._username = username
        # Redactors made by add() share one tally, so a run's counts survive the tokens it learns later.
        self._counts, self._lock = _tally or (Counter(), threading.Lock())
        kind_of: dict[str, str] = {}
        for kind, secret in self._secrets:
            if len(secret) < _MIN_LEN:
                continue
            for form in (secret, quote(secret, safe=""), quote_plus(secret)):
                kind_of.setdefault(form, kind)
            kind_of.setdefault(base64.b64encode(secret.encode()).decode(), kind)
            if username:
                kind_of.setdefault(base64.b64encode(f"{username}:{secret}".encode()).decode(), "basic_pair")
        self._kind_of = {form: kind for form, kind in kind_of.items() if len(form) >= _MIN_LEN}
        # Longest first, so a secret that contains another is replaced whole.
        ordered = sorted(self._kind_of, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    def add(self, *secrets: str | None, kind: str = "token") -> Redactor:
        """A new redactor that also knows *secrets* (of *kind*), counting into the same tally."""
        extra = [(kind, secret) for secret in secrets]
        return Redactor([*self._secrets, *extra], username=self._username, _tally=(self._counts, self._lock))

    @property
    def known(self) -> list[str]:
        """The kinds of secret whose values this redactor searches for (never the values)."""
        kinds = {kind for kind, _ in self._secrets}
        return sorted(kinds | ({"basic_pair"} if self._username and kinds else set()))

    @property
    def counts(self) -> dict[str, int]:
        """How many replacements of each kind this redactor (and those made by add) has made."""
        with self._lock:
            return dict(self._counts)

    def _count(self, kind: str) -> None:
        with self._lock:
            self._counts[kind] += 1

    def _tally(self, kinds: list[str]) -> None:
        if kinds:
            with self._lock:
                self._counts.update(kinds)

    def _mask(self, match: re.Match[str]) -> str:
        self._count(self._kind_of[match.group()])
        return MASK

    def _redact(self, value: str) -> tuple[str, list[str]]:
        """*value* redacted as :meth:`text` does it, and the kind of each replacement, not yet counted."""
        found: list[str] = []
        if self._pattern is not None:
            kind_of = self._kind_of

            def mask(match: re.Match[str]) -> str:
                found.append(kind_of[match.group()])
                return MASK

            value = self._pattern.sub(mask, value)
        return _scrub(value, found.append), found

    def text(self, value: str) -> str:
        """*value* with every known secret replaced, and those known by where they stand (:func:`scrub`)."""
        if not value:
            return value
        value, found = self._redact(value)
        self._tally(found)
        return value

    def sweep(self, value: str) -> str:
        """*value* with the known secret values replaced; the places of :func:`scrub` are not searched.

        For a long text rendered from data this redactor has redacted already (a report, from a run's
        redacted result model): one last look for the values themselves, which costs little when, as it
        should be, none of them is there.
        """
        if self._pattern is None or not any(form in value for form in self._kind_of):
            return value
        return self._pattern.sub(self._mask, value)

    def data(self, value: Any) -> Any:
        """A deep copy of *value* (dicts, lists, strings) with secrets replaced."""
        text = self._texts()
        secret_keys: dict[str, bool] = {}

        def walk(value: Any) -> Any:
            # Exact types first: a result model holds hundreds of leaves, and an ABC check costs more.
            kind = type(value)
            if kind is str or isinstance(value, str):
                return text(value)
            if kind in _LEAVES:
                return value
            if kind is dict or isinstance(value, Mapping):
                out: dict[Any, Any] = {}
                for key, item in value.items():
                    if secret(key) and item not in ("", None):
                        if item != MASK:
                            self._count("secret_named_key")
                        out[key] = MASK
                    else:
                        out[key] = walk(item)
                return out
            if kind is list or isinstance(value, list | tuple):
                return [walk(item) for item in value]
            return value

        def secret(key: object) -> bool:
            if not isinstance(key, str):
                return False
            known = secret_keys.get(key)
            if known is None:
                known = secret_keys[key] = is_secret_key(key)
            return known

        return walk(value)

    def _texts(self) -> Callable[[str], str]:
        """:meth:`text` for one call of :meth:`data`, which searches each distinct string once.

        A result model repeats its strings (titles, labels, areas, outcomes) hundreds of times: a repeat
        costs a look-up, and its replacements are counted again, as if it had been searched. A subclass's
        own :meth:`text` is called as it is, every time.
        """
        if type(self).text is not Redactor.text:
            return self.text
        done: dict[str, tuple[str, list[str]]] = {}

        def text(value: str) -> str:
            if not value:
                return value
            found = done.get(value)
            if found is None:
                found = done[value] = self._redact(value)
            self._tally(found[1])
            return found[0]

        return text


#: A redactor that knows no values; it still masks secret-looking keys.
NULL = Redactor()
