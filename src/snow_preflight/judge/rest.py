"""The app's REST message, its HTTP methods and their RESTProbe traffic.

Only the app's own message is judged: the one named ``Rundeck - API`` in the app's scope (the legacy
scope's when only the legacy app is installed). Copies in other scopes are listed, never judged, and their
methods are never read under the app's ids. Methods hidden by a row ACL are counted, so each list that
depends on them says it could not see them instead of passing over them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from snow_preflight.errors import CannotVerify
from snow_preflight.judge.base import SnapshotView, unreadable
from snow_preflight.judge.payloads import read_payload
from snow_preflight.judge.records import (
    Field,
    Record,
    RestMessage,
    RestMethod,
    Unavailable,
    parse_time,
)
from snow_preflight.judge.visibility import visibility_fix


@dataclass(frozen=True)
class Probe:
    """One RESTProbe row of the ECC queue."""

    record: Record
    name = Field("name")
    state = Field("state")
    failure = Field("error_string")

    @property
    def http_failure(self) -> str:
        """ "HTTP 404 from Rundeck" when an answer's payload records a 4xx/5xx; "" otherwise.

        A payload that cannot be read is not a failure here: ``rest_method_delivered`` says it could not
        read the status, per method.
        """
        if self.record.get("queue") != "input" or not self.record.has("payload"):
            return ""
        status = read_payload(self.record.get("payload")).status
        return f"HTTP {status} from Rundeck" if status is not None and status >= 400 else ""

    @property
    def detail(self) -> str:
        return self.failure or self.http_failure or self.record.get("sys_created_on")


@dataclass(frozen=True)
class ProbeTraffic:
    rows: int  # RESTProbe rows of the judged methods in the delivery window
    failed: list[Probe]  # inputs in state error, with an error string, or a 4xx/5xx from Rundeck
    stuck: list[Probe]  # outputs still "ready" after the limit: the MID Server never picked them up


class RestViews(SnapshotView):
    @cached_property
    def _messages(self) -> tuple[RestMessage, ...]:
        source = self._visible("rest_message")
        records = [Record.of(source.table, row) for row in source.rows]
        return tuple(RestMessage(r, self.link("sys_rest_message", r.sys_id)) for r in records)

    def rest_message(self) -> RestMessage | None:
        """The REST message the app calls: the one in the app's scope, or the legacy app's when only the
        legacy app is installed. None when there is none; CannotVerify when hidden rows may hold it."""
        own = [m for m in self._messages if m.scope == self.expect.app_scope]
        if own:
            return own[0]
        source = self._source("rest_message")
        if source.hidden:
            raise unreadable(source)
        legacy = [m for m in self._messages if m.scope == self.expect.legacy_scope]
        if legacy and not self._new_app_seen():
            return legacy[0]
        return None

    def rest_message_copies(self) -> list[RestMessage]:
        """Messages of the same name that are not the app's own (a customer's copy, the legacy app's)."""
        judged = self.rest_message()
        return [m for m in self._messages if judged is None or m.sys_id != judged.sys_id]

    def _new_app_seen(self) -> bool:
        try:
            return bool(self.apps(self.expect.app_scope))
        except CannotVerify:
            return False

    @cached_property
    def _method_list(self) -> tuple[tuple[RestMethod, ...], int]:
        """The judged message's methods that were seen, and how many more are hidden by ACL."""
        message = self.rest_message()
        if message is None:
            return (), 0
        source = self._visible("rest_methods")
        records = [Record.of(source.table, row) for row in source.rows]
        records = [r for r in records if r.get("rest_message") == message.sys_id]
        names = Counter(_method_name(r) for r in records)
        methods = tuple(
            RestMethod(r, self.instance, _method_name(r) if names[_method_name(r)] == 1 else _both(r))
            for r in records
        )
        return methods, source.hidden

    def methods(self, *, allow_unseen: bool = False) -> list[RestMethod]:
        """The judged message's HTTP methods; CannotVerify when some are hidden (unless *allow_unseen*)."""
        methods, unseen = self._method_list
        if unseen and not allow_unseen:
            raise self._unseen_methods(unseen)
        return list(methods)

    def missing_methods(self, names: Iterable[str]) -> list[str]:
        """Those of *names* the judged message has no method for; CannotVerify when one is missing while
        methods are hidden by ACL (it may be among them)."""
        methods, unseen = self._method_list
        present = {m.function_name for m in methods}
        missing = [name for name in names if name not in present]
        if missing and unseen:
            raise self._unseen_methods(unseen)
        return missing

    def _unseen_methods(self, count: int) -> CannotVerify:
        return CannotVerify(
            f"{count} HTTP method(s) of {self.expect.rest_message} could not be seen: hidden from this login "
            "by ACL",
            visibility_fix("sys_rest_message_fn"),
        )

    def method_items(self) -> list[RestMethod | Unavailable] | Unavailable:
        """One item per HTTP method seen, plus one standing for those hidden by ACL."""
        try:
            methods, unseen = self._method_list
        except CannotVerify as exc:
            return Unavailable(str(exc), fix=exc.fix)
        items: list[RestMethod | Unavailable] = list(methods)
        if unseen:
            hidden = self._unseen_methods(unseen)
            items.append(Unavailable(str(hidden), label="unseen", fix=hidden.fix))
        return items or Unavailable(f"{self.expect.rest_message} has no HTTP methods", skip=True)

    # -- RESTProbe traffic ------------------------------------------------------------------------------------

    def probe_traffic(self) -> ProbeTraffic:
        """The judged methods' RESTProbe rows of the delivery window (24 h by default), and which went wrong.

        A row belongs to a method by its name and, when the method's MID Server can be read, its agent
        (``mid.server.<name>``), so a copy's calls through another MID Server are not blamed on the app.
        Without trouble in what was seen, hidden rows or methods mean it could not be verified.
        """
        methods = self.methods(allow_unseen=True)
        # method name → its agent (None: any agent)
        agents: dict[str, str | None] = {method.function_name: self.probe_agent(method) for method in methods}
        source = self._visible("probes")
        rows = [Probe(Record.of(source.table, row)) for row in source.rows]
        mine = [p for p in rows if p.name in agents and agents[p.name] in (None, p.record.get("agent"))]
        failed = [
            p
            for p in mine
            if p.record.get("queue") == "input" and (p.state == "error" or p.failure or p.http_failure)
        ]
        limit = self.expect.probe_stuck_after_minutes * 60
        stuck = [p for p in mine if self._waiting(p) > limit]
        if not failed and not stuck:
            if source.hidden:
                raise unreadable(source)
            if self._method_list[1]:
                raise self._unseen_methods(self._method_list[1])
        return ProbeTraffic(len(mine), failed, stuck)

    def probe_agent(self, method: RestMethod) -> str | None:
        """The ECC queue agent of *method*'s calls: ``mid.server.<name>``, "" when it names no MID Server (its
        calls leave no ECC rows), None when its MID Server cannot be read (take its rows through any agent)."""
        try:
            mid = method.mid
            return f"mid.server.{mid.name}" if mid else ""
        except CannotVerify:  # the record, or its name, cannot be read
            return None

    def _waiting(self, probe: Probe) -> float:
        """Seconds an output has waited in state ready (0 for anything else)."""
        if probe.record.get("queue") != "output" or probe.state != "ready":
            return 0.0
        created = parse_time(probe.record.get("sys_created_on"))
        return (self.taken_at - created).total_seconds() if created else 0.0


def _method_name(record: Record) -> str:
    return (record.get("function_name") if record.has("function_name") else "") or record.sys_id


def _both(record: Record) -> str:
    """The label of a method that shares its name with another: the sys_id keeps it unique and stable."""
    return f"{_method_name(record)} ({record.sys_id})"
