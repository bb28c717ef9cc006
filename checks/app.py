"""Is the PagerDuty (Rundeck) Automation store app installed and active?"""

from __future__ import annotations

from snow_preflight.judge import Evidence, Severity, View, check

_ORIGIN = {"sys_store_app": "ServiceNow Store", "sys_app": "built on this instance (not from the Store)"}


@check(
    title="The PagerDuty Automation app (scope x_pd_process_autom) is installed and active",
    severity=Severity.CRITICAL,
    why="The REST message, its role and the webhook scripts all come with the app.",
    remediation=(
        "In ServiceNow, open System Applications > All Available Applications > All, search for "
        "'PagerDuty' and install (or update) the PagerDuty Process/Runbook Automation app from the Store.",
        "If it is installed but inactive, open System Applications > My Company Applications > {app_name} "
        "and activate it: {app_link}",
        "If only the legacy 1.x 'Rundeck Automation' app (scope x_runde_rundeck_it) is installed, plan the "
        "move to the new app: its role and REST message names differ.",
    ),
)
def check_app_installed(view: View, evidence: Evidence) -> None:
    scope = view.expect.app_scope
    evidence.fact(app_name="PagerDuty Automation", app_link=view.list_link("sys_scope", f"scope={scope}"))
    apps = view.apps(scope)
    legacy = view.apps(view.expect.legacy_scope)
    for old in legacy:
        evidence.record(
            "Legacy app",
            f"{old.name} {old.version} (scope {old.scope}, {'active' if old.active else 'inactive'})",
            link=old.url,
        )
    if not apps:
        evidence.record("Scope", f"{scope}: not found")
        assert not legacy, (
            f"Only the legacy 1.x app (scope {view.expect.legacy_scope}) is installed, not the current app "
            f"with scope {scope}."
        )
        raise AssertionError(f"No application with scope {scope} is installed.")
    app = apps[0]
    evidence.fact(app_name=app.name, app_link=app.url)
    evidence.link("Application record", app.url)
    evidence.record("Name", app.name, link=app.url)
    evidence.record("Scope", app.scope)
    evidence.record("Version", app.version or "(not shown)")
    evidence.record("Origin", _ORIGIN.get(app.table, app.table))
    evidence.record("Active", "yes" if app.active else "no")
    assert app.active, f"The app {app.name!r} (scope {scope}) is installed but not active."
