"""The Rundeck states the stand-in can play: the API versions it supports, its tokens, projects and webhooks.

Shapes follow Rundeck's API documentation (research-beyond-read-only §6): a project is ``{url, name,
description, label}``; a webhook is ``{id, uuid, name, project, enabled, eventPlugin, user, roles, creator,
config, authToken}``; the current API version of Rundeck 5.7 is 48 and the oldest still served 14. The app
calls version 34, which an old Rundeck (current version 33) refuses.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: The API token the demo and the tests give snow-preflight (RD_TOKEN). Not a secret: a stand-in's.
DEMO_TOKEN = "rundeck-demo-api-token-0001"  # noqa: S105 - the stand-in's own, public by design


@dataclass
class RundeckState:
    """One Rundeck: what it answers to whom."""

    description: str
    current_version: int = 48
    minimum_version: int = 14
    #: token → the projects whose webhooks it may read ("*": all of them)
    tokens: dict[str, list[str]] = field(default_factory=lambda: {DEMO_TOKEN: ["*"]})
    projects: list[dict[str, Any]] = field(default_factory=list)

    def project(self, name: str) -> dict[str, Any] | None:
        return next((p for p in self.projects if p["name"] == name), None)

    def webhooks(self) -> list[dict[str, Any]]:
        return [hook for project in self.projects for hook in project["webhooks"]]


def _webhook(hook_id: int, project: str, name: str, token: str, *, enabled: bool = True) -> dict[str, Any]:
    return {
        "id": hook_id,
        "uuid": f"6c1f7a3e-0000-4000-8000-{hook_id:012d}",
        "name": name,
        "project": project,
        "enabled": enabled,
        "eventPlugin": "webhook-run-job",
        "user": "sn_app",
        "roles": "sn_app_integration",
        "creator": "admin",
        "config": {
            "jobId": f"9d3c0f4e-0000-4000-8000-{hook_id:012d}",
            "argString": "-payload ${data.payload}",
        },
        "authToken": token,
    }


def _healthy() -> RundeckState:
    return RundeckState(
        description="Rundeck 5.7 (API 14 to 48): projects ops and infra, every webhook enabled, the demo token "
        "reads both",
        projects=[
            {
                "name": "ops",
                "label": "Operations",
                "description": "Runbooks ServiceNow triggers",
                "webhooks": [
                    _webhook(11, "ops", "Restart service", "rd-webhook-token-ops-11"),
                    _webhook(12, "ops", "Clear disk space", "rd-webhook-token-ops-12"),
                ],
            },
            {
                "name": "infra",
                "label": "Infrastructure",
                "description": "Provisioning jobs",
                "webhooks": [_webhook(21, "infra", "Provision VM", "rd-webhook-token-infra-21")],
            },
        ],
    )


def _webhook_disabled() -> RundeckState:
    state = _healthy()
    state.description = "Like healthy, but the webhook 'Restart service' of project ops is disabled"
    state.projects[0]["webhooks"][0]["enabled"] = False
    return state


def _old_api_version() -> RundeckState:
    state = _healthy()
    state.description = "An old Rundeck whose newest API version is 33: the app's version 34 is refused (400)"
    state.current_version = 33
    return state


def _token_refused() -> RundeckState:
    state = _healthy()
    state.description = (
        "Rundeck knows no such token (expired or deleted): every call answers 403 unauthorized"
    )
    state.tokens = {}
    return state


def _webhooks_denied() -> RundeckState:
    state = _healthy()
    state.description = "The demo token may read project infra but not its webhooks: that list answers 403"
    state.tokens = {DEMO_TOKEN: ["ops"]}
    return state


SCENARIOS: dict[str, Callable[[], RundeckState]] = {
    "healthy": _healthy,
    "webhook_disabled": _webhook_disabled,
    "old_api_version": _old_api_version,
    "token_refused": _token_refused,
    "webhooks_denied": _webhooks_denied,
}


class UnknownRundeckScenarioError(LookupError):
    """No Rundeck scenario has that name; the message lists the known ones."""


def load(name: str) -> RundeckState:
    """A fresh copy of the scenario *name*."""
    try:
        return copy.deepcopy(SCENARIOS[name]())
    except KeyError:
        known = ", ".join(SCENARIOS)
        raise UnknownRundeckScenarioError(f"unknown Rundeck scenario {name!r}; known: {known}") from None


def list_scenarios() -> list[tuple[str, str]]:
    """Every Rundeck scenario as (name, description)."""
    return [(name, build().description) for name, build in SCENARIOS.items()]
