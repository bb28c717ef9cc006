"""The Rundeck stand-in answers like Rundeck over real sockets: its JSON shapes, its error bodies, per scenario."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from snow_preflight.rundeck_stand_in import DEMO_TOKEN, RundeckStandIn, list_scenarios
from snow_preflight.rundeck_stand_in.scenarios import UnknownRundeckScenarioError

HEADERS = {"X-Rundeck-Auth-Token": DEMO_TOKEN, "Accept": "application/json"}


@pytest.fixture
def rundeck(request: pytest.FixtureRequest) -> Iterator[RundeckStandIn]:
    """A stand-in playing the scenario the test is parametrised with (healthy by default)."""
    with RundeckStandIn(getattr(request, "param", "healthy")) as running:
        yield running


def get(rundeck: RundeckStandIn, path: str, **headers: str) -> requests.Response:
    return requests.get(rundeck.url + path, headers=headers or HEADERS, timeout=5)


def test_every_scenario_is_listed_with_a_one_line_description() -> None:
    """The five scenarios the checks are tested with exist, each described in one line."""
    listed = dict(list_scenarios())
    assert set(listed) == {
        "healthy",
        "webhook_disabled",
        "old_api_version",
        "token_refused",
        "webhooks_denied",
    }
    assert all(text and "\n" not in text for text in listed.values())


def test_an_unknown_scenario_names_the_known_ones() -> None:
    """Asking for a scenario that does not exist says which do."""
    with pytest.raises(UnknownRundeckScenarioError, match="known: healthy"):
        RundeckStandIn("nope")


def test_projects_are_listed_in_rundecks_shape(rundeck: RundeckStandIn) -> None:
    """GET /api/34/projects answers a JSON list of {url, name, description, label}."""
    answer = get(rundeck, "/api/34/projects")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    projects = answer.json()
    assert [p["name"] for p in projects] == ["ops", "infra"]
    assert set(projects[0]) == {"url", "name", "description", "label"}
    assert projects[0]["url"] == f"{rundeck.url}/api/34/project/ops"


def test_webhooks_are_listed_with_their_auth_tokens(rundeck: RundeckStandIn) -> None:
    """GET /api/34/project/ops/webhooks answers Rundeck's webhook objects, the secret authToken included."""
    hooks = get(rundeck, "/api/34/project/ops/webhooks").json()
    assert [h["name"] for h in hooks] == ["Restart service", "Clear disk space"]
    assert {"id", "uuid", "name", "project", "enabled", "eventPlugin", "user", "roles", "authToken"} <= set(
        hooks[0]
    )


@pytest.mark.parametrize("rundeck", ["token_refused"], indirect=True)
def test_a_refused_token_gets_rundecks_403(rundeck: RundeckStandIn) -> None:
    """An unknown token answers 403 with Rundeck's error JSON, errorCode unauthorized."""
    answer = get(rundeck, "/api/34/projects")
    assert answer.status_code == 403
    body = answer.json()
    assert (body["error"], body["errorCode"]) == (True, "unauthorized")
    assert "/api/34/projects" in body["message"]


@pytest.mark.parametrize("rundeck", ["old_api_version"], indirect=True)
def test_an_old_rundeck_refuses_api_version_34(rundeck: RundeckStandIn) -> None:
    """A Rundeck whose newest API version is 33 answers 400 api.error.api-version.unsupported to version 34."""
    answer = get(rundeck, "/api/34/projects")
    assert answer.status_code == 400
    body = answer.json()
    assert body["errorCode"] == "api.error.api-version.unsupported"
    assert body["message"].startswith('Unsupported API Version "34"')
    assert get(rundeck, "/api/33/projects").status_code == 200


@pytest.mark.parametrize("rundeck", ["webhooks_denied"], indirect=True)
def test_a_token_without_webhook_read_gets_403_on_that_list(rundeck: RundeckStandIn) -> None:
    """The token reads project infra but not its webhooks: 403 api.error.item.unauthorized there only."""
    denied = get(rundeck, "/api/34/project/infra/webhooks")
    assert (denied.status_code, denied.json()["errorCode"]) == (403, "api.error.item.unauthorized")
    assert get(rundeck, "/api/34/project/ops/webhooks").status_code == 200


def test_a_missing_project_and_system_info_answer_as_rundeck_does(rundeck: RundeckStandIn) -> None:
    """A project that does not exist is 404 doesnotexist; system/info is 403 for the app's minimal ACL."""
    missing = get(rundeck, "/api/34/project/nope/webhooks")
    assert (missing.status_code, missing.json()["errorCode"]) == (404, "api.error.item.doesnotexist")
    assert get(rundeck, "/api/34/system/info").status_code == 403


@pytest.mark.parametrize("rundeck", ["webhook_disabled"], indirect=True)
def test_calling_a_disabled_webhook_answers_404(rundeck: RundeckStandIn) -> None:
    """POST /api/34/webhook/<token> answers 'ok' for an enabled webhook and 404 for a disabled one."""
    tokens = {hook["name"]: hook["authToken"] for hook in rundeck.state.webhooks()}
    off = requests.post(f"{rundeck.url}/api/34/webhook/{tokens['Restart service']}", json={}, timeout=5)
    on = requests.post(f"{rundeck.url}/api/34/webhook/{tokens['Clear disk space']}", json={}, timeout=5)
    assert off.status_code == 404
    assert (on.status_code, on.text) == (200, "ok")


def test_every_request_is_recorded_with_its_headers(rundeck: RundeckStandIn) -> None:
    """``seen`` holds each request's method, path and headers, in order."""
    get(rundeck, "/api/34/projects")
    method, path, headers = rundeck.seen[-1]
    assert (method, path, headers["X-Rundeck-Auth-Token"]) == ("GET", "/api/34/projects", DEMO_TOKEN)


def test_a_stopped_stand_in_says_so() -> None:
    """Its URL outside a with block is an error naming how to use it."""
    with pytest.raises(RuntimeError, match="with block"):
        _ = RundeckStandIn().url
