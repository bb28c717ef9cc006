"""Is each MID Server the REST methods use Up, validated, heartbeating, of the instance's release, and free of
open issues? Each condition a least-privilege login may not read has its own result and severity."""

from __future__ import annotations

from snow_preflight.judge import Evidence, MidRef, MidServer, Severity, View, check

_OPEN = "Open MID Server > Servers > {mid}: {mid_link}"


def _server(mid: MidRef, view: View, evidence: Evidence) -> MidServer:
    """The item's MID Server record, with its link recorded; failed when no record of that name exists."""
    evidence.fact(mid=mid.label, mid_link=view.list_link("ecc_agent", f"name={mid.label}"))
    if mid.server is None:
        evidence.record("MID Server", f"{mid.label}: no such record")
        evidence.fails("missing")
        raise AssertionError(f"No MID Server record {mid.label!r} exists on the instance.")
    server = mid.server
    evidence.fact(mid_link=server.url)
    evidence.link("MID Server record", server.url)
    evidence.record("Name", server.label, link=server.url)
    return server


_MISSING = (
    "Install a MID Server named {mid} (MID Server > Downloads), or pass the name of the one you use with "
    "--expected-mid.",
)


@check(
    title="Each MID Server the REST methods use is Up, validated and heartbeating within the limit",
    severity=Severity.CRITICAL,
    each="mid",
    why=(
        "An HTTP method that names a specific MID Server uses only that one: if it is down or not validated, "
        "webhook calls sit in the ECC queue and time out, with no failover."
    ),
    passes="`{mid}` is Up and validated; last heartbeat {age} min ago (limit {limit} min)",
    remediation={
        "*": (_OPEN,),
        "missing": _MISSING,
        "status": (
            "Status is not Up: on the MID host, start the service (Windows: the 'ServiceNow MID Server_{mid}' "
            "service; Linux: ./start.sh in the agent directory) and check agent/logs/agent0.log.0.",
        ),
        "validated": ("Validated is not Yes: use the Related Link 'Validate' (needs agent_admin or admin).",),
        "heartbeat": (
            "The heartbeat is stale: check that the MID host can reach the instance over HTTPS (proxy, "
            "firewall, DNS) and read agent/logs/agent0.log.0; the 'MID Server Monitor' job marks a silent MID "
            "Server Down within about 10 minutes.",
        ),
    },
)
def check_mid_server_up(mid: MidRef, view: View, evidence: Evidence) -> None:
    server = _server(mid, view, evidence)
    evidence.record("Host", server.record.shown("host_name", "(not shown)"))
    evidence.record("Status", server.status or "(empty)")
    evidence.record("Validated", server.validated or "(empty)")
    limit = view.expect.heartbeat_max_age_minutes
    age = view.heartbeat_age(server)
    evidence.fact(limit=f"{limit:g}", age="?" if age is None else f"{age:.0f}")
    if age is None:
        evidence.record("Last heartbeat", "(none recorded)")
    else:
        evidence.record(
            "Last heartbeat", f"{server.last_refreshed:%Y-%m-%d %H:%M:%S} UTC ({age:.0f} min ago)"
        )
    problems = []
    if server.status != "Up":
        evidence.fails("status")
        problems.append(f"status is {server.status or 'empty'}, not Up")
    if server.validated != "true":
        evidence.fails("validated")
        problems.append(f"validated is {server.validated or 'empty'}, not true")
    if age is None or age > limit:
        evidence.fails("heartbeat")
        problems.append(
            "no heartbeat recorded"
            if age is None
            else f"last heartbeat {age:.0f} min ago (limit {limit:g} min)"
        )
    assert not problems, f"MID Server {server.label!r}: " + "; ".join(problems) + "."


@check(
    title="Each MID Server the REST methods use runs the instance's release (mid.buildstamp)",
    severity=Severity.MEDIUM,
    each="mid",
    why="A MID Server of another release is not marked Down, but it stops running work: webhooks time out.",
    passes="`{mid}` runs {version}, of the instance's release {release}",
    remediation={
        "*": (_OPEN,),
        "missing": _MISSING,
        "release": (
            "Let the MID Server upgrade itself (MID Server > Servers > {mid} > Upgrade History shows why it "
            "did not), or remove a pinned version (mid.pinned.version in its config.xml, or the "
            "mid.version.override property).",
        ),
    },
)
def check_mid_server_release_matches(mid: MidRef, view: View, evidence: Evidence) -> None:
    server = _server(mid, view, evidence)
    evidence.record("MID version", server.version or "(none recorded)")
    stamp = view.buildstamp()  # could-not-verify for a login without admin: it reads no properties
    release = view.expected_release()
    evidence.record("Instance mid.buildstamp", stamp)
    evidence.fact(version=server.version, release=release)
    if server.release != release:
        evidence.fails("release")
    assert server.release == release, (
        f"MID Server {server.label!r} runs {server.version or 'no recorded version'}, not of the instance's "
        f"release {release} ({stamp})."
    )


@check(
    title="Each MID Server the REST methods use has no open MID Server issues",
    severity=Severity.MEDIUM,
    each="mid",
    why="Open issues (bad credentials, an unsupported JRE, resource limits) are how a MID Server says it "
    "cannot do its work.",
    passes="`{mid}` has no open MID Server issues",
    remediation=(
        _OPEN,
        "Open MID Server > Issues filtered on MID Server = {mid}, fix what each one names, then mark it "
        "resolved and re-run the pre-flight.",
    ),
)
def check_mid_server_no_open_issues(mid: MidRef, view: View, evidence: Evidence) -> None:
    server = _server(mid, view, evidence)
    issues = view.open_issues(server)
    evidence.record("Open MID Server issues", str(len(issues)))
    for issue in issues[:5]:
        evidence.record("Issue", f"[{issue.state}] {issue.message}")
    assert not issues, (
        f"MID Server {server.label!r} has {len(issues)} open MID Server issue(s): {issues[0].message}"
    )
