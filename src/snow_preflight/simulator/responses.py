"""Canned answers: the platform's JSON error bodies and the HTML pages that stand in front of it.

Shapes and wordings are those of servicenow-facts.md §3.4 and §3.5.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from html import escape

from snow_preflight.simulator.faults import Fault
from snow_preflight.simulator.scenarios import sys_id_for

JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html;charset=UTF-8"
RATE_LIMIT_RULE = sys_id_for("sys_rate_limit_rules", "table-api-per-user")
AUTH_MESSAGES = {
    # Current wording (KDP, 2025-26) and the older one (PD16); a scenario setting picks one.
    "current": ("User is not authenticated", "Required to provide Auth information"),
    "legacy": ("User Not Authenticated", "Required to provide Auth information"),
}
CANCELLED = "Transaction cancelled: maximum execution time exceeded"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    user_name: str | None = None
    fault: str | None = None


def json_response(status: int, payload: object, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, {"Content-Type": JSON_TYPE, **(headers or {})})


def error(status: int, message: str, detail: str | None, headers: dict[str, str] | None = None) -> Response:
    payload = {"error": {"message": message, "detail": detail}, "status": "failure"}
    return json_response(status, payload, headers)


def unauthenticated(wording: str) -> Response:
    message, detail = AUTH_MESSAGES.get(wording, AUTH_MESSAGES["current"])
    return error(401, message, detail, {"WWW-Authenticate": 'Basic realm="Service-now"'})


def oauth_denied() -> Response:
    return json_response(401, {"error_description": "access_denied", "error": "server_error"})


def not_found() -> Response:
    return error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval")


def table_denied(table: str) -> Response:
    return error(403, "Insufficient rights to query records", f"No permission to read table '{table}'")


def write_denied(method: str) -> Response:
    verb = {"POST": "Insert", "DELETE": "Delete"}.get(method, "Update")
    return error(403, "Operation Failed", f"ACL Exception {verb} Failed due to security constraints")


def rate_limited(retry_after: int) -> Response:
    headers = {
        "Retry-After": str(retry_after),
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Reset": str(int(time.time()) + retry_after),
        "X-RateLimit-Rule": RATE_LIMIT_RULE,
    }
    return error(
        429, "Rate limit exceeded", "Rate limit of 100 requests per hour for Table API exceeded", headers
    )


def html(status: int, page: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, page.encode(), {"Content-Type": HTML_TYPE, **(headers or {})})


HIBERNATING_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Instance Hibernating page</title></head>
<body class="hibernating">
<div class="container">
<h1>Your instance is hibernating</h1>
<p>Sign in to the site to wake your instance.</p>
<a class="btn" href="https://developer.servicenow.com/dev.do">Sign in to developer.servicenow.com</a>
</div>
</body></html>
"""

INTERSTITIAL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign In - Corporate Single Sign-On</title></head>
<body>
<h1>Sign in to continue</h1>
<p>Access to {target} requires authentication through the corporate identity provider.</p>
<form method="post" action="https://sso.example.com/adfs/ls/">
<label>User name <input name="UserName"></label>
<label>Password <input name="Password" type="password"></label>
<button type="submit">Sign in</button>
</form>
</body></html>
"""

GATEWAY_PAGE = """<!DOCTYPE html>
<html><head><title>{status} {reason}</title></head>
<body><h1>{reason}</h1><p>The instance is temporarily unavailable. Please try again later.</p></body></html>
"""

_REASONS = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
_MESSAGES = {
    400: ("Bad Request", "Invalid request"),
    403: ("User Not Authorized", "Not sufficient roles to access the resource"),
    404: ("No Record found", "Record doesn't exist or ACL restricts the record retrieval"),
    405: ("Method not Supported", "Requested method is not supported by the resource"),
    500: ("Internal Server Error", "An unexpected error occurred while processing the request"),
}


def fault_answer(fault: Fault, path: str, wording: str) -> Response | None:
    """The canned answer of a fault, or None when the fault only delays or mangles the real one."""
    kind = fault.resolved_kind()
    if kind == "hibernating":
        return html(200, HIBERNATING_PAGE)
    if kind == "interstitial":
        return html(200, INTERSTITIAL_PAGE.format(target=escape(path)))
    if kind == "redirect":
        location = f"https://sso.example.com/adfs/ls/?SAMLRequest=fZJNT8MwDIbv&RelayState={path}"
        return html(302, "<html><body>Redirecting to sign-in</body></html>", {"Location": location})
    if kind == "rate_limit":
        return rate_limited(fault.retry_after)
    if kind == "cancelled":
        detail = f"{CANCELLED}. Check logs for error trace"
        return error(fault.status or 200, fault.message or CANCELLED, detail)
    if kind != "status":
        return None
    status = fault.status or 500
    if status == 401:
        return unauthenticated(wording)
    if status == 429:
        return rate_limited(fault.retry_after)
    if status in _REASONS and fault.message is None:
        # The load balancer, not the platform, answers these: an HTML page, not JSON.
        return html(status, GATEWAY_PAGE.format(status=status, reason=_REASONS[status]))
    message, detail = _MESSAGES.get(status, ("Error", "Simulated failure"))
    return error(status, fault.message or message, detail)
