"""Is each MID Server the REST methods use up, validated, alive and in step with the instance?"""

from __future__ import annotations

from snow_preflight.judge import CannotVerify, Evidence, MidRef, Severity, View, check


def _release(version: str) -> str:
    """The release family of a build stamp: ``washingtondc-12-20-2023__patch4-...`` → ``washingtondc``."""
    return version.split("-", 1)[0].strip().lower()


@check(
    title="Each MID Server the REST methods use is Up, validated, heartbeating and healthy",
    severity=Severity.CRITICAL,
    each="mid",
    requires=("login_authenticated",),
    why=(
        "An HTTP method that names a specific MID Server uses only that one: if it is down or not validated, "
        "webhook calls sit in the ECC queue and time out, with no failover."
    ),
    remediation=(
        "Open MID Server > Servers > {mid}: {mid_link}",
        "If Status is not Up: on the MID host, start the service (Windows: the 'ServiceNow MID Server_{mid}' "
        "service; Linux: ./start.sh in the agent directory) and check agent/logs/agent0.log.0.",
        "If Validated is not Yes: use the Related Link 'Validate' (needs agent_admin or admin).",
        "If the heartbeat is stale: check the host can reach the instance over HTTPS; the 'MID Server "
        "Monitor' job marks a silent MID Down within about 10 minutes.",
        "If the version differs from mid.buildstamp: let the MID upgrade itself (MID Server > Servers > "
        "{mid} > Upgrade History), or remove a pinned version (mid.pinned.version).",
        "Resolve open items under MID Server > Issues for {mid}, then re-run the pre-flight.",
    ),
)
def check_mid_server_up(mid: MidRef, view: View, evidence: Evidence) -> None:
    evidence.fact(mid=mid.name, mid_link=view.list_link("ecc_agent", f"name={mid.name}"))
    try:
        server = view.mid(sys_id=mid.sys_id, name=mid.name)
    except KeyError:
        evidence.record("MID Server", f"{mid.name}: no such record")
        raise AssertionError(f"No MID Server record {mid.name!r} exists on the instance.") from None
    evidence.fact(mid_link=server.url)
    evidence.link("MID Server record", server.url)
    evidence.record("Name", server.name, link=server.url)
    evidence.record("Host", server.host_name or "(not shown)")
    evidence.record("Status", server.status or "(empty)")
    evidence.record("Validated", server.validated or "(empty)")
    problems = []
    if server.status != "Up":
        problems.append(f"status is {server.status or 'empty'}, not Up")
    if server.validated != "true":
        problems.append(f"validated is {server.validated or 'empty'}, not true")

    limit = view.expect.heartbeat_max_age_minutes
    if server.last_refreshed is None:
        evidence.record("Last heartbeat", "(none recorded)")
        problems.append("no heartbeat recorded")
    else:
        age = (view.snapshot.taken_at - server.last_refreshed).total_seconds() / 60
        evidence.record(
            "Last heartbeat", f"{server.last_refreshed:%Y-%m-%d %H:%M:%S} UTC ({age:.0f} min ago)"
        )
        if age > limit:
            problems.append(f"last heartbeat {age:.0f} min ago (limit {limit:g} min)")

    buildstamp = view.buildstamp()
    evidence.record("MID version", server.version or "(not shown)")
    if buildstamp is None:
        evidence.record("Instance mid.buildstamp", "not readable by this login (needs admin); not compared")
    else:
        evidence.record("Instance mid.buildstamp", buildstamp)
        if server.version and _release(server.version) != _release(buildstamp):
            problems.append(f"version {server.version} is not of the instance's release ({buildstamp})")

    try:
        issues = view.open_issues(server)
    except CannotVerify as exc:  # the issue list is a diagnostic extra: say so, judge the rest
        evidence.record("Open MID Server issues", f"not readable: {exc}")
        issues = []
    else:
        evidence.record("Open MID Server issues", str(len(issues)))
    for issue in issues[:5]:
        evidence.record("Issue", f"[{issue.get('state', '')}] {issue.get('message', '')}")
    if issues:
        problems.append(f"{len(issues)} open MID Server issue(s)")
    assert not problems, f"MID Server {server.name!r}: " + "; ".join(problems) + "."
