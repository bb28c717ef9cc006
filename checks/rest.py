"""Does every HTTP method of the app's REST message "Rundeck - API" route through a working MID Server?

Only the app's own message is judged (the one in its scope); copies in other scopes are listed as evidence.
"""

from __future__ import annotations

from snow_preflight.judge import Evidence, RestMethod, Severity, View, check

_METHOD_FORM = "System Web Services > Outbound > REST Message > {rest_message} > HTTP Methods > {method}"


@check(
    title="The REST message Rundeck - API exists in the app's scope",
    severity=Severity.CRITICAL,
    requires=("login_authenticated", "app_installed"),
    passes="`{rest_message}` exists in scope {scope}{copies}",
    remediation={
        "*": ("Open System Web Services > Outbound > REST Message and search for '{rest_message}'.",),
        "missing": (
            "Repair or reinstall the PagerDuty Automation app (System Applications > All Available "
            "Applications > All): the REST message ships with it.",
        ),
        "wrong_scope": (
            "The one found is a copy in another scope; the app only calls the one in scope {scope}: repair or "
            "reinstall the app (System Applications > All Available Applications > All) to restore it.",
        ),
    },
)
def check_rest_message_present(view: View, evidence: Evidence) -> None:
    name, scope = view.expect.rest_message, view.expect.app_scope
    evidence.fact(rest_message=name, scope=scope, copies="")
    message = view.rest_message()
    copies = view.rest_message_copies()
    evidence.record("Looked for", f"{name!r} in scope {scope}")
    if message is not None:
        evidence.record("Judged", f"{message.name} (scope {message.scope})", link=message.url)
        evidence.link(f"REST message {message.name} ({message.scope})", message.url)
    for copy in copies:
        evidence.record("Copy, not judged", f"{copy.name} (scope {copy.scope})", link=copy.url)
    if copies:
        evidence.fact(copies=f"; {len(copies)} copy(ies) in other scopes listed, not judged")
    if message is None or message.scope != scope:
        evidence.fails("wrong_scope" if copies else "missing")
    assert message is not None or copies, f"No REST message named {name!r} exists."
    assert message is not None, f"The REST message {name!r} exists, but not in the app's scope {scope}."
    assert message.scope == scope, (
        f"The REST message {name!r} exists only in the legacy app's scope {message.scope}, not in {scope}."
    )


@check(
    title="Every HTTP method of Rundeck - API routes through a MID Server that is Up and validated "
    "(the expected one, when named)",
    severity=Severity.CRITICAL,
    each="method",
    requires=("rest_message_present",),
    why="Rundeck on a private network is reached only through the MID Server; a method without one "
    "calls Rundeck straight from the cloud and the webhook never arrives.",
    passes="`{method}` routes through `{mid}` (Up, validated)",
    remediation={
        "no_mid": (
            _METHOD_FORM
            + " ({method_link}) > HTTP Request tab: set 'Use MID Server' to {expected_mid}, then "
            "Update.",
            "Do the same for every other HTTP method of {rest_message}: the MID Server is set per method.",
            "Use the Related Link 'Test' on the method to see the call go through the MID Server, then re-run "
            "the pre-flight.",
        ),
        "mid_down": (
            "{mid} is not Up: start it (see mid_server_up[{mid}]), or set 'Use MID Server' to one that is Up: "
            + _METHOD_FORM
            + " ({method_link}) > HTTP Request tab.",
        ),
        "mid_not_validated": (
            "{mid} is not validated: MID Server > Servers > {mid} > Related Links > Validate (needs "
            "agent_admin or admin).",
        ),
        "not_expected": (
            _METHOD_FORM
            + " ({method_link}) > HTTP Request tab: set 'Use MID Server' to {expected_mid}, then "
            "Update.",
        ),
    },
)
def check_rest_method_uses_mid(method: RestMethod, view: View, evidence: Evidence) -> None:
    expected = view.expect.expected_mid
    evidence.fact(
        rest_message=view.expect.rest_message,
        method=method.label,
        method_link=method.url,
        expected_mid=expected or "your MID Server",
    )
    evidence.link(f"HTTP method {method.label}", method.url)
    evidence.record("Method", method.label, link=method.url)
    evidence.record("HTTP verb", method.record.shown("http_method"))
    evidence.record("Endpoint", method.record.shown("rest_endpoint"))
    mid = method.mid  # could-not-verify when use_mid_server is withheld or its record cannot be seen
    evidence.record("Use MID Server", mid.label if mid else "(empty)", link=mid.url if mid else None)
    if mid is None:
        evidence.fails("no_mid")
        raise AssertionError(
            f"HTTP method {method.label!r} calls Rundeck directly, not through a MID Server."
        )
    evidence.fact(mid=mid.label)
    evidence.record("MID Server status", f"{mid.status or '(empty)'}, validated={mid.validated or '(empty)'}")
    if mid.status != "Up":
        evidence.fails("mid_down")
        raise AssertionError(
            f"HTTP method {method.label!r} uses MID Server {mid.label!r}, which is {mid.status or 'not Up'}."
        )
    if mid.validated != "true":
        evidence.fails("mid_not_validated")
        raise AssertionError(
            f"HTTP method {method.label!r} uses MID Server {mid.label!r}, which is not validated."
        )
    if expected and mid.name != expected:
        evidence.fails("not_expected")
        raise AssertionError(
            f"HTTP method {method.label!r} uses MID Server {mid.label!r}, not the expected {expected!r}."
        )


