"""The Rundeck end, checked from this host (not through the MID Server), when asked (``--rundeck-url``).

Does Rundeck's API answer at the version the app calls, are the app's projects there, and are their webhooks
enabled? Off by default: then each check is one skipped row saying how to turn it on. A webhook's auth token
is never shown.
"""

from __future__ import annotations

from snow_preflight.judge import (
    FROM_HERE,
    Evidence,
    RundeckApi,
    RundeckProject,
    RundeckWebhook,
    Severity,
    check,
)


@check(
    title="Rundeck's API answers at the API version the app calls (checked from this host)",
    severity=Severity.HIGH,
    each="rundeck_api",
    requires=(),
    why="The app calls one Rundeck at one API version (34 at least); a Rundeck that refuses that version "
    "refuses every call, whatever the MID Server does.",
    passes="Rundeck at {url} answers API version {version} from this host (not through the MID Server); "
    "{count} project(s) readable",
    remediation={
        "version": (
            "Upgrade Rundeck to a release whose API supports version {version} (the app needs 34 or later), "
            "or set the API version Rundeck supports in PagerDuty Automation > Configure Rundeck Connection "
            "and re-run with --rundeck-api-version.",
        ),
    },
)
def check_rundeck_api_reachable(rundeck_api: RundeckApi, evidence: Evidence) -> None:
    api = rundeck_api
    evidence.fact(url=api.url, version=api.version)
    evidence.record("Checked from", FROM_HERE)
    evidence.record("Rundeck", api.url)
    evidence.record("API version asked", str(api.version))
    evidence.record(f"GET {api.answer.path}", api.summary)
    if api.unsupported:
        evidence.fails("version")
        raise AssertionError(
            f"Rundeck at {api.url} does not support API version {api.version}: {api.summary}."
        )
    projects = api.projects()  # could-not-verify: unreachable from here, token refused, not Rundeck
    evidence.fact(count=len(projects))
    evidence.record("Projects this token may read", ", ".join(projects) or "(none)")


@check(
    title="Each Rundeck project the app uses exists (checked from this host)",
    severity=Severity.HIGH,
    each="rundeck_project",
    requires=(),
    why="The app lists and calls the webhooks of its project; a project renamed or deleted in Rundeck leaves "
    "ServiceNow calling webhooks that no longer exist.",
    passes="Rundeck has project `{project}` (checked from this host)",
    remediation=(
        "In Rundeck, create project {project} or correct the name the app uses (PagerDuty Automation > "
        "Configure Rundeck Connection) and in --rundeck-project.",
        "If the project exists, grant the token's user read on it in Rundeck's ACLs: Rundeck lists only the "
        "projects a token may read.",
    ),
)
def check_rundeck_project_present(rundeck_project: RundeckProject, evidence: Evidence) -> None:
    project = rundeck_project
    evidence.fact(project=project.name)
    evidence.record("Checked from", FROM_HERE)
    evidence.record("Project", project.name)
    evidence.record("Projects this token may read", ", ".join(project.listed) or "(none)")
    assert project.present, (
        f"Rundeck lists no project `{project.name}` to this token (it lists: {', '.join(project.listed) or 'none'})."
    )


@check(
    title="Each webhook of the app's Rundeck projects is enabled (checked from this host)",
    severity=Severity.MEDIUM,
    each="rundeck_webhook",
    requires=(),
    why="Rundeck answers 404 to a call of a disabled webhook: ServiceNow's call fails although the MID "
    "Server delivered it.",
    passes="Webhook `{webhook}` of project {project} is enabled (checked from this host)",
    remediation=(
        "In Rundeck, open project {project} > Webhooks > {webhook}, tick Enabled and Save.",
        "If it is meant to stay off, run the app's scheduled script 'Populate Webhooks' in ServiceNow so the "
        "app's webhook list matches Rundeck's.",
    ),
)
def check_rundeck_webhook_enabled(rundeck_webhook: RundeckWebhook, evidence: Evidence) -> None:
    hook = rundeck_webhook
    evidence.fact(webhook=hook.name or hook.label, project=hook.project)
    evidence.record("Checked from", FROM_HERE)
    evidence.record("Project", hook.project)
    evidence.record("Webhook", f"{hook.shown('name')} (id {hook.shown('id')})")
    evidence.record("Enabled", hook.shown("enabled"))
    evidence.record("Plugin", hook.shown("eventPlugin"))
    evidence.record("Runs as", hook.shown("user"))
    assert hook.enabled, (
        f"Webhook `{hook.label}` of project {hook.project} is disabled: Rundeck answers 404 to the app's calls."
    )
