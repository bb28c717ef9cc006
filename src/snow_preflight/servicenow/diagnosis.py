"""Turning what came back (or did not) into a result or a one-line diagnosis.

Pure functions of a finished HTTP answer (:class:`~snow_preflight.servicenow.answer.Raw`) or a ``requests``
exception. Every message names the cause and the fix; the transport passes each one through the
connection's redactor before it leaves.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from requests.structures import CaseInsensitiveDict

from snow_preflight.errors import (
    AccessDeniedError,
    AuthenticationError,
    HibernatingError,
    InstanceError,
    InvalidTableError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
)
from snow_preflight.servicenow.answer import Raw, Target, instance_says, parse_body
from snow_preflight.servicenow.connection import AuthMode


def is_hibernating(raw: Raw) -> bool:
    return b"hibernat" in raw.content.lower() and not raw.content.lstrip().startswith((b"{", b"["))


def hibernating(raw: Raw) -> HibernatingError:
    return HibernatingError(
        "The developer instance is hibernating: sign in at developer.servicenow.com to wake it, then re-run.",
        status=raw.status,
        url=raw.url,
    )


def parse_json(raw: Raw, target: Target) -> Any:
    """The parsed JSON of a 2xx answer; raises for a hibernation page, HTML, an empty body, bad JSON."""
    if is_hibernating(raw):
        raise hibernating(raw)
    if not raw.content.strip():
        raise UnexpectedResponseError(
            f"{target.path} answered {raw.status} with an empty body, not the REST API's JSON: check the"
            " instance URL and any proxy in between.",
            status=raw.status,
            url=raw.url,
        )
    content_type = raw.headers.get("Content-Type", "")
    try:
        body = parse_body(raw)
    except (ValueError, UnicodeDecodeError):
        if "html" in content_type.lower() or raw.content.lstrip()[:1] == b"<":
            raise UnexpectedResponseError(
                f"{target.path} answered with an HTML page, not the REST API — a login/SSO or proxy page;"
                " check the instance URL / proxy settings.",
                status=raw.status,
                url=raw.url,
            ) from None
        raise UnexpectedResponseError(
            f"{target.path} answered {raw.status} with malformed JSON ({content_type or 'no Content-Type'}):"
            " the answer was cut off or altered on the way, possibly by a proxy; re-run, and check the proxy"
            " settings if it persists.",
            status=raw.status,
            url=raw.url,
        ) from None
    return body


def parse_result(raw: Raw, target: Target) -> Any:
    """The ``result`` of a 2xx Table API answer; raises for any other shape."""
    body = parse_json(raw, target)
    if isinstance(body, dict) and "result" not in body and isinstance(body.get("error"), dict):
        # e.g. "Transaction cancelled: maximum execution time exceeded", sent with a 200.
        raise UnexpectedResponseError(
            f"{target.path} answered {raw.status} with an error instead of a result{instance_says(raw)}:"
            " the instance cut the transaction short; re-run, and narrow the query if it persists.",
            status=raw.status,
            url=raw.url,
        )
    if not isinstance(body, dict) or "result" not in body:
        raise UnexpectedResponseError(
            f"{target.path} answered JSON without a 'result': this is not a ServiceNow Table API — check the"
            " URL points at the instance itself (https://<name>.service-now.com).",
            status=raw.status,
            url=raw.url,
        )
    return body["result"]


def redirect(raw: Raw, target: Target) -> InstanceError:
    location = raw.headers.get("Location", "")
    where = urlsplit(urljoin(raw.url, location))
    # Only scheme, host and path: the query of an SSO redirect carries state we have no business echoing.
    pointed = f"{where.scheme}://{where.netloc}{where.path}" if location else "(no Location header)"
    if re.search(r"hibernat|wakeup", location, re.IGNORECASE):
        return hibernating(raw)
    return UnexpectedResponseError(
        f"{target.path} answered with a redirect ({raw.status}) to {pointed} — likely an SSO/login page or a"
        " proxy. Redirects are not followed with credentials: point the instance URL at the instance itself"
        " and check the proxy settings.",
        status=raw.status,
        url=raw.url,
    )


def unauthenticated(raw: Raw, mode: AuthMode, username: str | None, *, renewed: bool) -> AuthenticationError:
    said = instance_says(raw)
    if raw.headers.get("X-MFA_TOKEN", "").strip().lower() == "invalid":
        cause = (
            f"multi-factor authentication failed for '{username}' (X-MFA_TOKEN: invalid){said}: the account"
            " requires MFA; use an integration account exempt from MFA, or OAuth."
        )
    elif mode == "basic":
        cause = (
            f"the login '{username}' was refused (401, Basic auth){said}. Likely causes: a wrong password; an"
            " SSO-only account without a local password; a locked-out account; Basic auth restricted to"
            " users with the role snc_basic_auth_api_access, which this login lacks. Fix the credentials,"
            " or check the account in User Administration > Users."
        )
    elif mode == "bearer":
        cause = f"the bearer token was refused (401){said}: it is expired, revoked or for another instance."
    elif mode == "api_key":
        cause = (
            f"the API key was refused (401){said}: it is wrong or inactive, or no REST API Access Policy"
            " allows API keys for this API; check System Web Services > API Access Policies."
        )
    else:
        cause = (
            f"the OAuth access token was refused (401){said}{' even after renewing it' if renewed else ''}:"
            " the token's user may be locked out or inactive, or the OAuth client restricted; check System"
            " OAuth > Application Registry."
        )
    return AuthenticationError(f"Authentication failed: {cause}", status=raw.status, url=raw.url)


def token_refused(raw: Raw, mode: AuthMode) -> AuthenticationError:
    grant = "password grant" if mode == "oauth_password" else "client-credentials grant"
    hint = (
        "a wrong client id/secret, or a wrong user name/password"
        if mode == "oauth_password"
        else "a wrong client id/secret, or the client-credentials grant disabled on the instance"
        " (system property glide.oauth.inbound.client.credential.grant_type.enabled)"
    )
    return AuthenticationError(
        f"The OAuth token request (/oauth_token.do, {grant}) was refused ({raw.status}){instance_says(raw)}:"
        f" likely {hint}; check System OAuth > Application Registry.",
        status=raw.status,
        url=raw.url,
    )


def client_error(raw: Raw, target: Target) -> InstanceError:
    """A 4xx other than 401/429: denied, invalid table, not found, or something unexpected."""
    said = instance_says(raw)
    what = target.describe()
    if raw.status == 403:
        return AccessDeniedError(
            f"Access denied (403) reading {what}{said}: the login needs a role or ACL that grants read on"
            f" {target.table or target.path}.",
            status=403,
            url=raw.url,
        )
    if raw.status == 400 and "invalid table" in said.lower():
        return InvalidTableError(
            f"Table '{target.table}' does not exist on the instance (400 Invalid table): the app or plugin"
            " that provides it is not installed.",
            status=400,
            url=raw.url,
        )
    if raw.status == 404:
        return NotFoundError(
            f"Not found (404): {what}{said} — no such record, or an ACL hides it from this login.",
            status=404,
            url=raw.url,
        )
    return UnexpectedResponseError(
        f"{target.path} answered {raw.status}{said}: not an answer the pre-flight expects; check the instance"
        " URL and the proxy settings.",
        status=raw.status,
        url=raw.url,
    )


def retry_after(headers: CaseInsensitiveDict[str]) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), or None."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)


def rate_limited(raw: Raw, wait: float, budget: float) -> RateLimitedError:
    rule = raw.headers.get("X-RateLimit-Rule", "")
    reset = raw.headers.get("X-RateLimit-Reset", "")
    try:
        at = dt.datetime.fromtimestamp(float(reset), dt.UTC)
    except ValueError:
        at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)
    rule_text = (
        f"rate limit rule {rule} (System Web Services > REST API Rate Limits)"
        if rule
        else "an inbound REST rate limit"
    )
    return RateLimitedError(
        f"Rate limited (429) by {rule_text}{instance_says(raw)}: the instance asks to wait {wait:.0f} s,"
        f" beyond the time budget of {budget:g} s; retry after {at:%Y-%m-%d %H:%M:%S} UTC, raise"
        " the time budget (SN_TIME_BUDGET), or ask an admin to exempt this login from the rule.",
        status=429,
        url=raw.url,
        retry_after=wait,
    )


def server_error(raw: Raw, retries: int, elapsed: float) -> ServerError:
    after = f", still failing after {retries} retr{'y' if retries == 1 else 'ies'} over {elapsed:.1f} s"
    return ServerError(
        f"Server error {raw.status} from {urlsplit(raw.url).path}{instance_says(raw)}{after if retries else ''}:"
        " the instance is overloaded or restarting; re-run later (or raise the retries and time budget:"
        " SN_MAX_RETRIES, SN_TIME_BUDGET).",
        status=raw.status,
        url=raw.url,
    )


def gateway_timeout(raw: Raw, target: Target, elapsed: float) -> ServerError:
    """504: something in front of the instance gave up waiting. A retry would wait as long again."""
    return ServerError(
        f"Timed out after {elapsed:.1f} s reading {target.describe()}: {urlsplit(raw.url).path} answered 504"
        f" Gateway Timeout{instance_says(raw)}, a proxy or load balancer that gave up waiting on the instance;"
        " not retried, as a retry would wait as long again. Re-run later; if it persists, ask who runs the"
        " proxy about its timeout.",
        status=raw.status,
        url=raw.url,
    )


def not_token(raw: Raw) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        "/oauth_token.do answered JSON that is not an OAuth token: check that the instance URL is the"
        " ServiceNow instance itself.",
        status=raw.status,
        url=raw.url,
    )
