"""Does the login (and the integration user, when named) hold the roles the documentation asks for?"""

from __future__ import annotations

from snow_preflight.judge import CannotVerify, Evidence, Severity, View, check

_REMEDIATION = (
    "In ServiceNow, open User Administration > Users > {account}, then the Roles related list > Edit, "
    "and add {role} (or add the user to a group that has it: User Administration > Groups).",
    "Ask your ServiceNow administrator if you cannot edit roles (it needs user_admin or admin).",
    "Re-run the pre-flight after the change: roles take effect at the next login.",
)


def _judge(view: View, evidence: Evidence, source: str, account: str, role: str) -> None:
    evidence.fact(account=account, role=role)
    evidence.record("Account", account)
    evidence.record("Role", role)
    grants = [g for g in view.grants(source, role) if g.state in ("active", "")]
    for grant in grants:
        evidence.record("Held", grant.how)
    admin = view.grants(source, "admin")
    evidence.record("Holds admin", "yes" if admin else "no")
    if grants:
        return
    hidden = view.snapshot.source(source).hidden
    if hidden:
        raise CannotVerify(
            f"{hidden} role row(s) of {account} are hidden from this login by ACL; cannot tell whether "
            f"it holds {role}."
        )
    if admin:
        raise AssertionError(
            f"{account} holds admin, which passes role checks in scripts, but not {role} itself; the "
            f"documentation asks for {role} explicitly."
        )
    raise AssertionError(f"{account} does not hold the role {role}.")


@check(
    title="The login holds each required role",
    severity=Severity.HIGH,
    each="role",
    why="web_service_admin lets the login configure REST messages; the app role gives access to the app.",
    remediation=_REMEDIATION,
)
def check_login_has_role(role: str, view: View, evidence: Evidence) -> None:
    _judge(view, evidence, "login_roles", view.snapshot.login, role)


@check(
    title="The integration user holds each required role",
    severity=Severity.HIGH,
    each="integration_role",
    why="The account the integration runs as needs the same roles as the one that configures it.",
    remediation=_REMEDIATION,
)
def check_integration_user_has_role(integration_role: str, view: View, evidence: Evidence) -> None:
    user = view.expect.integration_user or ""
    account = view.account("integration_user")
    if account is None:
        raise AssertionError(f"No user named {user!r} exists on the instance.")
    evidence.link("User record", view.link("sys_user", str(account.get("sys_id", ""))))
    _judge(view, evidence, "integration_roles", user, integration_role)
