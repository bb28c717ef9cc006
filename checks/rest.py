"""Does every HTTP method of the REST message "Rundeck - API" route through a working MID Server?"""

from __future__ import annotations

from snow_preflight.judge import Evidence, RestMethod, Severity, View, check, parse_time

_METHOD_FORM = "System Web Services > Outbound > REST Message > {rest_message} > HTTP Methods > {item}"


@check(
    title="The REST message Rundeck - API exists in the app's scope",
    severity=Severity.CRITICAL,
    requires=("login_authenticated", "app_installed"),
    remediation=(
        "Open System Web Services > Outbound > REST Message and search for '{rest_message}'.",
        "If it is missing, repair or reinstall the PagerDuty Automation app (System Applications > "
        "All Available Applications > All): the REST message ships with it.",
        "If it exists in another scope, it is a copy: the app only calls the one in scope {scope}.",
    ),
)
def check_rest_message_present(view: View, evidence: Evidence) -> None:
    name, scope = view.expect.rest_message, view.expect.app_scope
    evidence.fact(rest_message=name, scope=scope)
    messages = view.rest_messages()
    evidence.record("Looked for", f"{name!r} in scope {scope}")
    for message in messages:
        url = view.link("sys_rest_message", str(message.get("sys_id", "")))
        evidence.record(
            "Found", f"{message.get('name')} (scope {message.get('sys_scope.scope') or '?'})", link=url
        )
        evidence.link(f"REST message {message.get('name')}", url)
    assert messages, f"No REST message named {name!r} exists."
    in_scope = [m for m in messages if m.get("sys_scope.scope") in (scope, None)]
    assert in_scope, f"The REST message {name!r} exists, but not in the app's scope {scope}."


@check(
    title="Every HTTP method of Rundeck - API routes through a MID Server that is up",
    severity=Severity.CRITICAL,
    each="method",
    requires=("rest_message_present",),
    why="Rundeck on a private network is reached only through the MID Server; a method without one "
    "calls Rundeck straight from the cloud and the webhook never arrives.",
    remediation=(
        _METHOD_FORM + " ({method_link}) > HTTP Request tab: set 'Use MID Server' to {expected_mid}, then "
        "Update.",
        "Do the same for every other HTTP method of {rest_message}: the MID Server is set per method.",
        "Use the Related Link 'Test' on the method to see the call go through the MID Server, then re-run "
        "the pre-flight.",
    ),
)
def check_rest_method_uses_mid(method: RestMethod, view: View, evidence: Evidence) -> None:
    expected = view.expect.expected_mid
    evidence.fact(
        rest_message=view.expect.rest_message,
        method_link=method.url,
        expected_mid=expected or "your MID Server",
    )
    evidence.link(f"HTTP method {method.function_name}", method.url)
    evidence.record("Method", f"{method.http_method} {method.function_name}", link=method.url)
    evidence.record("Endpoint", method.endpoint)
    evidence.record("Use MID Server", method.mid_name or method.mid_sys_id or "(empty)")
    assert method.mid_sys_id, (
        f"HTTP method {method.function_name!r} calls Rundeck directly, not through a MID Server."
    )
    try:
        mid = view.mid(sys_id=method.mid_sys_id)
    except KeyError:
        raise AssertionError(
            f"HTTP method {method.function_name!r} names a MID Server record that does not exist "
            f"({method.mid_sys_id})."
        ) from None
    evidence.record("MID Server status", f"{mid.status}, validated={mid.validated}", link=mid.url)
    assert mid.status == "Up", (
        f"HTTP method {method.function_name!r} uses MID Server {mid.name!r}, which is {mid.status}."
    )
    assert mid.validated == "true", (
        f"HTTP method {method.function_name!r} uses MID Server {mid.name!r}, which is not validated."
    )
    assert not expected or mid.name == expected, (
        f"HTTP method {method.function_name!r} uses MID Server {mid.name!r}, not the expected {expected!r}."
    )


