"""Configured is not delivered: did each HTTP method's last call through the MID Server reach Rundeck?

The ECC queue holds every call a MID Server made for the app and the HTTP status Rundeck answered: the
read-only proof that webhooks arrive. A method with no call in the window is skipped, so a quiet instance
stays GO; medium, so a login that may not read the ECC queue does not turn a healthy instance NO-GO.
"""

from __future__ import annotations

from snow_preflight.judge import Delivery, Evidence, Severity, View, check

_MID_LOG = "agent/logs/agent0.log.0 on the MID Server's host"


@check(
    title="Each HTTP method of Rundeck - API last reached Rundeck through its MID Server (ECC queue)",
    severity=Severity.MEDIUM,
    each="delivery",
    requires=("rest_message_present",),
    why="A method can be configured right and still fail: the ECC queue shows whether its last call through "
    "the MID Server got an answer from Rundeck, and which.",
    passes="`{method}` reached Rundeck {ago} ago through `{mid}`: HTTP {status} in {round_trip}",
    remediation={
        "*": (
            "Open the method's calls in MID Server > ECC Queue (Topic = RESTProbe, Name = {method}): {ecc_link}",
        ),
        "connect": (
            "From the MID Server's host, check that Rundeck's host and port answer (firewall, routing, "
            f"Rundeck running); {_MID_LOG} shows each attempt.",
        ),
        "dns": (
            "On the MID Server's host, check that Rundeck's host name resolves (nslookup); fix DNS, or give "
            "the app a name the MID host resolves (PagerDuty Automation > Configure Rundeck Connection).",
        ),
        "proxy": (
            "If Rundeck is reached through a proxy, set the MID Server properties glide.http.proxy_host and "
            "glide.http.proxy_port (MID Server > Properties, KB0726269); otherwise ask the proxy's owners "
            "why it refused the call.",
        ),
        "certificate": (
            "Make the MID Server trust Rundeck's certificate: import the CA that issued it into the MID "
            "Server's trust store (an external trust store survives the MID's JRE upgrades), or review MID "
            "Server > MID Server Certificate Check Policies for Rundeck's host.",
        ),
        "token": (
            "In PagerDuty Automation > Configure Rundeck Connection, set a valid Rundeck API token (Rundeck: "
            "User Profile > User API Tokens); its ACL needs read on the project and read,post on webhooks.",
        ),
        "webhook_gone": (
            "In Rundeck, check that the webhook is enabled (the project's Webhooks page).",
            "Then run the app's scheduled script 'Populate Webhooks' (it ships inactive: System Definition > "
            "Scheduled Jobs > Populate Webhooks > Execute Now) to fetch the webhooks' current tokens.",
        ),
        "not_found": (
            "Check the project and the API version (34 or later) in PagerDuty Automation > Configure Rundeck "
            "Connection: Rundeck has no such path.",
        ),
        "http": (
            "Read Rundeck's answer in the ECC queue's input row and Rundeck's service.log for why it refused "
            "the call.",
        ),
        "mid_error": (f"Read the error on the ECC queue's input row and in {_MID_LOG}.",),
        "unanswered": (
            "The MID Server never picked the call up: check that it is Up and validated (mid_server_up) and "
            "that the method's 'Use MID Server' names it (rest_method_uses_mid).",
        ),
        "processing": (
            f"The MID Server took the call but never answered: read {_MID_LOG}; restarting the MID Server "
            "service clears a hung worker.",
        ),
    },
)
def check_rest_method_delivered(delivery: Delivery, view: View, evidence: Evidence) -> None:
    method, call = delivery.method, delivery.call
    name = method.function_name
    evidence.fact(
        method=method.label,
        mid=call.mid,
        ecc_link=view.list_link("ecc_queue", f"topic=RESTProbe^name={name}^ORDERBYDESCsys_created_on"),
    )
    evidence.link(f"Last call of {method.label} (ECC queue output)", call.url)
    evidence.record("Method", method.label, link=method.url)
    flying = f" ({delivery.in_flight} still in flight)" if delivery.in_flight else ""
    evidence.record(f"Calls in the last {view.window_hours} h", f"{delivery.calls}{flying}")
    evidence.record("Last finished call", delivery.when, link=call.url)
    evidence.record("Through MID Server", call.mid)
    evidence.record("Endpoint", call.endpoint)
    evidence.record("Last manual Test (Test Runs)", view.last_test_run(method))
    if call.answer_url:
        evidence.link("Its answer (ECC queue input)", call.answer_url)
    result = delivery.result()  # could-not-verify when the answer cannot be found or its status read
    evidence.record(
        "HTTP status", str(result.status) if result.status is not None else "(none: no HTTP answer)"
    )
    if result.round_trip:
        evidence.record("Round trip", result.round_trip)
    if result.cause is not None:
        evidence.fails(result.cause.condition)
        raise AssertionError(
            f"The last call of `{method.label}`, {delivery.ago} ago through `{call.mid}`, failed: {result.cause.words}."
        )
    evidence.fact(ago=delivery.ago, status=result.status, round_trip=result.round_trip)
