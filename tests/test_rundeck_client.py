"""The read-only Rundeck client and its settings: GET only, token in a header, every outcome kept as data,
no secret in what it keeps; Rundeck is asked about only with a URL and a token."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from snow_preflight.errors import ConfigError
from snow_preflight.redaction import MASK
from snow_preflight.rundeck import PROJECTS, RundeckClient, planned_calls, webhooks_call
from snow_preflight.rundeck_stand_in import DEMO_TOKEN, RundeckStandIn
from snow_preflight.settings import resolve

BASE = {"base_url": "https://acme.service-now.com", "username": "svc", "password": "pw-123456"}


@pytest.fixture(scope="module")
def rundeck() -> Iterator[RundeckStandIn]:
    with RundeckStandIn("healthy") as running:
        yield running


def test_the_calls_are_the_projects_and_each_named_projects_webhooks() -> None:
    """One call for the projects and one per project named: nothing per webhook, and no system/info."""
    assert planned_calls(34, ["ops", "team a"]) == [
        (PROJECTS, "/api/34/projects"),
        (webhooks_call("ops"), "/api/34/project/ops/webhooks"),
        (webhooks_call("team a"), "/api/34/project/team%20a/webhooks"),
    ]


def test_webhook_auth_tokens_are_replaced_as_they_are_read(rundeck: RundeckStandIn) -> None:
    """The client keeps the webhook list without any authToken value."""
    with closing(RundeckClient(rundeck.url, rundeck.token)) as client:
        answer = client.get(webhooks_call("ops"), "/api/34/project/ops/webhooks")
    assert answer.status == 200
    assert isinstance(answer.body, list)
    assert {hook["authToken"] for hook in answer.body} == {MASK}
    assert "rd-webhook-token" not in str(dataclasses.asdict(answer))


def test_the_token_travels_in_the_header_only(rundeck: RundeckStandIn) -> None:
    """The token is sent as X-Rundeck-Auth-Token, never in the URL, and the call is logged without it."""
    with closing(RundeckClient(rundeck.url, rundeck.token)) as client:
        client.get(PROJECTS, "/api/34/projects")
        logged = client.exchanges
    method, path, headers = rundeck.seen[-1]
    assert (method, path) == ("GET", "/api/34/projects")
    assert headers["X-Rundeck-Auth-Token"] == DEMO_TOKEN
    assert DEMO_TOKEN not in "".join(str(dataclasses.asdict(e)) for e in logged)
    assert logged[-1].source == "rundeck:projects"


def test_no_answer_is_data_with_a_one_line_cause(free_port: int) -> None:
    """A Rundeck nobody listens for is an answer of kind unreachable, naming the fix, without the token."""
    with closing(RundeckClient(f"http://127.0.0.1:{free_port}", "secret-token-1234", timeout=2)) as client:
        answer = client.get(PROJECTS, "/api/34/projects")
    assert (answer.status, answer.error_kind) == (None, "unreachable")
    assert answer.error is not None
    assert "refused the connection" in answer.error
    assert "--rundeck-url" in answer.error
    assert "secret-token-1234" not in answer.error


def test_a_redirect_is_not_followed(stand_in: Any) -> None:
    """A 302 (a login page) is kept as it came: the token is never sent to where it points."""
    stand_in.answer = lambda path: (302, {"Location": "http://elsewhere.example/user/login"}, b"")
    with closing(RundeckClient(stand_in.url, "secret-token-1234")) as client:
        answer = client.get(PROJECTS, "/api/34/projects")
    assert answer.status == 302
    assert len(stand_in.seen) == 1


def test_a_page_that_is_not_json_is_kept_as_short_text(stand_in: Any) -> None:
    """An HTML answer is kept as its first few hundred characters on one line, for the evidence."""
    stand_in.answer = lambda path: (
        200,
        {"Content-Type": "text/html"},
        b"<html>\n<body>Welcome</body>" + b" x" * 500,
    )
    with closing(RundeckClient(stand_in.url, "secret-token-1234")) as client:
        answer = client.get(PROJECTS, "/api/34/projects")
    assert isinstance(answer.body, str)
    assert answer.body.startswith("<html> <body>Welcome</body>")
    assert len(answer.body) <= 300


def test_rundeck_is_off_unless_a_url_is_given() -> None:
    """Without --rundeck-url nothing about Rundeck is set, even with RD_TOKEN in the environment."""
    settings = resolve(BASE, environ={"RD_TOKEN": "tok-123456"})
    assert settings.rundeck_url is None


def test_rd_url_and_rd_token_come_from_the_environment_like_rundecks_cli() -> None:
    """RD_URL and RD_TOKEN set the Rundeck URL and token; the URL loses its trailing slash."""
    settings = resolve(
        BASE, environ={"RD_URL": "https://rundeck.example.com:4440/", "RD_TOKEN": "tok-123456"}
    )
    assert settings.rundeck_url == "https://rundeck.example.com:4440"
    assert settings.rundeck_token is not None
    assert settings.rundeck_token.get_secret_value() == "tok-123456"
    assert settings.rundeck_api_version == 34
    assert "tok-123456" not in repr(settings)


def test_a_url_without_a_token_is_a_usage_error() -> None:
    """--rundeck-url without RD_TOKEN names the variable, before any request."""
    with pytest.raises(ConfigError, match="RD_TOKEN is not set") as caught:
        resolve({**BASE, "rundeck_url": "https://rundeck.example.com"}, environ={})
    assert "\n" not in str(caught.value)


def test_projects_without_a_url_are_a_usage_error() -> None:
    """--rundeck-project with no Rundeck to ask says to add --rundeck-url."""
    with pytest.raises(ConfigError, match="add --rundeck-url"):
        resolve({**BASE, "rundeck_projects": ["ops"]}, environ={})


@pytest.mark.parametrize(
    "url", ["rundeck.example.com", "ftp://rundeck", "https://user:pw@rundeck", "https://rd/?authtoken=x"]
)
def test_a_url_that_is_not_a_base_url_is_a_usage_error(url: str) -> None:
    """A Rundeck URL without http(s), or with a user or a query in it, is refused with an example."""
    with pytest.raises(ConfigError, match=r"rundeck\.example\.com:4440"):
        resolve({**BASE, "rundeck_url": url}, environ={"RD_TOKEN": "tok-123456"})


def test_the_token_is_never_a_config_key(tmp_path: Path) -> None:
    """A config file holding rundeck_token is refused, pointing at RD_TOKEN."""
    config = tmp_path / "snow-preflight.toml"
    config.write_text('rundeck_token = "tok-123456"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="RD_TOKEN") as caught:
        resolve(BASE, environ={}, config_path=config)
    assert "tok-123456" not in str(caught.value)


def test_the_runs_redactor_knows_the_rundeck_token() -> None:
    """The token is a secret of the run: every report and bundle is redacted of it."""
    settings = resolve(BASE, environ={"RD_URL": "https://rd", "RD_TOKEN": "tok-123456"})
    assert settings.redactor().text("said tok-123456") == f"said {MASK}"
