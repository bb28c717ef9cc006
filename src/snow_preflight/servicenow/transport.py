"""The wire: one ``requests.Session``, one GET path with retries, one token POST, one exchange log.

:meth:`Transport.get` is the only way a request for data reaches the instance, and it can only GET;
:meth:`Transport.post_token` can only POST the OAuth form to ``/oauth_token.do``. There is no generic
request method, so a check cannot change the instance even by mistake. The one write path is a separate
module, :mod:`snow_preflight.servicenow.writing`, which only :mod:`snow_preflight.fix` imports (a test
holds that).

Retries, all inside the connection's ``time_budget`` for one request:

* 429: wait ``Retry-After`` seconds (or a cool-down of 1 s, doubling), give up when the wait would end
  past the budget;
* 500, 502, 503 (the transient ones, as PySNC retries them): exponential backoff, at most ``max_retries``
  times, and only while the backoff and another attempt as long as the last one fit in the budget;
* no answer within ``timeout``, or 504 Gateway Timeout: never retried, so a slow source costs one timeout,
  and the error names the table it was reading;
* 401 under OAuth: fetch a new token once and retry once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.structures import CaseInsensitiveDict

from snow_preflight import __version__
from snow_preflight.errors import InstanceError, PreflightError
from snow_preflight.servicenow import diagnosis
from snow_preflight.servicenow.answer import Raw, Target
from snow_preflight.servicenow.auth import NO_AUTH, Authenticator
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.servicenow.exchange import Exchange, ExchangeLog
from snow_preflight.servicenow.unreachable import unreachable

TOKEN_PATH = "/oauth_token.do"  # noqa: S105 - a URL path, not a password
USER_AGENT = f"snow-preflight/{__version__}"
#: Told what a read is about to sleep for and how many seconds (a Retry-After, a backoff): the console's
#: wait line. The client stack only calls it; it never learns who listens.
OnWait = Callable[[str, float], None]
#: 5xx answers worth a retry: an overloaded or restarting node answers them quickly.
_TRANSIENT = frozenset({500, 502, 503})


@dataclass(frozen=True)
class Reply:
    """A usable answer: the envelope's ``result``, ``X-Total-Count`` and the ``Link`` rel="next" target."""

    result: Any
    total: int | None
    next_page: tuple[str, dict[str, str]] | None  # (path, query) on our own base URL
    linked: bool = False  # the answer had a Link header (so a missing "next" means the last page)


def _total(headers: CaseInsensitiveDict[str]) -> int | None:
    try:
        return int(headers["X-Total-Count"])
    except (KeyError, ValueError):
        return None


def _next_page(raw: Raw) -> tuple[str, dict[str, str]] | None:
    link = requests.utils.parse_header_links(raw.headers.get("Link", ""))
    for item in link:
        if item.get("rel") == "next" and item.get("url"):
            # Only path and query are kept: credentials go to our base URL, never to a host a header names.
            parts = urlsplit(item["url"])
            return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))
    return None


@dataclass
class _Entry:
    """What the block under :meth:`Transport._logged` learns: the last status and the retries."""

    status: int | None = None
    retries: int = 0


