"""ACME's own policy, judged beside the built-in checklist: Rundeck's webhooks survive the loss of a MID Server.

A site check is a ``check_<id>`` function under ``@check`` in a module of its own; run it with
``snow-preflight run --checks docs/examples/site_checks`` (or ``pytest --sn-checks ...``). It reads one
table the checklist does not, MID Server cluster memberships, by declaring the read: the read joins the
same single wave of requests as the built-in ones, so it costs no extra round trip.
"""

from __future__ import annotations

from snow_preflight.judge import Evidence, Read, Severity, View, check

#: Every membership of a failover cluster, with the names dot-walked so no second request is needed.
#: Name your reads with a prefix of your own: a name the built-in plan already uses is not read again.
FAILOVER_MEMBERS = Read(
    name="acme_failover_members",
    table="ecc_agent_cluster_member_m2m",
    query="cluster.type=Failover",
    fields=("sys_id", "agent", "agent.name", "cluster", "cluster.name"),
)


@check(
    title="Every MID Server that Rundeck - API uses has a failover partner in a MID Server cluster",
    severity=Severity.MEDIUM,
    requires=("rest_message_present",),
    reads=[FAILOVER_MEMBERS],
    why="A webhook routed through a MID Server with no failover partner is lost while that one host is down.",
    passes="{mids}: each shares a failover cluster with another MID Server ({partners}).",
    remediation={
        "no_mid": [
            "No HTTP method of Rundeck - API names a MID Server yet: fix the failed rest_method_uses_mid rows "
            "first, then re-run the pre-flight.",
        ],
        "no_partner": [
            "MID Server > Clusters > New: Name 'Rundeck MID cluster', Type Failover, then Submit.",
            "Open the cluster, and under MID Servers click Edit... and add {alone} and at least one other "
            "MID Server that can reach Rundeck, then Save.",
            "Re-run the pre-flight.",
        ],
    },
)
def check_mid_has_failover_partner(view: View, evidence: Evidence) -> None:
    used = {mid.sys_id: mid.name for method in view.methods() if (mid := method.mid)}
    clusters: dict[str, set[str]] = {}  # cluster name -> sys_ids of its MID Servers
    names: dict[str, str] = {}  # MID Server sys_id -> name
    for member in view.records(FAILOVER_MEMBERS.name):  # a field the login cannot read: could-not-verify
        clusters.setdefault(member.get("cluster.name"), set()).add(member.get("agent"))
        names[member.get("agent")] = member.get("agent.name")
    evidence.link("Failover clusters", view.list_link("ecc_agent_cluster", "type=Failover"))
    for cluster, ids in sorted(clusters.items()):
        evidence.record(f"Cluster {cluster}", ", ".join(sorted(names[i] for i in ids)))
    if not used:
        evidence.fails("no_mid")
    assert used, "No HTTP method of Rundeck - API names a MID Server, so none has a failover partner."
    alone, partners = [], set()
    for sys_id, name in sorted(used.items(), key=lambda item: item[1]):
        others = sorted({names[i] for ids in clusters.values() if sys_id in ids for i in ids - {sys_id}})
        evidence.record(
            f"MID {name}", ", ".join(others) or "no failover partner", link=view.link("ecc_agent", sys_id)
        )
        partners.update(others)
        if not others:
            alone.append(name)
    evidence.fact(
        mids=", ".join(sorted(used.values())), partners=", ".join(sorted(partners)), alone=", ".join(alone)
    )
    if alone:
        evidence.fails("no_partner")
    assert not alone, f"MID Server(s) {', '.join(alone)} share no failover cluster with another MID Server."
