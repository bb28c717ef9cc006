"""What a check author imports: ``@check``, :class:`Evidence`, :class:`CannotVerify` and the typed views.

The judge turns the snapshot into verdicts. Views answer questions about the instance ("which MID Server
does this method use?") and raise :class:`CannotVerify` whenever the answer was not actually seen, so a
check cannot turn "not seen" into "passed" or "failed".
"""

from snow_preflight.errors import CannotVerify, Withheld
from snow_preflight.judge.catalogue import Evidence, check
from snow_preflight.judge.views import (
    FROM_HERE,
    Delivery,
    MidRef,
    MidServer,
    Record,
    RestMethod,
    RundeckApi,
    RundeckProject,
    RundeckWebhook,
    Unavailable,
    View,
    parse_time,
    why_unreadable,
)
from snow_preflight.reads import Read
from snow_preflight.severity import Severity
from snow_preflight.snapshot import SourceStatus

__all__ = [
    "FROM_HERE",
    "CannotVerify",
    "Delivery",
    "Evidence",
    "MidRef",
    "MidServer",
    "Read",
    "Record",
    "RestMethod",
    "RundeckApi",
    "RundeckProject",
    "RundeckWebhook",
    "Severity",
    "SourceStatus",
    "Unavailable",
    "View",
    "Withheld",
    "check",
    "parse_time",
    "why_unreadable",
]
