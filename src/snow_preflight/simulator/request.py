"""A request as the simulated instance sees it, independent of the HTTP transport, and its paging.

The server (:mod:`~snow_preflight.simulator.server`) parses each HTTP request into a :class:`Request`; the
endpoints (:mod:`~snow_preflight.simulator.api`) read its parameters and page a Table API answer with them,
as ``sysparm_limit``/``sysparm_offset`` and the ``Link`` header do on a real instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class Request:
    """One HTTP request, parsed: what the endpoints answer."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    base_url: str  # scheme://host:port as the client addressed us, for links

    def param(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default


def bounded_int(text: str, default: int, minimum: int) -> int:
    """A number parameter such as ``sysparm_limit``: at least *minimum*; *default* when it is not a number."""
    try:
        return max(minimum, int(text))
    except ValueError:
        return default


def link_header(request: Request, total: int, offset: int, limit: int) -> str:
    """first/prev/next/last links carrying sysparm_offset/limit; empty when it all fits one page."""
    if offset == 0 and total <= limit:
        return ""
    base = {k: v[0] for k, v in request.query.items()}

    def url(at: int) -> str:
        params = {**base, "sysparm_limit": str(limit), "sysparm_offset": str(at)}
        return f"<{request.base_url}{request.path}?{urlencode(params)}>"

    last = max(0, (total - 1) // limit * limit)
    parts = [f'{url(0)};rel="first"']
    if offset > 0:
        parts.append(f'{url(max(0, offset - limit))};rel="prev"')
    if offset + limit < total:
        parts.append(f'{url(offset + limit)};rel="next"')
    parts.append(f'{url(last)};rel="last"')
    return ",".join(parts)
