"""ConnectionSettings: where the instance is, how to log in, and what is refused before any request."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from snow_preflight.errors import ConfigError
from snow_preflight.redaction import MASK
from snow_preflight.servicenow.connection import ConnectionSettings


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("acme", "https://acme.service-now.com"),
        ("acme.service-now.com", "https://acme.service-now.com"),
        ("https://acme.service-now.com/", "https://acme.service-now.com"),
        ("https://ACME.service-now.com/now/nav/ui/classic?x=1#top", "https://acme.service-now.com"),
        ("  acme-dev  ", "https://acme-dev.service-now.com"),
        ("servicenow.example.org:8443/path", "https://servicenow.example.org:8443"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://127.3.4.5", "http://127.3.4.5"),
        ("http://localhost:9000", "http://localhost:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("localhost:9000", "https://localhost:9000"),
    ],
)
def test_base_url_is_normalised(given: str, expected: str) -> None:
    """A short name, a bare host or a full URL with a path all become scheme://host[:port]."""
    assert ConnectionSettings(base_url=given, username="u", password="p").base_url == expected


@pytest.mark.parametrize("url", ["http://acme.service-now.com", "http://10.0.0.5:8080", "http://128.0.0.1"])
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    """Plain http is refused for non-loopback hosts, with the reason and the https URL to use instead."""
    with pytest.raises(ConfigError) as caught:
        ConnectionSettings(base_url=url, username="u", password="p")
    message = str(caught.value)
    assert "unencrypted" in message
    assert "use https://" in message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "No instance"),
        ("ftp://acme.service-now.com", "not supported"),
        ("https://admin:hunter2secret@acme.service-now.com", "user name or password"),
        ("https://acme.service-now.com:99999", "cannot be parsed"),
    ],
)
def test_unusable_urls_raise_config_error(url: str, words: str) -> None:
    """An empty URL, another scheme, credentials in the URL or a bad port raise ConfigError saying so."""
    with pytest.raises(ConfigError, match=words) as caught:
        ConnectionSettings(base_url=url, username="u", password="p")
    assert "hunter2secret" not in str(caught.value)


def test_settings_are_frozen() -> None:
    """ConnectionSettings cannot be changed after it is built."""
    conn = ConnectionSettings(base_url="acme", username="u", password="p")
    with pytest.raises(ValueError, match="frozen"):
        conn.timeout = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fields", "mode"),
    [
        ({"username": "u", "password": "p"}, "basic"),
        ({"client_id": "c", "client_secret": "s", "username": "u", "password": "p"}, "oauth_password"),
        ({"client_id": "c", "client_secret": "s"}, "oauth_client_credentials"),
        ({"token": "t", "username": "u", "password": "p"}, "bearer"),
        ({"api_key": "k", "client_id": "c", "client_secret": "s"}, "api_key"),
        ({"token": "t", "api_key": "k"}, "bearer"),
    ],
)
def test_auth_mode_follows_the_documented_precedence(fields: dict[str, str], mode: str) -> None:
    """bearer token > API key > OAuth (password grant with a user, else client credentials) > Basic."""
    assert ConnectionSettings(base_url="acme", **fields).auth_mode() == mode


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({}, "No credentials"),
        ({"username": "u"}, "needs a password"),
        ({"password": "p"}, "needs a user name"),
        ({"client_id": "c"}, "client-secret"),
        ({"client_id": "c", "client_secret": "s", "username": "u"}, "needs a password"),
        ({"client_cert": Path("c.pem")}, "No credentials"),
    ],
)
def test_unusable_credentials_raise_config_error(fields: dict[str, object], words: str) -> None:
    """Missing or half-given credentials raise ConfigError naming what to add."""
    conn = ConnectionSettings(base_url="acme", **fields)
    with pytest.raises(ConfigError, match=words):
        conn.auth_mode()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"timeout": 0}, "--timeout"),
        ({"time_budget": -1}, "--time-budget"),
        ({"max_retries": -1}, "--max-retries"),
        ({"client_key": Path("k.pem")}, "--client-cert"),
    ],
)
def test_impossible_limits_raise_config_error(fields: dict[str, object], words: str) -> None:
    """A non-positive timeout or budget, negative retries, or a key without a certificate are refused."""
    with pytest.raises(ConfigError, match=words):
        ConnectionSettings(base_url="acme", username="u", password="p", **fields)


def test_redactor_knows_every_secret_and_the_basic_pair() -> None:
    """The redactor masks password, client secret, token, API key and the base64 Basic pair."""
    conn = ConnectionSettings(
        base_url="acme",
        username="svc_preflight",
        password="pw-Planted-1",
        client_id="cid",
        client_secret="cs-Planted-2",
        token="tok-Planted-3",
        api_key="key-Planted-4",
    )
    basic = base64.b64encode(b"svc_preflight:pw-Planted-1").decode()
    text = f"pw-Planted-1 cs-Planted-2 tok-Planted-3 key-Planted-4 Basic {basic}"
    redacted = conn.redactor().text(text)
    assert "Planted" not in redacted
    assert basic not in redacted
    assert redacted.count(MASK) == 5


def test_secrets_are_not_in_the_settings_repr() -> None:
    """repr() and model_dump_json() of the settings show no secret value."""
    conn = ConnectionSettings(base_url="acme", username="u", password="pw-Planted-1", api_key="key-Planted-4")
    assert "Planted" not in repr(conn)
    assert "Planted" not in conn.model_dump_json()
