"""The Rundeck end, as Rundeck answered this host (not the MID Server): its API, the projects, their webhooks.

Off unless asked (``--rundeck-url`` and ``RD_TOKEN``): then every item list is one skipped row saying so.
The three checks depend on each other as a chain (API → project → webhooks); since each runs once per item,
the chain is kept here: a later list whose prerequisite did not hold is one skipped row naming it.
A webhook's ``authToken`` never reaches these views: the client replaced it as it read the answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from snow_preflight.errors import CannotVerify
from snow_preflight.judge.base import SnapshotView
from snow_preflight.judge.records import Unavailable
from snow_preflight.rundeck.client import PROJECTS, RundeckAnswer, RundeckReads, webhooks_call

#: What every Rundeck result says about where it was checked from.
FROM_HERE = "this host (where snow-preflight ran), not through the MID Server"
UNSUPPORTED = "api.error.api-version.unsupported"
_OFF = (
    "the Rundeck checks are off: give --rundeck-url (RD_URL) and RD_TOKEN to check Rundeck's API, projects "
    "and webhooks from this host"
)
_TOKEN_FIX = (
    "Give snow-preflight (RD_TOKEN) a Rundeck API token of a user whose ACL grants read on the projects and "
    "read on their webhooks (the app's own token has both: User Profile > User API Tokens in Rundeck).",
    "Then re-run the pre-flight.",
)


def _said(answer: RundeckAnswer) -> str:
    """What an answer was, in a few words: ``HTTP 400 api.error.api-version.unsupported: Unsupported...``."""
    if answer.status is None:
        return answer.error or "no answer"
    code = f" {answer.error_code}" if answer.error_code else ""
    text = answer.message or (answer.body if isinstance(answer.body, str) else "")
    return f"HTTP {answer.status}{code}" + (f": {text}" if text else "")


@dataclass(frozen=True)
class RundeckApi:
    """The one item of ``rundeck_api_reachable``: Rundeck's answer to the projects call."""

    url: str
    version: int
    answer: RundeckAnswer

    def __str__(self) -> str:
        return ""  # the check's only row: its result id is the check's own

    @property
    def summary(self) -> str:
        return _said(self.answer)

    @property
    def unsupported(self) -> bool:
        """Rundeck refused the API version: 400 ``api.error.api-version.unsupported``."""
        return self.answer.status == 400 and self.answer.error_code == UNSUPPORTED

    def projects(self) -> list[str]:
        """The projects this token may read; CannotVerify when Rundeck gave no usable list."""
        answer = self.answer
        if answer.status is None:
            raise CannotVerify(
                answer.error or f"Rundeck at {self.url} gave no answer",
                (
                    "Check --rundeck-url, or run the pre-flight from a host that can reach Rundeck; the MID "
                    "Server's own path to Rundeck is judged by rest_method_delivered.",
                ),
            )
        if answer.status in (401, 403):
            raise CannotVerify(f"Rundeck refused the token in RD_TOKEN ({_said(answer)})", _TOKEN_FIX)
        if answer.status == 200 and isinstance(answer.body, list):
            return [str(p.get("name", "")) for p in answer.body if isinstance(p, dict)]
        raise CannotVerify(
            f"{self.url}{answer.path} did not answer with Rundeck's project list ({_said(answer)}): is "
            "--rundeck-url Rundeck's base URL?",
            (
                "Check --rundeck-url: it is the address Rundeck's web page opens at, such as https://host:4440.",
            ),
        )


@dataclass(frozen=True)
class RundeckProject:
    """One item of ``rundeck_project_present``: a project named with ``--rundeck-project``."""

    name: str
    listed: tuple[str, ...]  # every project the token may read

    def __str__(self) -> str:
        return self.name

    @property
    def present(self) -> bool:
        return self.name in self.listed


