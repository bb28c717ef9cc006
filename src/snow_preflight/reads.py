"""The plan of reads: which tables one run reads, with which query and which fields.

Every read is one Table API request (paged only past its page size), and they all go out in one wave
(:func:`snow_preflight.wave.collect`). The number of reads is fixed by :func:`plan`: it does not grow
with the number of HTTP methods, MID Servers or role rows, because items are found with dot-walked fields and
``IN`` queries, never one request per item. Site checks add their own reads (``@check(reads=...)``), which
may not take a built-in read's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from snow_preflight.settings import Settings

#: Names of the built-in reads (see :func:`plan`): a site check's read may not take one of them.
BUILTIN_READS = frozenset(
    {
        "login",
        "apps",
        "login_roles",
        "rest_message",
        "rest_methods",
        "test_runs",
        "mid_issues",
        "properties",
        "probes",
        "expected_mid",
        "integration_user",
        "integration_roles",
    }
)


@dataclass(frozen=True)
class Read:
    """One planned read."""

    name: str
    table: str
    query: str
    fields: tuple[str, ...]
    max_rows: int | None = None
    page_size: int = 10000


MID_FIELDS = ("sys_id", "name", "status", "validated", "last_refreshed", "version", "host_name")
#: The MID Server fields the checks need, read as dot-walks on each HTTP method row, so the requests do not
#: grow with the number of MID Servers on the instance (only the ones the methods name are read).
METHOD_FIELDS = (
    "sys_id",
    "function_name",
    "http_method",
    "rest_endpoint",
    "rest_message",
    "use_mid_server",
    *(f"use_mid_server.{name}" for name in MID_FIELDS if name != "sys_id"),
)
ROLE_FIELDS = (
    "sys_id",
    "role",
    "role.name",
    "inherited",
    "granted_by",
    "granted_by.name",
    "included_in_role",
    "included_in_role.role.name",
    "state",
    "inh_count",
)
USER_FIELDS = (
    "sys_id",
    "user_name",
    "name",
    "active",
    "locked_out",
    "web_service_access_only",
    "internal_integration_user",
    "last_login_time",
)
#: Open MID Server issues read at most; past it, a MID Server with none among them is could-not-verify.
MAX_ISSUES = 2000
#: RESTProbe rows read at most, newest first: with their payloads (a few KB each, the answer's body
#: included) this bounds the one read to a few MB. Each method's newest call is among them unless the
#: window holds more traffic than this; then a method without a call among them is could-not-verify.
#: Test runs read at the most (newest first): each method's latest is among them unless one method was
#: tested this many times since another's last test.
MAX_TEST_RUNS = 200
MAX_PROBES = 500
PROBE_FIELDS = (
    "sys_id",
    "agent",
    "name",
    "source",  # the endpoint called: for a webhook it holds the webhook's token (redacted on output)
    "queue",
    "state",
    "error_string",
    "response_to",
    "payload",  # an answer's HTTP status (and headers, in clear: redacted on output)
    "sys_created_on",
)


def plan(settings: Settings) -> list[Read]:
    """The fixed list of reads for *settings*. Order is the order in the snapshot, not of execution.

    Its length depends only on the settings (``--expected-mid``, ``--integration-user``), never on the
    instance: the same for 3 MID Servers as for 12,000.
    """
    expect = settings.expect
    roles = ",".join(dict.fromkeys([*expect.required_roles, "admin"]))
    message = f"rest_message.name={expect.rest_message}"
    reads = [
        Read("login", "sys_user", "sys_id=javascript:gs.getUserID()", USER_FIELDS),
        Read(
            "apps",
            "sys_scope",
            f"scopeIN{expect.app_scope},{expect.legacy_scope}",
            ("sys_id", "name", "scope", "version", "active", "sys_class_name", "vendor"),
        ),
        Read(
            "login_roles",
            "sys_user_has_role",
            f"user=javascript:gs.getUserID()^role.nameIN{roles}",
            ROLE_FIELDS,
        ),
        # Every message of that name, copies in other scopes included: they are listed as evidence.
        Read(
            "rest_message",
            "sys_rest_message",
            f"name={expect.rest_message}",
            ("sys_id", "name", "sys_scope", "sys_scope.scope", "rest_endpoint"),
        ),
        # The methods of the app's own message and of the legacy app's (judged only when the new app is
        # absent), in one read. Rows hidden by ACL cannot be told apart by message, so they count against
        # whichever is judged: could-not-verify, never a guess.
        Read(
            "rest_methods",
            "sys_rest_message_fn",
            f"{message}^rest_message.sys_scope.scopeIN{expect.app_scope},{expect.legacy_scope}",
            METHOD_FIELDS,
        ),
        # The "Test Runs" of those methods (the Test related link), newest first: evidence beside each
        # method's delivery. Not the endpoint or response: they hold the webhook token and Rundeck's answer.
        Read(
            "test_runs",
            "sys_rest_message_fn_test",
            f"rest_message_function.{message}^ORDERBYDESCsys_created_on",
            ("sys_id", "rest_message_function", "http_status", "sys_created_on", "sys_created_by"),
            max_rows=MAX_TEST_RUNS,
            page_size=MAX_TEST_RUNS,
        ),
        Read(
            "mid_issues",
            "ecc_agent_issue",
            "state!=resolved",
            ("sys_id", "mid_server", "source", "message", "state", "last_detected", "count"),
            max_rows=MAX_ISSUES,
            page_size=MAX_ISSUES,
        ),
        Read("properties", "sys_properties", "name=mid.buildstamp", ("sys_id", "name", "value")),
        # Every RESTProbe call and answer of the delivery window, one read for all methods.
        Read(
            "probes",
            "ecc_queue",
            f"topic=RESTProbe^sys_created_on>javascript:gs.hoursAgoStart({expect.delivery_window_hours})"
            "^ORDERBYDESCsys_created_on",
            PROBE_FIELDS,
            max_rows=MAX_PROBES,
            page_size=MAX_PROBES,
        ),
    ]
    if expect.expected_mid:
        reads.append(Read("expected_mid", "ecc_agent", f"name={expect.expected_mid}", MID_FIELDS))
    if expect.integration_user:
        reads += [
            Read("integration_user", "sys_user", f"user_name={expect.integration_user}", USER_FIELDS),
            Read(
                "integration_roles",
                "sys_user_has_role",
                f"user.user_name={expect.integration_user}^role.nameIN{roles}",
                ROLE_FIELDS,
            ),
        ]
    return reads
