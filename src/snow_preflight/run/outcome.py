"""How a run ends: its exit status (pytest's, 0-5) and, when it was judged, its report and files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from snow_preflight.reports.model import RunReport

#: Exit statuses, as pytest's (0-5); documented in the README and in ``--help``.
GO, NO_GO, INTERRUPTED, INTERNAL_ERROR, USAGE_ERROR, NOTHING_JUDGED = 0, 1, 2, 3, 4, 5


@dataclass
class RunOutcome:
    """A finished run: its exit status, its result model (None when nothing was judged), the files written."""

    exit_code: int
    report: RunReport | None
    written: dict[str, Path] = field(default_factory=dict)
