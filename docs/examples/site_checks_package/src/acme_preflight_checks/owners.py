"""Someone owns the Rundeck integration: the group named in ACME's runbook exists and is active."""

from __future__ import annotations

from snow_preflight.judge import Evidence, Read, Severity, View, check

OWNER_GROUP = "Rundeck Integrators"
OWNERS = Read(
    name="acme_owner_group",
    table="sys_user_group",
    query=f"name={OWNER_GROUP}",
    fields=("sys_id", "name", "active", "manager.name"),
)


@check(
    title="The group that owns the Rundeck integration exists and is active",
    severity=Severity.LOW,
    reads=[OWNERS],
    passes="The group {group} exists and is active.",
    remediation=[
        "User Administration > Groups > New: Name '{group}', Active checked, then Submit.",
        "Add the people on call for the Rundeck integration as members, then re-run the pre-flight.",
    ],
)
def check_integration_owner_group_active(view: View, evidence: Evidence) -> None:
    evidence.fact(group=OWNER_GROUP)
    groups = view.records(OWNERS.name)  # could-not-verify if any row or field is unseen
    for group in groups:
        evidence.record("Group", f"{group.get('name')} (active: {group.get('active')})")
    assert groups, f"No group named {OWNER_GROUP!r} exists."
    assert any(g.get("active") == "true" for g in groups), f"The group {OWNER_GROUP!r} is not active."
