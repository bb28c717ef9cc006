"""GET only, the token in the ``X-Rundeck-Auth-Token`` header, no redirect followed, every answer kept as data.

The calls are the app's own (research §6): ``GET /api/<v>/projects`` (which also proves the API version is
supported: an unsupported one answers 400 ``api.error.api-version.unsupported``) and, for each project
named, ``GET /api/<v>/project/<p>/webhooks``. ``system/info`` is not asked: it needs ``read`` on
``system``, which the app's minimal token ACL does not grant.

A webhook's ``authToken`` is its secret: it is replaced by ``[REDACTED]`` as the answer is read, so no
snapshot, report or bundle ever holds it, and the token this client sends never appears in an error text.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from snow_preflight import __version__
from snow_preflight.redaction import MASK, Redactor, is_secret_key
from snow_preflight.servicenow.exchange import Exchange

#: The name of the projects call in :class:`RundeckReads`.
PROJECTS = "projects"
#: Text answers (an HTML login page, a proxy's error) are kept this long, for the evidence.
_MAX_TEXT = 300


def webhooks_call(project: str) -> str:
    """The name of the webhook list call of *project* in :class:`RundeckReads`."""
    return f"webhooks:{project}"


def planned_calls(api_version: int, projects: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, path) of every call: the projects, then each named project's webhooks. No other call is made."""
    calls = [(PROJECTS, f"/api/{api_version}/projects")]
    calls += [
        (webhooks_call(p), f"/api/{api_version}/project/{quote(p, safe='')}/webhooks") for p in projects
    ]
    return calls


@dataclass
class RundeckAnswer:
    """One call to Rundeck and how it ended: an HTTP status and its body, or why there was none."""

    name: str
    path: str
    status: int | None = None
    body: Any = None  # the JSON answer, or the start of a text answer; secrets already replaced
    content_type: str = ""
    error_kind: str | None = None  # "unreachable": no HTTP answer at all
    error: str | None = None  # one line: why
    elapsed_ms: float = 0.0

    @property
    def error_code(self) -> str:
        """Rundeck's ``errorCode`` (``api.error.api-version.unsupported``, ``unauthorized``...), or ""."""
        return str(self.body.get("errorCode", "")) if isinstance(self.body, dict) else ""

    @property
    def message(self) -> str:
        """Rundeck's own ``message`` of an error answer, or ""."""
        return str(self.body.get("message", "")) if isinstance(self.body, dict) else ""


@dataclass
class RundeckReads:
    """What Rundeck answered the tool's host: the URL, the API version asked, the projects named, the calls."""

    url: str
    api_version: int
    projects: list[str] = field(default_factory=list)
    answers: dict[str, RundeckAnswer] = field(default_factory=dict)


def _without_secrets(value: Any) -> Any:
    """*value* with every value under a secret-looking key (a webhook's ``authToken``) replaced."""
    if isinstance(value, dict):
        return {
            key: MASK if is_secret_key(str(key)) and item not in ("", None) else _without_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


class RundeckClient:
    """A read-only Rundeck client, safe to share between threads; ``contextlib.closing`` closes it."""

    def __init__(self, url: str, token: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._redactor = Redactor([("token", token)])
        session = requests.Session()
        session.headers.update(
            {
                "Accept": "application/json",
                "X-Rundeck-Auth-Token": token,
                "User-Agent": f"snow-preflight/{__version__}",
            }
        )
        self._session = session
        self.exchanges: list[Exchange] = []

    def close(self) -> None:
        self._session.close()

    def get(self, name: str, path: str) -> RundeckAnswer:
        """GET *path*; every outcome is an answer (never raises for a status or a network failure)."""
        started = time.monotonic()
        try:
            raw = self._session.get(self.url + path, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            elapsed = (time.monotonic() - started) * 1000
            why = self._redactor.text(_unreachable(exc, self.url, self.timeout))
            self.exchanges.append(
                Exchange(
                    method="GET", path=path, elapsed_ms=round(elapsed, 1), error=why, source=f"rundeck:{name}"
                )
            )
            return RundeckAnswer(
                name=name, path=path, error_kind="unreachable", error=why, elapsed_ms=round(elapsed, 1)
            )
        elapsed = round((time.monotonic() - started) * 1000, 1)
        self.exchanges.append(
            Exchange(
                method="GET", path=path, status=raw.status_code, elapsed_ms=elapsed, source=f"rundeck:{name}"
            )
        )
        content_type = raw.headers.get("Content-Type", "").split(";")[0].strip()
        return RundeckAnswer(
            name=name,
            path=path,
            status=raw.status_code,
            body=self._body(raw),
            content_type=content_type,
            elapsed_ms=elapsed,
        )

    def _body(self, raw: requests.Response) -> Any:
        text = raw.text
        if "json" in raw.headers.get("Content-Type", "") or text.lstrip()[:1] in ("{", "["):
            try:
                return self._redactor.data(_without_secrets(json.loads(text)))
            except ValueError:
                pass
        return self._redactor.text(" ".join(text[:_MAX_TEXT].split()))


def _unreachable(exc: requests.RequestException, url: str, timeout: float) -> str:
    """Why Rundeck gave no HTTP answer, in one line naming the cause and the fix."""
    where = urlsplit(url).netloc
    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return (
            f"Rundeck at {where} did not answer this host within {timeout:g} s: check the URL and the network"
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return (
            f"Rundeck at {where} presented a TLS certificate this host does not trust: point "
            "REQUESTS_CA_BUNDLE at the CA that issued it"
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return (
            f"the proxy refused or failed the connection to Rundeck at {where}: check HTTPS_PROXY / NO_PROXY"
        )
    if re.search(r"NameResolution|Name or service not known|getaddrinfo|nodename nor servname", text):
        return f"this host cannot resolve Rundeck's host name in {where} (DNS): check --rundeck-url"
    if re.search(r"refused", text, re.IGNORECASE):
        return f"Rundeck at {where} refused the connection from this host: check the port in --rundeck-url"
    return f"Rundeck at {where} could not be reached from this host: {type(exc).__name__}"