@check(
    title="All HTTP methods of Rundeck - API use the same MID Server",
    severity=Severity.LOW,
    requires=("rest_message_present",),
    passes="All {count} HTTP methods of {rest_message} use `{mid}`",
    remediation=(
        "Open each HTTP method of {rest_message} (System Web Services > Outbound > REST Message > "
        "{rest_message} > HTTP Methods) and set the same 'Use MID Server' on the HTTP Request tab.",
    ),
)
def check_rest_methods_share_mid(view: View, evidence: Evidence) -> None:
    methods = view.methods()  # could-not-verify when some methods are hidden: they might differ
    used: dict[str, list[str]] = {}
    for method in methods:
        used.setdefault(method.mid_label or "(none)", []).append(method.label)
    evidence.fact(rest_message=view.expect.rest_message, count=len(methods), mid=next(iter(used), "(none)"))
    for mid, names in sorted(used.items()):
        evidence.record(f"MID {mid}", ", ".join(sorted(names)))
    assert len(used) <= 1, (
        f"The HTTP methods use {len(used)} different MID Server settings: {', '.join(sorted(used))}."
    )


@check(
    title="The documented HTTP methods of Rundeck - API are all present",
    severity=Severity.LOW,
    requires=("rest_message_present",),
    passes="{documented} are all present in {rest_message}",
    remediation=(
        "Compare System Web Services > Outbound > REST Message > {rest_message} > HTTP Methods with the "
        "documented list ({documented}); a missing method usually means the app needs a repair or update.",
    ),
)
def check_rest_documented_methods_present(view: View, evidence: Evidence) -> None:
    documented = view.expect.documented_methods
    evidence.fact(rest_message=view.expect.rest_message, documented=", ".join(documented))
    present = sorted(m.label for m in view.methods(allow_unseen=True))
    evidence.record("Present", ", ".join(present) or "(none)")
    missing = view.missing_methods(documented)  # could-not-verify when one is missing and methods are hidden
    evidence.record("Missing", ", ".join(missing) or "(none)")
    assert not missing, f"Documented HTTP method(s) missing: {', '.join(missing)}."


@check(
    title="Recent RESTProbe calls of Rundeck - API's HTTP methods succeeded and were answered",
    severity=Severity.MEDIUM,
    requires=("rest_message_present",),
    why="Failed or unanswered RESTProbe rows in the ECC queue are webhooks that never reached Rundeck.",
    passes="{probe_count} RESTProbe row(s) of the last {window} h: none failed, none unanswered",
    remediation={
        "*": ("Open MID Server > ECC Queue filtered on Topic = RESTProbe: {probe_link}",),
        "failed": (
            "For inputs in state error, read Error string: a proxy, DNS or certificate problem on the MID host "
            "is the usual cause (set MID Server properties glide.http.proxy_* if Rundeck is behind a proxy).",
        ),
        "stuck": (
            "Outputs stuck in 'ready' mean the MID Server is not picking up work: check it is Up and validated.",
        ),
    },
)
def check_rest_probe_traffic_healthy(view: View, evidence: Evidence) -> None:
    evidence.fact(probe_link=view.list_link("ecc_queue", "topic=RESTProbe^ORDERBYDESCsys_created_on"))
    traffic = view.probe_traffic()  # could-not-verify when the ECC queue cannot be read
    evidence.fact(probe_count=traffic.rows, window=view.window_hours)
    evidence.record(f"RESTProbe rows ({view.window_hours} h)", str(traffic.rows))
    evidence.record("Failed inputs", str(len(traffic.failed)))
    evidence.record("Unanswered outputs", str(len(traffic.stuck)))
    for probe in (traffic.failed + traffic.stuck)[:5]:
        evidence.record(f"{probe.name} ({probe.state})", probe.detail)
    if traffic.failed:
        evidence.fails("failed")
    if traffic.stuck:
        evidence.fails("stuck")
    troubled = len(traffic.failed) + len(traffic.stuck)
    assert troubled == 0, (
        f"{len(traffic.failed)} RESTProbe call(s) failed and {len(traffic.stuck)} sit unanswered in the ECC "
        f"queue in the last {view.window_hours} h."
    )
