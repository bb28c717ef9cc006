"""Can we talk to the instance at all, and as whom?"""

from __future__ import annotations

from snow_preflight.judge import Evidence, Severity, View, check


@check(
    title="The instance answers its REST API with JSON",
    severity=Severity.CRITICAL,
    requires=(),
    why="Nothing else can be verified until the instance answers its Table API.",
    passes="{instance} answered {answered} of {reads} reads as the Table API",
    remediation=(
        "Open {instance} in a browser. A developer instance that shows 'Your instance is hibernating' must be "
        "woken: sign in at developer.servicenow.com, then re-run.",
        "If a login, SSO or proxy page appears instead of ServiceNow, pass the instance's own URL "
        "(https://<name>.service-now.com) with --instance, or set HTTPS_PROXY for your proxy.",
        "If the TLS certificate is signed by a private CA, pass it with --ca-bundle FILE.",
    ),
)
def check_instance_reachable(view: View, evidence: Evidence) -> None:
    reach = view.reachability()
    evidence.fact(instance=view.instance, answered=reach.answered, reads=reach.reads)
    evidence.record("Instance", view.instance, link=view.instance)
    evidence.record("Reads answered", f"{reach.answered} of {reach.reads}")
    if reach.failure:
        evidence.record("First failure", reach.failure)
    assert reach.answered, reach.failure or "The instance answered no request."


@check(
    title="The login's credentials are accepted and the account is usable",
    severity=Severity.CRITICAL,
    requires=("instance_reachable",),
    passes="The instance accepted the credentials of {login} ({account_state})",
    remediation={
        "refused": (
            "Check the user name and password (SN_USERNAME / SN_PASSWORD), or the OAuth client id and secret.",
            "In ServiceNow, open User Administration > Users > {login}: Active must be ticked and Locked out "
            "cleared; an SSO-only account needs a local password for REST (Password needs reset cleared).",
            "Where Basic auth is restricted, grant the role snc_basic_auth_api_access to the login "
            "(User Administration > Users > {login} > Roles > Edit).",
        ),
        "inactive": ("In ServiceNow, open User Administration > Users > {login} and tick Active.",),
        "locked": ("In ServiceNow, open User Administration > Users > {login} and clear Locked out.",),
    },
)
def check_login_authenticated(view: View, evidence: Evidence) -> None:
    evidence.fact(login=view.login)
    evidence.record("Login", view.login)
    refused = view.refused()
    if refused:
        evidence.fails("refused")
        raise AssertionError(refused)
    account = view.login_record()
    if account is None:
        # The instance accepted the credentials (no 401) but will not show the account's own record.
        evidence.fact(account_state="its user record is not visible to it")
        evidence.record("Account record", "not visible to this login")
        return
    evidence.link("User record", view.link("sys_user", account.sys_id))
    for label, field in (
        ("Name", "name"),
        ("Active", "active"),
        ("Locked out", "locked_out"),
        ("Web service access only", "web_service_access_only"),
        ("Internal integration user", "internal_integration_user"),
        ("Last login", "last_login_time"),
    ):
        evidence.record(label, account.shown(field))
    # Logging in at all shows the account is usable; the flags are judged where this login may read them.
    if account.has("active") and account.get("active") == "false":
        evidence.fails("inactive")
        raise AssertionError(f"The account {view.login!r} is not active.")
    if account.has("locked_out") and account.get("locked_out") == "true":
        evidence.fails("locked")
        raise AssertionError(f"The account {view.login!r} is locked out.")
    shown = [
        label
        for field, label in (("active", "active"), ("locked_out", "not locked out"))
        if account.has(field)
    ]
    evidence.fact(account_state=", ".join(shown) or "its Active and Locked out flags are not readable by it")