@check(
    title="All HTTP methods of Rundeck - API use the same MID Server",
    severity=Severity.LOW,
    requires=("rest_message_present",),
    remediation=(
        "Open each HTTP method of {rest_message} (System Web Services > Outbound > REST Message > "
        "{rest_message} > HTTP Methods) and set the same 'Use MID Server' on the HTTP Request tab.",
    ),
)
def check_rest_methods_share_mid(view: View, evidence: Evidence) -> None:
    evidence.fact(rest_message=view.expect.rest_message)
    used: dict[str, list[str]] = {}
    for method in view.methods():
        used.setdefault(method.mid_name or method.mid_sys_id or "(none)", []).append(method.function_name)
    for mid, names in sorted(used.items()):
        evidence.record(f"MID {mid}", ", ".join(sorted(names)))
    assert len(used) <= 1, (
        f"The HTTP methods use {len(used)} different MID Server settings: {', '.join(sorted(used))}."
    )


@check(
    title="The documented HTTP methods of Rundeck - API are all present",
    severity=Severity.LOW,
    requires=("rest_message_present",),
    remediation=(
        "Compare System Web Services > Outbound > REST Message > {rest_message} > HTTP Methods with the "
        "documented list ({documented}); a missing method usually means the app needs a repair or update.",
    ),
)
def check_rest_documented_methods_present(view: View, evidence: Evidence) -> None:
    documented = view.expect.documented_methods
    evidence.fact(rest_message=view.expect.rest_message, documented=", ".join(documented))
    present = {m.function_name for m in view.methods()}
    evidence.record("Present", ", ".join(sorted(present)) or "(none)")
    missing = [name for name in documented if name not in present]
    evidence.record("Missing", ", ".join(missing) or "(none)")
    assert not missing, f"Documented HTTP method(s) missing: {', '.join(missing)}."


@check(
    title="Recent RESTProbe calls through the MID Servers succeeded and were answered",
    severity=Severity.MEDIUM,
    requires=("rest_message_present",),
    why="Failed or unanswered RESTProbe rows in the ECC queue are webhooks that never reached Rundeck.",
    remediation=(
        "Open MID Server > ECC Queue filtered on Topic = RESTProbe: {probe_link}",
        "For inputs in state error, read Error string: a proxy, DNS or certificate problem on the MID host "
        "is the usual cause (set MID Server properties glide.http.proxy_* if Rundeck is behind a proxy).",
        "Outputs stuck in 'ready' mean the MID Server is not picking up work: check it is Up and validated.",
    ),
)
def check_rest_probe_traffic_healthy(view: View, evidence: Evidence) -> None:
    evidence.fact(probe_link=view.list_link("ecc_queue", "topic=RESTProbe^ORDERBYDESCsys_created_on"))
    names = {m.function_name for m in view.methods()}
    mids = view.mids()
    agents = {f"mid.server.{mids[m.mid_sys_id].name}" for m in view.methods() if m.mid_sys_id in mids}
    rows = [r for r in view.readable("probes").rows if r.get("agent") in agents or r.get("name") in names]
    stale_after = view.expect.probe_stuck_after_minutes * 60
    failed = [
        r for r in rows if r.get("queue") == "input" and (r.get("state") == "error" or r.get("error_string"))
    ]
    stuck = []
    for row in rows:
        created = parse_time(str(row.get("sys_created_on", "")))
        waiting = row.get("queue") == "output" and row.get("state") == "ready" and created is not None
        if (
            waiting
            and created is not None
            and (view.snapshot.taken_at - created).total_seconds() > stale_after
        ):
            stuck.append(row)
    evidence.record("RESTProbe rows (24 h)", str(len(rows)))
    evidence.record("Failed inputs", str(len(failed)))
    evidence.record("Unanswered outputs", str(len(stuck)))
    for row in (failed + stuck)[:5]:
        evidence.record(
            f"{row.get('name')} ({row.get('state')})", row.get("error_string") or row.get("sys_created_on")
        )
    troubled = len(failed) + len(stuck)
    assert troubled == 0, (
        f"{len(failed)} RESTProbe call(s) failed and {len(stuck)} sit unanswered in the ECC queue in the last 24 h."
    )
