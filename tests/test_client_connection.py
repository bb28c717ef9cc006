"""ConnectionSettings: where the instance is, how to log in, and what is refused before any request."""

from __future__ import annotations

import base64
import dataclasses
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
        ("ht!tp://bad url", "contains a space"),
        ("ht!tp://bad", "scheme is not a scheme"),
        ("bad_host!", "invalid host 'bad_host!'"),
        ("https://acme..service-now.com", "invalid host"),
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
    with pytest.raises(dataclasses.FrozenInstanceError):
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
        (
            {"timeout": float("nan")},
            r"--timeout \(SN_TIMEOUT\) must be a number of seconds above 0 \(got nan\)",
        ),
        ({"timeout": float("inf")}, r"--timeout .*got inf"),
        ({"time_budget": -1}, "--time-budget"),
        ({"time_budget": float("nan")}, "--time-budget"),
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
    """repr(), str() and asdict() of the settings show no secret value."""
    conn = ConnectionSettings(base_url="acme", username="u", password="pw-Planted-1", api_key="key-Planted-4")
    assert "Planted" not in repr(conn)
    assert "Planted" not in str(conn)
    assert "Planted" not in str(dataclasses.asdict(conn))


@pytest.fixture(scope="module")
def pem(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """PEM files: a CA, a certificate with its key (apart and together), another key, an encrypted key."""
    import trustme
    from cryptography.hazmat.primitives import serialization

    directory = tmp_path_factory.mktemp("pem")
    ca = trustme.CA()
    issued, other = ca.issue_cert("preflight@example.com"), ca.issue_cert("other@example.com")
    files = {
        name: directory / f"{name}.pem" for name in ("ca", "cert", "key", "both", "other_key", "encrypted")
    }
    ca.cert_pem.write_to_path(str(files["ca"]))
    issued.cert_chain_pems[0].write_to_path(str(files["cert"]))
    issued.private_key_pem.write_to_path(str(files["key"]))
    issued.private_key_and_cert_chain_pem.write_to_path(str(files["both"]))
    other.private_key_pem.write_to_path(str(files["other_key"]))
    key = serialization.load_pem_private_key(issued.private_key_pem.bytes(), None)
    files["encrypted"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
    )
    files["text"] = directory / "notes.txt"
    files["text"].write_text("not a certificate\n", encoding="utf-8")
    files["folder"] = directory
    return files


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"ca_bundle": "missing"}, r"^--ca-bundle .*missing\.pem does not exist"),
        ({"ca_bundle": "text"}, r"^--ca-bundle .*notes\.txt holds no PEM certificate"),
        ({"client_cert": "missing"}, r"^--client-cert .*missing\.pem does not exist"),
        ({"client_cert": "folder"}, r"^--client-cert .* is a folder"),
        ({"client_cert": "cert"}, r"^--client-cert .*cert\.pem is not a PEM certificate followed by its private key"),
        ({"client_cert": "cert", "client_key": "missing"}, r"^--client-key .*missing\.pem does not exist"),
        ({"client_cert": "cert", "client_key": "other_key"}, r"^--client-key .*other_key\.pem is not the private key"),
        ({"client_cert": "cert", "client_key": "encrypted"}, r"^--client-key .*encrypted\.pem holds an encrypted"),
    ],
)  # fmt: skip
def test_tls_files_are_checked_when_the_settings_are_built(
    pem: dict[str, Path], fields: dict[str, str], words: str
) -> None:
    """A CA bundle, certificate or key that is missing, unreadable or not what its flag says is refused
    before any request, naming the flag and the file."""
    paths = {key: pem.get(name, pem["folder"] / "missing.pem") for key, name in fields.items()}
    with pytest.raises(ConfigError, match=words):
        ConnectionSettings(base_url="acme", username="u", password="p", **paths)


@pytest.mark.parametrize(
    "fields",
    [
        {"ca_bundle": "ca"},
        {"ca_bundle": "folder"},  # a folder of hashed certificates, as requests takes one
        {"client_cert": "both"},
        {"client_cert": "cert", "client_key": "key"},
    ],
)
def test_usable_tls_files_are_accepted(pem: dict[str, Path], fields: dict[str, str]) -> None:
    """A PEM CA bundle (or a folder of them), and a certificate with its key, apart or together, are taken."""
    paths = {key: pem[name] for key, name in fields.items()}
    conn = ConnectionSettings(base_url="acme", username="u", password="p", **paths)
    assert {key: getattr(conn, key) for key in paths} == paths
