"""Why the instance could not be reached: DNS, refused, TLS, proxy or timeout, as one-line diagnoses."""

from __future__ import annotations

import re
import ssl
from urllib.parse import urlsplit

import requests

from snow_preflight.errors import UnreachableError


def _chain(exc: BaseException) -> list[BaseException]:
    """*exc* and everything it wraps (urllib3 nests the socket error in args and reasons)."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 20:
        item = todo.pop()
        if any(item is s for s in seen):
            continue
        seen.append(item)
        todo.extend(a for a in item.args if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            inner = getattr(item, attr, None)
            if isinstance(inner, BaseException):
                todo.append(inner)
    return seen


def unreachable(
    exc: requests.RequestException, url: str, timeout: float, reading: str = ""
) -> UnreachableError:
    """Why *url* could not be reached; *reading* names what the request was for ("table 'ecc_queue'")."""
    parts = urlsplit(url)
    host = parts.hostname or parts.netloc
    where = parts.netloc
    chain = _chain(exc)
    text = " ".join(str(e) for e in chain)
    if isinstance(exc, requests.Timeout):
        # Named by what it was reading: one slow table costs one timeout, and the report says which.
        message = (
            f"Timed out after {timeout:g} s{f' reading {reading}' if reading else ''}: {where} did not answer"
            " in time; the instance or a proxy is slow or unreachable. Raise the timeout (SN_TIMEOUT), or"
            " check the network and proxy settings."
        )
    elif isinstance(exc, requests.exceptions.SSLError) or any(isinstance(e, ssl.SSLError) for e in chain):
        found = re.search(r"certificate verify failed: ([^()'\"]+)", text)
        reason = found.group(1).strip() if found else "the TLS handshake failed"
        message = (
            f"TLS verification failed for {where} ({reason}): the certificate is not trusted; if the instance"
            " or a TLS-inspecting proxy uses a private CA, pass it as the CA bundle (SN_CA_BUNDLE=/path/to/ca.pem)."
        )
    elif isinstance(exc, requests.exceptions.ProxyError):
        message = f"The proxy refused or failed the connection to {where}: check HTTPS_PROXY / NO_PROXY."
    elif re.search(
        r"NameResolution|Name or service not known|getaddrinfo|nodename nor servname|resolve", text
    ):
        message = (
            f"Cannot resolve the host name {host} (DNS): check the instance name in the URL, and DNS or"
            " proxy settings."
        )
    elif any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text.lower():
        message = (
            f"Connection refused by {where}: nothing listens there; check the instance URL and port, or a"
            " firewall in between."
        )
    else:
        message = (
            f"Cannot connect to {where} ({type(exc).__name__}): check the instance URL, network and proxy."
        )
    return UnreachableError(message, url=url)
