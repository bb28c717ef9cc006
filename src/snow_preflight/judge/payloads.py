"""What a RESTProbe answer says: the HTTP status Rundeck returned, or why the MID Server got none.

The MID Server writes its answer to an ECC queue input row (servicenow-facts §2.8, §8). The payload format is
only partly documented, so it is read defensively:

* the legacy format: ``<results error="…"><result><output>BODY</output></result><httpHeaders>…
  </httpHeaders><parameters><parameter name="http_status_code" value="200"/></parameters></results>``;
* the variant with the status as an element: ``<results probe_time="212"><result><status_code>200
  </status_code>…</result></results>`` (``probe_time`` in milliseconds);
* ``<see_attachment/>``: the payload was too large for the row and is an attachment this tool does not read;
* anything else: the status could not be read, which is never taken for a success or a failure.

Failures are put in words from the error text the MID Server recorded (Java exception names), so the report
says "certificate refused", not ``PKIX path building failed``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # bounded size; expat ≥ 2.4 refuses entity blow-ups
from dataclasses import dataclass

from snow_preflight.redaction import scrub

#: Payloads longer than this are not parsed (an answer that large is a body, not a status).
MAX_PAYLOAD = 1_000_000
#: How much of an error text a result shows (its first line, shortened).
MAX_ERROR = 240


@dataclass(frozen=True)
class Answer:
    """What one input row's payload says."""

    status: int | None  # the HTTP status Rundeck answered; None: none was recorded or it was unreadable
    error: str  # the error the MID Server recorded in the payload ("" when none)
    round_trip_ms: float | None  # the probe's own time, when the payload records it
    unreadable: str  # why the status could not be read ("" when it was read, or the call failed first)


def read_payload(payload: str) -> Answer:
    """The answer in an input row's *payload*, whatever its format; never raises."""
    text = payload.strip()
    if not text:
        return Answer(None, "", None, "the answer row's payload is empty")
    if "<see_attachment" in text:
        return Answer(
            None, "", None, "the answer was too large for the ECC queue row and is stored as an attachment"
        )
    if len(text) > MAX_PAYLOAD:
        return Answer(None, "", None, f"the answer row's payload is over {MAX_PAYLOAD} characters")
    try:
        root = ET.fromstring(text)  # noqa: S314 - see the import
    except ET.ParseError:
        return Answer(None, "", None, "the answer row's payload is not the XML a MID Server writes")
    if root.tag != "results":
        return Answer(
            None, "", None, f"the answer row's payload is <{root.tag}>, not the <results> of a probe"
        )
    error = one_line(root.get("error", ""))
    raw = _status_text(root)
    round_trip = _number(root.get("probe_time", ""))
    if raw is None:
        why = "" if error else "the answer row's payload names no HTTP status"
        return Answer(None, error, round_trip, why)
    try:
        status = int(raw)
    except ValueError:
        return Answer(None, error, round_trip, f"the answer row's HTTP status {raw[:20]!r} is not a number")
    return Answer(status, error, round_trip, "")


def _status_text(root: ET.Element) -> str | None:
    for parameter in root.iter("parameter"):
        if parameter.get("name") in ("http_status_code", "status_code", "statusCode"):
            return parameter.get("value", "").strip()
    for name in ("status_code", "http_status_code", "statusCode"):
        found = root.find(f".//{name}")
        if found is not None:
            return (found.text or "").strip()
    return None


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number >= 0 else None


def one_line(text: str) -> str:
    """The first line of an error text, with secrets known by their place removed, then shortened."""
    first = scrub(text.strip().splitlines()[0]) if text.strip() else ""
    return first if len(first) <= MAX_ERROR else first[: MAX_ERROR - 1] + "…"


@dataclass(frozen=True)
class Cause:
    """Why a call failed, in words, and the remediation condition it selects."""

    condition: str
    words: str


# Checked in order: a certificate error often also says "connection", so it comes first.
_ERRORS = (
    (
        re.compile(r"ssl|tls|pkix|certif|certpath|handshake|x509", re.IGNORECASE),
        "certificate",
        "the MID Server host refused Rundeck's TLS certificate (it does not trust the issuer, or the name "
        "does not match)",
    ),
    (
        re.compile(r"unknownhost|name or service not known|nodename nor servname|no such host|dns", re.I),
        "dns",
        "the MID Server host could not resolve Rundeck's host name (DNS)",
    ),
    (
        re.compile(r"proxy|\b407\b", re.IGNORECASE),
        "proxy",
        "a proxy between the MID Server host and Rundeck refused or could not pass on the call",
    ),
    (
        re.compile(
            r"connect|refused|timed? ?out|timeout|unreachable|no route|reset|broken pipe|closed", re.I
        ),
        "connect",
        "the MID Server host could not connect to Rundeck (refused, timed out or unreachable)",
    ),
)


def cause_of(error: str, status: int | None, *, webhook: bool) -> Cause:
    """Why a call failed: from the error the MID Server recorded, else from Rundeck's HTTP status.

    *webhook*: the call was to a webhook URL (``…/webhook/<token>``), where a 404 means the webhook is
    disabled or its token changed, not a wrong path.
    """
    if error:
        for pattern, condition, words in _ERRORS:
            if pattern.search(error):
                return Cause(condition, f"{words}: {error}")
    if status is not None and status in (401, 403):
        return Cause(
            "token",
            f"Rundeck refused the call with HTTP {status}: the app's Rundeck API token is wrong or expired, or "
            "its ACL does not allow the call",
        )
    if status == 404 and webhook:
        return Cause(
            "webhook_gone",
            "Rundeck answered 404: the webhook is disabled or deleted, or its token was regenerated on the "
            "Rundeck side",
        )
    if status == 404:
        return Cause(
            "not_found", "Rundeck answered 404: the project or API version in the endpoint does not exist"
        )
    if status is not None and status > 0:
        return Cause("http", f"Rundeck answered HTTP {status}")
    if status is not None:  # 0 or -1: the MID Server got no HTTP answer at all
        return Cause("connect", f"the MID Server host got no HTTP answer from Rundeck (status {status})")
    if error:
        return Cause("mid_error", f"the MID Server reported: {error}")
    return Cause("mid_error", "the MID Server marked its answer as an error without saying why")
