"""Configured is not delivered: each HTTP method's most recent call through its MID Server, from the ECC queue.

A call through a MID Server leaves an output row (``topic=RESTProbe``, ``name=<function name>``, ``agent=
mid.server.<MID>``) and, once the MID Server has made it, an input row (``response_to`` = the output) whose
payload holds the HTTP status Rundeck answered (servicenow-facts §2.8, research §5). All of them come from
the one ``probes`` read of the wave: no request per method or per row.

For each method the latest *settled* call in the delivery window is judged: answered, or unanswered past
``--probe-stuck-after``. A call still within that limit is in flight and only counted. A method with no call
in the window is skipped, saying so: a quiet instance is not a broken one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from snow_preflight.errors import CannotVerify
from snow_preflight.judge.base import truncated, unreadable
from snow_preflight.judge.payloads import Answer, Cause, cause_of, one_line, read_payload
from snow_preflight.judge.records import Record, RestMethod, Unavailable, form_link, parse_time
from snow_preflight.judge.test_runs import TestRunViews
from snow_preflight.judge.visibility import visibility_fix

_AGENT = "mid.server."


def ago(seconds: float) -> str:
    """A duration in words: "under 1 min", "15 min", "2 h 5 min", "3 d"."""
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "under 1 min"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes // (24 * 60)} d"


@dataclass(frozen=True)
class Call:
    """One RESTProbe call: the output row the instance wrote, and the MID Server's answer (None: none yet)."""

    output: Record
    answer: Record | None
    instance: str

    @property
    def sent(self) -> datetime | None:
        return parse_time(self.output.get("sys_created_on"))

    @property
    def mid(self) -> str:
        """The MID Server that made (or should make) the call, from the output's agent."""
        agent = self.output.get("agent")
        return agent.removeprefix(_AGENT) if agent.startswith(_AGENT) else agent or "(no agent)"

    @property
    def endpoint(self) -> str:
        """Where the call went, with the webhook token of its path removed (it is a secret)."""
        if not self.output.has("source"):
            return "(not readable by this login)"
        return one_line(self.output.get("source")) or "(empty)"

    @property
    def url(self) -> str:
        return form_link(self.instance, "ecc_queue", self.output.sys_id)

    @property
    def answer_url(self) -> str | None:
        return form_link(self.instance, "ecc_queue", self.answer.sys_id) if self.answer else None

    def waiting(self, now: datetime) -> float:
        """Seconds since the call was sent (0 when its time cannot be read)."""
        sent = self.sent
        return (now - sent).total_seconds() if sent else 0.0

    def in_flight(self, now: datetime, limit_s: float) -> bool:
        """Not answered yet, but still within the time a MID Server may take."""
        return (
            self.answer is None
            and self.output.get("state") in ("ready", "processing")
            and self.waiting(now) <= limit_s
        )


@dataclass(frozen=True)
class Result:
    """What the judged call came to."""

    status: int | None  # the HTTP status Rundeck answered, when one was recorded
    cause: Cause | None  # why it failed; None: Rundeck answered 2xx
    round_trip: str  # "212 ms", "about 3 s (between the ECC queue rows)", "" when unanswered


@dataclass(frozen=True)
class Delivery:
    """One item of ``rest_method_delivered``: a method, its latest settled call, and what else was seen."""

    method: RestMethod
    call: Call
    calls: int  # calls of the method in the window
    in_flight: int  # of which still within the time a MID Server may take
    hidden: int  # RESTProbe rows hidden from this login by ACL (a later call may be among them)
    taken_at: datetime
    limit_min: float

    def __str__(self) -> str:
        return self.method.label

    def result(self) -> Result:
        """The judged call's result; CannotVerify when its answer cannot be found or its status read."""
        call = self.call
        if call.answer is None:
            return Result(None, self._unanswered(), "")
        answer = call.answer
        parsed = read_payload(answer.get("payload"))
        error = one_line(answer.get("error_string")) or parsed.error
        status = parsed.status
        ok = status is not None and 200 <= status < 300
        if answer.get("state") == "error" or error or (status is not None and not ok):
            webhook = "/webhook/" in (call.output.get("source") if call.output.has("source") else "")
            return Result(status, cause_of(error, status, webhook=webhook), self._round_trip(parsed))
        if status is None:
            raise CannotVerify(
                f"could not read the status of the answer to `{self}`'s call of {self.when}: {parsed.unreadable}",
                (
                    f"Open the answer in MID Server > ECC Queue ({call.answer_url}) and read the HTTP status "
                    "in its payload (or in its attachment 'payload'); then re-run the pre-flight.",
                ),
            )
        if self.hidden:
            raise CannotVerify(
                f"the last call of `{self}` seen reached Rundeck, but {self.hidden} RESTProbe row(s) are hidden "
                "from this login by ACL: a later call may be among them",
                visibility_fix("ecc_queue"),
            )
        return Result(status, None, self._round_trip(parsed))

    @property
    def ago(self) -> str:
        """How long ago the judged call was sent: "15 min"."""
        return ago(self.call.waiting(self.taken_at))

    @property
    def when(self) -> str:
        """When the judged call was sent: ``2024-03-04 09:15:00 UTC (15 min ago)``."""
        sent = self.call.sent
        if sent is None:
            return f"an unreadable time ({self.call.output.get('sys_created_on')!r})"
        return f"{sent:%Y-%m-%d %H:%M:%S} UTC ({self.ago} ago)"

    def _unanswered(self) -> Cause:
        output = self.call.output
        state = output.get("state")
        waited = ago(self.call.waiting(self.taken_at))
        error = one_line(output.get("error_string"))
        if state == "ready":
            return Cause(
                "unanswered",
                f"the MID Server never picked the call up: it has waited {waited} in state ready "
                f"(limit {self.limit_min:g} min)",
            )
        if state == "processing":
            return Cause(
                "processing",
                f"the MID Server took the call but has not answered after {waited} "
                f"(limit {self.limit_min:g} min)",
            )
        if state == "error" or error:
            return cause_of(error, None, webhook=False)
        raise CannotVerify(
            f"the answer to `{self}`'s call of {self.when} (output state {state or 'empty'}) is not among the "
            "RESTProbe rows read: hidden from this login by ACL, or deleted",
            visibility_fix("ecc_queue"),
        )

    def _round_trip(self, parsed: Answer) -> str:
        if parsed.round_trip_ms is not None:
            return f"{parsed.round_trip_ms:.0f} ms"
        answer = self.call.answer
        sent = self.call.sent
        came = parse_time(answer.get("sys_created_on")) if answer is not None else None
        if sent is None or came is None:
            return "unknown (the ECC queue rows' times cannot be read)"
        seconds = (came - sent).total_seconds()
        if seconds < 1:
            return "under 1 s (between the ECC queue rows)"
        return f"about {seconds:.0f} s (between the ECC queue rows)"


