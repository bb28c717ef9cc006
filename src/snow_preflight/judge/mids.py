"""The MID Servers to check: those the judged HTTP methods name, and the expected one.

They are read as dot-walks on the method rows (``use_mid_server.status`` ...) and, for ``--expected-mid``,
one read by name: never the whole ``ecc_agent`` table, so the requests do not grow with the number of MID
Servers on the instance. A MID Server whose record cannot be seen (row ACL, or a dangling reference) is an
error row labelled by its sys_id; those named by methods nobody could see (or whose ``use_mid_server`` is
withheld) are one ``unseen`` row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from snow_preflight.errors import CannotVerify, Withheld
from snow_preflight.judge.base import truncated, unreadable, why_unreadable
from snow_preflight.judge.records import (
    Field,
    MidRef,
    MidServer,
    Record,
    Unavailable,
    release_family,
)
from snow_preflight.judge.rest import RestViews
from snow_preflight.judge.visibility import visibility_fix
from snow_preflight.snapshot import SourceStatus


@dataclass(frozen=True)
class Issue:
    """An open MID Server issue (``ecc_agent_issue``)."""

    record: Record
    state = Field("state")
    message = Field("message")


class MidViews(RestViews):
    def mid_items(self) -> list[MidRef | Unavailable] | Unavailable:
        """One item per MID Server to check, plus one standing for those named by methods nobody saw."""
        expected = self.expect.expected_mid
        try:
            methods, unseen = self._method_list
        except CannotVerify as exc:
            if not expected:
                return Unavailable(str(exc), fix=exc.fix)
            reason = f"the MID Servers the HTTP methods use could not be listed: {exc}"
            return [self._expected_mid(), Unavailable(reason, label="unseen", fix=exc.fix)]
        servers: dict[str, MidServer] = {}
        blind: dict[str, Unavailable] = {}  # named by a method, but its record cannot be seen
        withheld: list[Withheld] = []
        for method in methods:
            try:
                server = method.mid
            except Withheld as exc:  # use_mid_server itself: which MID Server, if any, is unknown
                withheld.append(exc)
                continue
            except CannotVerify as exc:
                blind.setdefault(
                    method.mid_sys_id, Unavailable(str(exc), label=method.mid_sys_id, fix=exc.fix)
                )
                continue
            if server is not None:
                servers.setdefault(server.sys_id, server)
        names = Counter(s.label for s in servers.values())
        refs = [
            MidRef(s.label if names[s.label] == 1 else f"{s.label} ({s.sys_id})", s) for s in servers.values()
        ]
        items: list[MidRef | Unavailable] = [*refs, *blind.values()]
        if expected and expected not in names:
            items.insert(0, self._expected_mid())
        if unseen or withheld:
            items.append(self._unseen_mids(unseen, withheld))
        return items or Unavailable("no HTTP method of the REST message names a MID Server", skip=True)

    def _unseen_mids(self, hidden: int, withheld: list[Withheld]) -> Unavailable:
        causes: list[str] = []
        fix: list[str] = []
        if hidden:
            causes.append(f"{hidden} of them are hidden from this login by ACL")
            fix += visibility_fix("sys_rest_message_fn")
        if withheld:
            causes.append(f"{len(withheld)} of them do not show it: {withheld[0]}")
            fix += [step for step in withheld[0].fix if step not in fix]
        count = hidden + len(withheld)
        reason = (
            f"the MID Server(s) of {count} HTTP method(s) of {self.expect.rest_message} could not be seen: "
            + "; ".join(causes)
        )
        return Unavailable(reason, label="unseen", fix=tuple(fix))

    def _expected_mid(self) -> MidRef | Unavailable:
        """``--expected-mid``, read by name: its record, or None when no such record exists."""
        name = self.expect.expected_mid or ""
        source = self._source("expected_mid")
        if source.status in (SourceStatus.FAILED, SourceStatus.HIDDEN):
            exc = unreadable(source)
            return Unavailable(str(exc), label=name, fix=exc.fix)
        for row in source.rows:
            record = Record.of(source.table, row)
            return MidRef(name, MidServer(record, self.link("ecc_agent", record.sys_id)))
        return MidRef(name, None)

    def heartbeat_age(self, server: MidServer) -> float | None:
        """Minutes since the MID Server's last heartbeat when the snapshot was taken; None if none."""
        last = server.last_refreshed
        return None if last is None else (self.taken_at - last).total_seconds() / 60

    def buildstamp(self) -> str:
        """``mid.buildstamp``: the MID Server build the instance expects. Non-admins cannot read it."""
        source = self._source("properties")
        if source.status is SourceStatus.FAILED:
            raise CannotVerify(
                f"mid.buildstamp could not be read: {why_unreadable(source)}", visibility_fix(source.table)
            )
        for row in source.rows:
            record = Record.of(source.table, row)
            if record.get("name") == "mid.buildstamp" and record.get("value"):
                return record.get("value")
        raise CannotVerify(
            "mid.buildstamp is not visible to this login: logins without admin read sys_properties as empty",
            visibility_fix(source.table),
        )

    def expected_release(self) -> str:
        """The release family the instance expects its MID Servers to run (from ``mid.buildstamp``)."""
        return release_family(self.buildstamp())

    def open_issues(self, server: MidServer) -> list[Issue]:
        """Open (not resolved) issues of the MID Server; CannotVerify when some may be unseen."""
        source = self._visible("mid_issues")
        records = [Record.of(source.table, row) for row in source.rows]
        found = [Issue(r) for r in records if r.get("mid_server") == server.sys_id]
        if not found and source.hidden:
            raise unreadable(source)
        if not found and truncated(source):
            raise CannotVerify(
                f"the instance has {source.total} open MID Server issues and this run reads the first "
                f"{len(source.rows)}; those of `{server.label}` may be among the rest",
                (
                    f"Open MID Server > Issues filtered on MID Server = {server.label} and resolve what is open.",
                ),
            )
        return found