class Transport:
    """Thread-safe: many threads may call :meth:`get` at once on one transport."""

    def __init__(
        self,
        conn: ConnectionSettings,
        log: ExchangeLog,
        *,
        pool_size: int = 16,
        backoff: float = 0.5,
        on_wait: OnWait | None = None,
    ) -> None:
        self.conn = conn
        self.log = log
        self._on_wait = on_wait
        self.redactor = conn.redactor()
        self._backoff = backoff
        self._auth = Authenticator(conn, self.post_token)
        session = requests.Session()
        # Proxies come from the environment (trust_env stays on); urllib3 retries nothing on its own.
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
        # Passed on every call, not only set on the session: requests lets REQUESTS_CA_BUNDLE override a
        # session's verify (psf/requests#3829), and an explicit --ca-bundle must win over the environment.
        self._verify: bool | str = (
            str(conn.ca_bundle) if conn.ca_bundle is not None and conn.verify_tls else conn.verify_tls
        )
        session.verify = self._verify
        if conn.client_cert is not None:
            session.cert = (
                (str(conn.client_cert), str(conn.client_key)) if conn.client_key else str(conn.client_cert)
            )
        self._session = session

    def close(self) -> None:
        self._session.close()

    def authenticate(self) -> None:
        """Fetch the OAuth token if this mode needs one; raises the redacted error when it is refused."""
        try:
            self._auth.attempt()
        except PreflightError as err:
            raise self._redacted(err) from None

    # -- the two ways out ---------------------------------------------------------------------------

    def get(self, target: Target, params: Mapping[str, str], *, source: str | None = None) -> Reply:
        """GET *target.path* with *params*; retries as the module says; raises a redacted InstanceError."""
        url = self.conn.base_url + target.path
        started = time.monotonic()
        deadline = started + self.conn.time_budget
        server_retries = 0
        cooldown = 1.0
        renewed = False
        query = {k: self.redactor.text(v) for k, v in self.redactor.data(dict(params)).items()}
        with self._logged("GET", self.redactor.text(target.path), query, source) as entry:
            while True:
                auth, used_token = self._auth.attempt()
                sent = time.monotonic()
                raw = self._send(url, params, auth, target)
                took = time.monotonic() - sent
                status = entry.status = raw.status
                if status == 401 and self._auth.renewable and not renewed:
                    self._auth.invalidate(used_token)
                    renewed = True
                    entry.retries += 1
                    continue
                if status == 429:
                    wait = diagnosis.retry_after(raw.headers)
                    if wait is None:
                        wait, cooldown = cooldown, min(cooldown * 2, 30.0)
                    if time.monotonic() + wait > deadline:
                        raise diagnosis.rate_limited(raw, wait, self.conn.time_budget)
                    self._waiting(
                        f"the instance's Retry-After: it answered 429 reading {target.describe()}", wait
                    )
                    time.sleep(wait)
                    entry.retries += 1
                    continue
                if status >= 500 and not diagnosis.is_hibernating(raw):
                    if status == 504:
                        raise diagnosis.gateway_timeout(raw, target, time.monotonic() - started)
                    delay = diagnosis.retry_after(raw.headers) or self._backoff * 2**server_retries
                    delay = min(delay, 8.0)
                    if (
                        status not in _TRANSIENT
                        or server_retries >= self.conn.max_retries
                        # The retry must fit in the budget, sleep and answer: a slow 503 is not retried
                        # into a read that outlasts its budget.
                        or time.monotonic() + delay + took > deadline
                    ):
                        raise diagnosis.server_error(raw, entry.retries, time.monotonic() - started)
                    self._waiting(f"a retry of {target.describe()}: it answered {status}", delay)
                    time.sleep(delay)
                    entry.retries += 1
                    server_retries += 1
                    continue
                return self._reply(raw, target, renewed=renewed)

    def post_token(self, form: Mapping[str, str]) -> Mapping[str, Any]:
        """POST the OAuth form to /oauth_token.do; logged by path only, the form never."""
        started = time.monotonic()
        target = Target(TOKEN_PATH)
        with self._logged("POST", TOKEN_PATH, {}, "oauth") as entry:
            url = self.conn.base_url + TOKEN_PATH
            raw = self._request("POST", url, NO_AUTH, f"an OAuth token ({TOKEN_PATH})", data=dict(form))
            status = entry.status = raw.status
            if 300 <= status < 400:
                raise diagnosis.redirect(raw, target)
            if status in (400, 401, 403):
                raise diagnosis.token_refused(raw, self._auth.mode)
            if status >= 500 and not diagnosis.is_hibernating(raw):
                raise diagnosis.server_error(raw, 0, time.monotonic() - started)
            if status >= 400:
                raise diagnosis.client_error(raw, target)
            answer = diagnosis.parse_json(raw, target)
            if not isinstance(answer, dict):
                raise diagnosis.not_token(raw)
            # From now on the tokens are secrets this run knows about.
            self.redactor = self.redactor.add(
                *(str(answer.get(k)) for k in ("access_token", "refresh_token") if answer.get(k))
            )
            return answer

    # -- helpers --------------------------------------------------------------------------------------

    def _waiting(self, what: str, seconds: float) -> None:
        """Tell the observer (the console, when a run gave one) that a read sleeps *seconds* for *what*."""
        if self._on_wait is not None:
            self._on_wait(self.redactor.text(what), seconds)

    @contextmanager
    def _logged(self, method: str, path: str, query: dict[str, str], source: str | None) -> Iterator[_Entry]:
        """One exchange-log line for the block, however it ends; errors leave it redacted."""
        started = time.monotonic()
        entry = _Entry()
        error: str | None = None
        try:
            yield entry
        except PreflightError as err:
            error = err.kind
            raise self._redacted(err) from None
        finally:
            self.log.add(
                Exchange(
                    method=method,
                    path=path,
                    query=query,
                    status=entry.status,
                    elapsed_ms=round((time.monotonic() - started) * 1000, 1),
                    retries=entry.retries,
                    error=error,
                    source=self.redactor.text(source) if source else None,
                )
            )

    def _send(self, url: str, params: Mapping[str, str], auth: AuthBase, target: Target) -> Raw:
        return self._request("GET", url, auth, target.describe(), params=dict(params))

    def _request(self, method: str, url: str, auth: AuthBase, describe: str, **options: Any) -> Raw:
        """One HTTP exchange, redirects not followed: its answer, or an UnreachableError naming *describe*.

        The read path sends GET (and the OAuth token POST) through it; the write path
        (:mod:`snow_preflight.servicenow.writing`) its PATCH and POST.
        """
        try:
            with self._session.request(
                method,
                url,
                auth=auth,
                verify=self._verify,
                timeout=self.conn.timeout,
                allow_redirects=False,
                **options,
            ) as response:
                return Raw(response.status_code, response.headers, response.content, response.url)
        except requests.RequestException as exc:
            raise unreachable(exc, url, self.conn.timeout, describe) from None

    def _reply(self, raw: Raw, target: Target, *, renewed: bool) -> Reply:
        if 300 <= raw.status < 400:
            raise diagnosis.redirect(raw, target)
        if raw.status == 401:
            raise diagnosis.unauthenticated(raw, self._auth.mode, self._auth.username, renewed=renewed)
        if raw.status >= 500:
            raise diagnosis.hibernating(raw)  # 5xx reach here only when the page says "hibernating"
        if raw.status >= 400:
            raise diagnosis.client_error(raw, target)
        result = diagnosis.parse_result(raw, target)
        return Reply(result, _total(raw.headers), _next_page(raw), linked="Link" in raw.headers)

    def _redacted(self, err: PreflightError) -> PreflightError:
        """*err* with its message (and URL) passed through the redactor."""
        err.message = self.redactor.text(err.message)
        err.args = (err.message,)
        if isinstance(err, InstanceError) and err.url:
            err.url = self.redactor.text(err.url)
        return err
