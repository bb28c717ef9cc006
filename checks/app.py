"""Is the PagerDuty (Rundeck) Automation store app installed and active?"""

from __future__ import annotations

from snow_preflight.judge import Evidence, Severity, View, check

_ORIGIN = {
    "sys_store_app": "from the ServiceNow Store",
    "sys_app": "built on this instance, not from the Store",
}


@check(
    title="The PagerDuty Automation app (scope x_pd_process_autom) is installed and active",
    severity=Severity.CRITICAL,
    why="The REST message, its role and the webhook scripts all come with the app.",
    passes="{app_name} {app_version} (scope {scope}, {origin}) is installed and active",
    remediation={
        "missing": (
            "In ServiceNow, open System Applications > All Available Applications > All, search for "
            "'PagerDuty' and install (or update) the PagerDuty Process/Runbook Automation app from the Store.",
        ),
        "legacy": (
            "Only the legacy 1.x 'Rundeck Automation' app (scope x_runde_rundeck_it) is installed: plan the "
            "move to the new app (its role and REST message names differ), then install it from the Store "
            "(System Applications > All Available Applications > All, search for 'PagerDuty').",
        ),
        "inactive": (
            "Open System Applications > My Company Applications > {app_name} and activate it: {app_link}",
        ),
    },
)
def check_app_installed(view: View, evidence: Evidence) -> None:
    scope = view.expect.app_scope
    evidence.fact(
        scope=scope, app_name="PagerDuty Automation", app_link=view.list_link("sys_scope", f"scope={scope}")
    )
    apps = view.apps(scope)
    for old in view.apps(view.expect.legacy_scope, seen_only=True):
        state = "active" if old.active else "inactive"
        evidence.record("Legacy app", f"{old.name} {old.version} (scope {old.scope}, {state})", link=old.url)
    if not apps:
        evidence.record("Scope", f"{scope}: not found")
        legacy = view.apps(view.expect.legacy_scope)
        evidence.fails("legacy" if legacy else "missing")
        assert not legacy, (
            f"Only the legacy 1.x app (scope {view.expect.legacy_scope}) is installed, not the current app "
            f"with scope {scope}."
        )
        raise AssertionError(f"No application with scope {scope} is installed.")
    app = apps[0]
    origin = _ORIGIN.get(app.table, f"a {app.table} record")
    version = app.record.shown("version", "(version not shown)")
    evidence.fact(app_name=app.name, app_link=app.url, app_version=version, origin=origin)
    evidence.link("Application record", app.url)
    evidence.record("Name", app.name, link=app.url)
    evidence.record("Scope", app.scope)
    evidence.record("Version", version)
    evidence.record("Origin", origin)
    evidence.record("Active", "yes" if app.active else "no")
    if not app.active:
        evidence.fails("inactive")
    assert app.active, f"The app {app.name!r} (scope {scope}) is installed but not active."