class DeliveryViews(TestRunViews):
    """The items of ``rest_method_delivered``: one per HTTP method of the judged message."""

    @property
    def window_hours(self) -> int:
        return self.expect.delivery_window_hours

    def delivery_items(self) -> list[Delivery | Unavailable] | Unavailable:
        """One item per method; a method without traffic in the window is a skipped item of its own."""
        try:
            methods, unseen = self._method_list
            calls = self._calls()
        except CannotVerify as exc:
            return Unavailable(str(exc), fix=exc.fix)
        items: list[Delivery | Unavailable] = []
        for method in methods:
            try:
                items.append(self._delivery(method, calls))
            except CannotVerify as exc:
                items.append(Unavailable(str(exc), label=method.label, fix=exc.fix))
        if unseen:
            hidden = self._unseen_methods(unseen)
            items.append(Unavailable(str(hidden), label="unseen", fix=hidden.fix))
        return items or Unavailable(f"{self.expect.rest_message} has no HTTP methods", skip=True)

    def _calls(self) -> list[Call]:
        """Every RESTProbe call read, newest first, each with its answer when one was read."""
        source = self._visible("probes")
        records = [Record.of(source.table, row) for row in source.rows]
        answers: dict[str, Record] = {}
        for record in records:
            if record.get("queue") == "input" and record.get("response_to"):
                answers.setdefault(record.get("response_to"), record)  # newest first: keep the first
        outputs = [r for r in records if r.get("queue") == "output"]
        return [Call(r, answers.get(r.sys_id), self.instance) for r in outputs]

    def _delivery(self, method: RestMethod, calls: list[Call]) -> Delivery | Unavailable:
        label, window = method.label, self.window_hours
        agent = self.probe_agent(method)
        if agent == "":
            return Unavailable(
                f"`{label}` calls Rundeck directly, not through a MID Server: its calls leave no ECC queue rows "
                f"to judge (see rest_method_uses_mid[{label}])",
                skip=True,
                label=label,
            )
        name = method.function_name
        mine = [c for c in calls if c.output.get("name") == name and agent in (None, c.output.get("agent"))]
        limit_min = self.expect.probe_stuck_after_minutes
        settled = [c for c in mine if not c.in_flight(self.taken_at, limit_min * 60)]
        source = self._source("probes")
        if not settled:
            if source.hidden:
                raise unreadable(source)
            if truncated(source):
                raise CannotVerify(
                    f"the newest {len(source.rows)} of the instance's {source.total} RESTProbe rows of the last "
                    f"{window} h hold no finished call of `{label}`; older rows were not read",
                    (
                        f"Open MID Server > ECC Queue filtered on Topic = RESTProbe and Name = {name}: "
                        f"{self.list_link('ecc_queue', f'topic=RESTProbe^name={name}^ORDERBYDESCsys_created_on')}",
                        "Or re-run with a shorter --delivery-window, so the newest rows read cover it.",
                    ),
                )
            if mine:
                return Unavailable(
                    f"`{label}`'s {len(mine)} call(s) of the last {window} h are still in flight (under "
                    f"{limit_min:g} min old): nothing finished to judge yet",
                    skip=True,
                    label=label,
                )
            return Unavailable(
                f"no call of `{label}` went through a MID Server in the last {window} h: nothing to judge "
                "(the app calls it only when something in ServiceNow triggers it); its last manual Test: "
                f"{self.last_test_run(method)}",
                skip=True,
                label=label,
            )
        return Delivery(
            method=method,
            call=settled[0],
            calls=len(mine),
            in_flight=len(mine) - len(settled),
            hidden=source.hidden,
            taken_at=self.taken_at,
            limit_min=limit_min,
        )
