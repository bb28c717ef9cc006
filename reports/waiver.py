"""A waiver as the reports hold it: an accepted finding, applied to a result or left unused.

The waivers file is read and matched by :mod:`snow_preflight.waivers`; these classes are what that leaves in
the result model (``results[].waiver``, ``unused_waivers``), and their descriptions are the published
documentation of those fields in report.json's schema.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Waiver(BaseModel):
    """An accepted finding, from a waivers file (``--waivers``): see the README, "Waivers"."""

    check: str = Field(description="The check id, result id or glob it waives, matched as --only matches.")
    instance: str | None = Field(
        default=None,
        description="The instance it is limited to (a fleet name, a host or its first label, a glob); "
        "null: every instance.",
    )
    reason: str = Field(description="Why the finding is accepted.")
    approved_by: str = Field(description="Who accepted it.")
    change: str | None = Field(default=None, description="The change request it belongs to, e.g. CHG0012345.")
    expires: date = Field(description="The UTC date from which it no longer applies (from 00:00 UTC).")
    line: int | None = Field(default=None, description="The line of its [[waiver]] table in the file.")


class AppliedWaiver(Waiver):
    """The waiver that matched a failed or error result: active, or expired and so not applied."""

    expired: bool = Field(
        default=False,
        description="True when it had expired: the result was judged normally and may fail the gate.",
    )

    @property
    def note(self) -> str:
        """One line for every report: what the waiver did and why."""
        if self.expired:
            return f"waiver expired on {self.expires}: judged normally ({self.reason}; approved by {self.approved_by})"
        change = f", {self.change}" if self.change else ""
        return f"waived until {self.expires} by {self.approved_by}{change}: {self.reason}"


class UnusedWaiver(BaseModel):
    """A waiver that waived nothing in this run: its finding is gone, or its pattern names no result."""

    waiver: Waiver
    why: str = Field(description="Why it waived nothing, as one sentence.")