@dataclass(frozen=True)
class RundeckWebhook:
    """One item of ``rundeck_webhook_enabled``: a webhook of a named project, without its auth token."""

    project: str
    label: str  # unique among the items: the name, with the project or id when names repeat
    data: Mapping[str, Any]

    def __str__(self) -> str:
        return self.label

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def enabled(self) -> bool:
        return self.data.get("enabled") is True or str(self.data.get("enabled")).lower() == "true"

    def shown(self, key: str) -> str:
        value = self.data.get(key)
        return "(none)" if value in (None, "") else str(value)


class RundeckViews(SnapshotView):
    """The items of the Rundeck checks, from what Rundeck answered when the snapshot was taken."""

    @property
    def _rundeck(self) -> RundeckReads | None:
        return self._snapshot.rundeck

    def rundeck_api_items(self) -> list[RundeckApi] | Unavailable:
        reads = self._rundeck
        if reads is None:
            return Unavailable(_OFF, skip=True)
        answer = reads.answers.get(PROJECTS) or RundeckAnswer(name=PROJECTS, path="", error="not asked")
        return [RundeckApi(reads.url, reads.api_version, answer)]

    def _listed(self) -> tuple[str, ...] | Unavailable:
        """The projects Rundeck listed; a skip naming rundeck_api_reachable when it did not hold."""
        items = self.rundeck_api_items()
        if isinstance(items, Unavailable):
            return items
        api = items[0]
        if api.unsupported:
            return Unavailable(
                f"blocked by rundeck_api_reachable (failed): Rundeck does not support API version {api.version}",
                skip=True,
            )
        try:
            return tuple(api.projects())
        except CannotVerify as exc:
            return Unavailable(f"blocked by rundeck_api_reachable (error): {exc}", skip=True)

    def rundeck_project_items(self) -> list[RundeckProject] | Unavailable:
        listed = self._listed()
        if isinstance(listed, Unavailable):
            return listed
        reads = self._rundeck
        assert reads is not None  # else _listed said the checks are off
        if not reads.projects:
            return Unavailable(
                "no Rundeck project named: add --rundeck-project for each project the app uses", skip=True
            )
        return [RundeckProject(name, listed) for name in reads.projects]

    def rundeck_webhook_items(self) -> list[RundeckWebhook | Unavailable] | Unavailable:
        """One item per webhook of the projects present, and one per project whose list was refused."""
        projects = self.rundeck_project_items()
        if isinstance(projects, Unavailable):
            return projects
        reads = self._rundeck
        assert reads is not None
        found: list[tuple[str, Mapping[str, Any]]] = []
        unseen: list[Unavailable] = []
        for project in (p for p in projects if p.present):
            answer = reads.answers.get(webhooks_call(project.name))
            if answer is not None and answer.status == 200 and isinstance(answer.body, list):
                found += [(project.name, hook) for hook in answer.body if isinstance(hook, Mapping)]
                continue
            label = f"unseen in {project.name}"
            said = _said(answer) if answer is not None else "not asked"
            if answer is not None and answer.status in (401, 403):
                reason = (
                    f"Rundeck would not list the webhooks of project {project.name} to this token ({said})"
                )
                unseen.append(Unavailable(reason, label=label, fix=_TOKEN_FIX))
            else:
                unseen.append(
                    Unavailable(
                        f"the webhooks of project {project.name} could not be listed ({said})", label=label
                    )
                )
        names = Counter(_name(hook) for _, hook in found)
        hooks = [
            RundeckWebhook(
                project,
                _name(hook)
                if names[_name(hook)] == 1
                else f"{_name(hook)} ({project}, id {hook.get('id', '?')})",
                hook,
            )
            for project, hook in found
        ]
        if hooks or unseen:
            return [*hooks, *unseen]
        missing = [p.name for p in projects if not p.present]
        why = (
            f"project(s) {', '.join(missing)} not found" if missing else "the projects named have no webhooks"
        )
        return Unavailable(f"no webhook to check: {why}", skip=True)


def _name(hook: Mapping[str, Any]) -> str:
    return str(hook.get("name", "")) or f"id {hook.get('id', '?')}"
