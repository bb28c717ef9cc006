"""Does the login (and the integration user, when named) hold the roles the documentation asks for?"""

from __future__ import annotations

from snow_preflight.judge import Evidence, Severity, View, check

_REMEDIATION = {
    "missing": (
        "In ServiceNow, open User Administration > Users > {account}, then the Roles related list > Edit, "
        "and add {role} (or add the user to a group that has it: User Administration > Groups).",
        "Ask your ServiceNow administrator if you cannot edit roles (it needs user_admin or admin).",
        "Re-run the pre-flight after the change: roles take effect at the next login.",
    ),
    "admin_only": (
        "admin passes role checks in scripts, but the documentation asks for {role} itself: open User "
        "Administration > Users > {account} > Roles > Edit and add {role}, then re-run the pre-flight.",
    ),
}
_PASSES = "{account} holds {role} ({how})"


def _judge(view: View, evidence: Evidence, source: str, account: str, role: str) -> None:
    evidence.fact(account=account, role=role)
    evidence.record("Account", account)
    evidence.record("Role", role)
    grants = view.grants(source, role)  # could-not-verify when rows are hidden and none visible grants it
    for grant in grants:
        evidence.record("Held", grant.how)
    if grants:
        evidence.fact(how=", ".join(dict.fromkeys(g.how for g in grants)))
        return
    admin = view.grants(source, "admin")
    evidence.record("Holds admin", "yes" if admin else "no")
    if admin:
        evidence.fails("admin_only")
        raise AssertionError(
            f"{account} holds admin, which passes role checks in scripts, but not {role} itself; the "
            f"documentation asks for {role} explicitly."
        )
    evidence.fails("missing")
    raise AssertionError(f"{account} does not hold the role {role}.")


@check(
    title="The login holds each required role",
    severity=Severity.HIGH,
    each="role",
    why="web_service_admin lets the login configure REST messages; the app role gives access to the app.",
    passes=_PASSES,
    remediation=_REMEDIATION,
)
def check_login_has_role(role: str, view: View, evidence: Evidence) -> None:
    _judge(view, evidence, "login_roles", view.login, role)


@check(
    title="The integration user holds each required role",
    severity=Severity.HIGH,
    each="integration_role",
    why="The account the integration runs as needs the same roles as the one that configures it.",
    passes=_PASSES,
    remediation={
        **_REMEDIATION,
        "no_user": ("Check the user name given with --integration-user: User Administration > Users.",),
    },
)
def check_integration_user_has_role(integration_role: str, view: View, evidence: Evidence) -> None:
    user = view.expect.integration_user or ""
    account = view.account("integration_user")
    if account is None:
        evidence.fails("no_user")
        raise AssertionError(f"No user named {user!r} exists on the instance.")
    evidence.link("User record", view.link("sys_user", account.sys_id))
    _judge(view, evidence, "integration_roles", user, integration_role)
