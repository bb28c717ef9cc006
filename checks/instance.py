"""Can we talk to the instance at all, and as whom?"""

from __future__ import annotations

from snow_preflight.judge import Evidence, Severity, SourceStatus, View, check, why_unreadable

# Failures that mean the instance itself did not answer the REST API with JSON.
_NOT_REACHED = ("unreachable", "hibernating", "unexpected", "server_error", "rate_limited")


@check(
    title="The instance answers its REST API with JSON",
    severity=Severity.CRITICAL,
    requires=(),
    why="Nothing else can be verified until the instance answers its Table API.",
    remediation=(
        "Open {instance} in a browser. A developer instance that shows 'Your instance is hibernating' must be "
        "woken: sign in at developer.servicenow.com, then re-run.",
        "If a login, SSO or proxy page appears instead of ServiceNow, pass the instance's own URL "
        "(https://<name>.service-now.com) with --instance, or set HTTPS_PROXY for your proxy.",
        "If the TLS certificate is signed by a private CA, pass it with --ca-bundle FILE.",
    ),
)
def check_instance_reachable(view: View, evidence: Evidence) -> None:
    sources = view.snapshot.sources.values()
    answered = [s for s in sources if s.status is not SourceStatus.FAILED or s.error_kind not in _NOT_REACHED]
    evidence.record("Instance", view.snapshot.instance, link=view.snapshot.instance)
    evidence.record("Reads answered", f"{len(answered)} of {len(view.snapshot.sources)}")
    failures = [s for s in sources if s not in answered]
    if failures:
        evidence.record("First failure", failures[0].error or failures[0].error_kind)
    assert answered, failures[0].error if failures else "The instance answered no request."


@check(
    title="The login's credentials are accepted and the account is usable",
    severity=Severity.CRITICAL,
    requires=("instance_reachable",),
    remediation=(
        "Check the user name and password (SN_USERNAME / SN_PASSWORD), or the OAuth client id and secret.",
        "In ServiceNow, open User Administration > Users > {login}: Active must be ticked and Locked out "
        "cleared; an SSO-only account needs a local password for REST (Password needs reset cleared).",
        "Where Basic auth is restricted, grant the role snc_basic_auth_api_access to the login "
        "(User Administration > Users > {login} > Roles > Edit).",
    ),
)
def check_login_authenticated(view: View, evidence: Evidence) -> None:
    evidence.fact(login=view.snapshot.login)
    refused = [s for s in view.snapshot.sources.values() if s.error_kind == "unauthenticated"]
    assert not refused, refused[0].error if refused else ""
    evidence.record("Login", view.snapshot.login)
    source = view.snapshot.source("login")
    account = source.rows[0] if source.readable and source.rows else None
    if account is None:
        # The instance accepted the credentials (no 401) but will not show the account's record.
        evidence.record("Account record", why_unreadable(source) if not source.readable else "not visible")
        return
    evidence.link("User record", view.link("sys_user", str(account.get("sys_id", ""))))
    for label, key in (
        ("Name", "name"),
        ("Active", "active"),
        ("Locked out", "locked_out"),
        ("Web service access only", "web_service_access_only"),
        ("Internal integration user", "internal_integration_user"),
        ("Last login", "last_login_time"),
    ):
        evidence.record(label, account.get(key, "(not readable)"))
    assert account.get("active", "true") != "false", f"The account {view.snapshot.login!r} is not active."
    assert account.get("locked_out", "false") != "true", f"The account {view.snapshot.login!r} is locked out."
