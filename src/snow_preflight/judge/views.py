"""Typed views of the snapshot, so a check reads as a few plain asserts.

Everything here is a pure function of the snapshot and the expectations: no I/O. The views, not the
checks, decide what was actually seen:

* a source that could not be read, or whose rows are hidden where the answer depends on them, raises
  :class:`~snow_preflight.errors.CannotVerify` with the steps to gain visibility;
* a field the instance withheld raises :class:`~snow_preflight.errors.Withheld` (see :mod:`.records`);
* items nobody saw (HTTP methods hidden by a row ACL, the MID Servers they name) are items too: an
  :class:`Unavailable` with a label, so each becomes an error row of its own;
* only the app's own REST message is judged; copies in other scopes are only listed.

Checks never see a raw row: there is no ``.rows`` here, only :class:`~.records.Record` and typed records.
The layers: :mod:`.base` (sources, apps) → :mod:`.rest` (message, methods, RESTProbe traffic) →
:mod:`.mids` (MID Servers) and :mod:`.delivery` (each method's last call through its MID Server), beside
:mod:`.rundeck` (the Rundeck end, as it answered this host) → :class:`View` (reachability, accounts, roles,
the items of each check).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from snow_preflight.errors import CannotVerify
from snow_preflight.judge.base import why_unreadable
from snow_preflight.judge.delivery import Delivery, DeliveryViews
from snow_preflight.judge.mids import Issue, MidViews
from snow_preflight.judge.records import (
    App,
    Grant,
    MidRef,
    MidServer,
    Record,
    RestMessage,
    RestMethod,
    Unavailable,
    parse_time,
)
from snow_preflight.judge.rest import Probe, ProbeTraffic
from snow_preflight.judge.rundeck import FROM_HERE, RundeckApi, RundeckProject, RundeckViews, RundeckWebhook
from snow_preflight.judge.visibility import visibility_fix
from snow_preflight.snapshot import SourceStatus

# Failures that mean the instance itself did not answer the REST API with JSON.
_NOT_REACHED = ("unreachable", "hibernating", "unexpected", "server_error", "rate_limited")


@dataclass(frozen=True)
class Reachability:
    answered: int  # reads the instance answered as the Table API (rows, or a JSON error)
    reads: int
    failure: str | None  # the first failure that means the instance itself was not reached


class View(MidViews, DeliveryViews, RundeckViews):
    """The snapshot as the checks see it."""

    # -- the instance and the login -----------------------------------------------------------------------

    def reachability(self) -> Reachability:
        sources = list(self._snapshot.sources.values())
        lost = [s for s in sources if s.status is SourceStatus.FAILED and s.error_kind in _NOT_REACHED]
        failure = (lost[0].error or lost[0].error_kind) if lost else None
        return Reachability(len(sources) - len(lost), len(sources), failure)

    def refused(self) -> str | None:
        """Why the instance refused the credentials (a 401), or None when it accepted them."""
        for source in self._snapshot.sources.values():
            if source.error_kind == "unauthenticated":
                return source.error or "the instance refused the credentials (401)"
        return None

    def login_record(self) -> Record | None:
        """The login's own sys_user record, or None when this login cannot see it (evidence only)."""
        source = self._snapshot.sources.get("login")
        return Record.of(source.table, source.rows[0]) if source and source.rows else None

    def account(self, source_name: str) -> Record | None:
        """The one account a read looks for; None when it does not exist, CannotVerify when it is unseen."""
        source = self._visible(source_name)
        if source.rows:
            return Record.of(source.table, source.rows[0])
        return None

    def grants(self, source_name: str, role: str) -> list[Grant]:
        """The active grants of *role* in a role read; CannotVerify when none is visible but rows are hidden.

        A visible grant settles it even when other rows are hidden; without one, a hidden row may be it.
        """
        source = self._visible(source_name)
        found = []
        for row in source.rows:
            record = Record.of(source.table, row)
            if record.get("role.name") == role and record.get("state") in ("active", ""):
                found.append(Grant(role, _how(record)))
        if not found and source.hidden:
            who = self.login if source_name == "login_roles" else self.expect.integration_user
            raise CannotVerify(
                f"{source.hidden} role row(s) of {who} are hidden from this login by ACL; cannot tell whether "
                f"it holds {role}",
                visibility_fix(source.table),
            )
        return found

    # -- items of parametrised checks ------------------------------------------------------------------------

    def role_items(self) -> list[str] | Unavailable:
        return list(self.expect.required_roles)

    def integration_role_items(self) -> list[str] | Unavailable:
        if self.expect.integration_user:
            return list(self.expect.required_roles)
        return Unavailable("no integration user named (--integration-user)", skip=True)

    def items(self, kind: str) -> Sequence[object] | Unavailable:
        """The items a check declared with ``each=kind`` runs for (one result row each)."""
        return ITEM_KINDS[kind](self)


def _how(record: Record) -> str:
    if record.get("inherited") != "true":
        return "direct"
    for group in ("granted_by.name", "granted_by"):
        if record.has(group) and record.get(group):
            return f"through group {record.get(group)}"
    for parent in ("included_in_role.role.name", "included_in_role"):
        if record.has(parent) and record.get(parent):
            return f"contained in role {record.get(parent)}"
    return "inherited"


#: ``each=`` names → the view's list of items for them.
ITEM_KINDS: dict[str, Callable[[View], Sequence[object] | Unavailable]] = {
    "role": View.role_items,
    "integration_role": View.integration_role_items,
    "method": View.method_items,
    "mid": View.mid_items,
    "delivery": View.delivery_items,
    "rundeck_api": View.rundeck_api_items,
    "rundeck_project": View.rundeck_project_items,
    "rundeck_webhook": View.rundeck_webhook_items,
}


__all__ = [
    "FROM_HERE",
    "App",
    "Delivery",
    "Grant",
    "Issue",
    "MidRef",
    "MidServer",
    "Probe",
    "ProbeTraffic",
    "Record",
    "RestMessage",
    "RestMethod",
    "RundeckApi",
    "RundeckProject",
    "RundeckWebhook",
    "Unavailable",
    "View",
    "parse_time",
    "why_unreadable",
]
