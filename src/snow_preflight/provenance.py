"""Who ran a run, and where: the facts a change record wants beside the verdict, read when the run ends.

The operating-system user, the machine's host name, and the CI job's URL when one of the four CI servers
the README covers ran it, each from its standard variables:

* Jenkins: ``BUILD_URL``;
* GitLab CI: ``CI_JOB_URL``;
* GitHub Actions: ``GITHUB_SERVER_URL``/``GITHUB_REPOSITORY``/actions/runs/``GITHUB_RUN_ID``;
* Azure Pipelines: ``SYSTEM_COLLECTIONURI`` + ``SYSTEM_TEAMPROJECT``/_build/results?buildId=``BUILD_BUILDID``.

None of them is a secret, but a URL could carry a user and password (``https://user:token@ci/...``): only
an http(s) URL is kept, and never its user-info part.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Mapping
from urllib.parse import quote, urlsplit, urlunsplit


def os_user() -> str:
    """The operating-system user running the tool; "" when the system cannot say (a container's uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER/USERNAME variable
        return ""


def host() -> str:
    """The host name of the machine running the tool."""
    return socket.gethostname()


def ci_job_url(environ: Mapping[str, str]) -> str | None:
    """The URL of the CI job running the tool, from the CI server's own variables; None outside CI."""
    github = [environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    azure = [environ.get(k, "") for k in ("SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECT", "BUILD_BUILDID")]
    candidates = [
        environ.get("CI_JOB_URL", ""),
        f"{github[0].rstrip('/')}/{github[1]}/actions/runs/{github[2]}" if all(github) else "",
        f"{azure[0].rstrip('/')}/{quote(azure[1])}/_build/results?buildId={azure[2]}" if all(azure) else "",
        environ.get("BUILD_URL", ""),
    ]
    for candidate in candidates:
        url = _plain_url(candidate)
        if url:
            return url
    return None


def _plain_url(text: str) -> str | None:
    """*text* as an http(s) URL without user-info, or None when it is not one."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:  # not a URL, or a port that is not a number
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # IPv6 keeps its brackets
    netloc = name if port is None else f"{name}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
