"""Logging in: Basic, OAuth 2 (password grant, client credentials), bearer token, API key."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from snow_preflight.errors import AuthenticationError
from snow_preflight.servicenow.client import ServiceNowClient
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.simulator import Fault, Simulator

Connect = Callable[..., ConnectionSettings]  # the shared ``connect`` fixture (tests/conftest.py)


def token_posts(sim: Simulator, since: int) -> list[Any]:
    return [r for r in sim.requests[since:] if r.path == "/oauth_token.do"]


def test_basic_auth_reads_the_current_user(sim: Simulator, connect: Connect) -> None:
    """Basic auth with the scenario's login reads current_user, whose user_sys_id identifies it."""
    with ServiceNowClient(connect(sim, "username", "password")) as snc:
        user = snc.current_user()
    assert user["user_sys_id"]
    assert user["user_name"] == sim.credentials["username"]


def test_oauth_password_grant_fetches_one_token_and_reuses_it(sim: Simulator, connect: Connect) -> None:
    """The password grant POSTs once to /oauth_token.do; later reads reuse the token."""
    before = len(sim.requests)
    conn = connect(sim, "username", "password", "client_id", "client_secret")
    with ServiceNowClient(conn) as snc:
        snc.current_user()
        snc.table("sys_user", fields=("user_name",))
        logged = [(e.method, e.path, e.query, e.source) for e in snc.log.items()]
    assert len(token_posts(sim, before)) == 1
    assert logged[0] == ("POST", "/oauth_token.do", {}, "oauth")


def test_oauth_client_credentials_grant_logs_in(sim: Simulator, connect: Connect) -> None:
    """The client-credentials grant (client id and secret only) logs in as the OAuth client's user."""
    before = len(sim.requests)
    with ServiceNowClient(connect(sim, "client_id", "client_secret")) as snc:
        user = snc.current_user()
    assert user["user_name"] == sim.credentials["username"]
    assert len(token_posts(sim, before)) == 1


def test_oauth_wrong_client_secret_is_authentication_error(sim: Simulator, connect: Connect) -> None:
    """A refused token request raises AuthenticationError naming /oauth_token.do and the likely causes."""
    conn = connect(sim, "client_id", client_secret="not-the-secret")
    with ServiceNowClient(conn) as snc, pytest.raises(AuthenticationError) as caught:
        snc.current_user()
    assert "/oauth_token.do" in str(caught.value)
    assert "client id/secret" in str(caught.value)


def test_oauth_token_is_renewed_after_a_401(sim: Simulator, connect: Connect) -> None:
    """A 401 to a bearer token fetches a new token once and retries the read once, which succeeds."""
    before = len(sim.requests)
    with ServiceNowClient(connect(sim, "client_id", "client_secret")) as snc:
        snc.current_user()
        sim.inject(Fault(status=401, times=1, path="/api/now/"))
        user = snc.current_user()
        entry = snc.log.items()[-1]
    assert user["user_sys_id"]
    assert len(token_posts(sim, before)) == 2
    assert (entry.status, entry.retries) == (200, 1)


def test_oauth_token_is_renewed_on_expiry(connect: Connect) -> None:
    """A token past its expires_in is replaced by a new one before the next read."""
    with Simulator("healthy", oauth_expires_in=1) as short:
        with ServiceNowClient(connect(short, "client_id", "client_secret")) as snc:
            snc.current_user()
            time.sleep(1.0)
            snc.current_user()
            statuses = [e.status for e in snc.log.items()]
        assert len(token_posts(short, 0)) == 2
    assert statuses == [200, 200, 200, 200]


def test_concurrent_reads_share_one_token_request(sim: Simulator, connect: Connect) -> None:
    """Ten threads reading at once through one client cause exactly one token request."""
    before = len(sim.requests)
    tables = ["sys_user", "sys_user_role", "ecc_agent", "sys_scope", "sys_rest_message"] * 2
    with ServiceNowClient(connect(sim, "client_id", "client_secret")) as snc, ThreadPoolExecutor(10) as pool:
        reads = list(pool.map(lambda t: snc.table(t, fields=("sys_id",)), tables))
    assert all(read.rows for read in reads)
    assert len(token_posts(sim, before)) == 1


def test_bearer_token_logs_in(sim: Simulator, connect: Connect) -> None:
    """A bearer token is sent as Authorization: Bearer and reads as its user, with no token request."""
    before = len(sim.requests)
    with ServiceNowClient(connect(sim, "token")) as snc:
        user = snc.current_user()
    assert user["user_name"] == sim.credentials["username"]
    assert token_posts(sim, before) == []


def test_api_key_logs_in(sim: Simulator, connect: Connect) -> None:
    """An API key is sent as x-sn-apikey and reads as its user."""
    with ServiceNowClient(connect(sim, "api_key")) as snc:
        user = snc.current_user()
    assert user["user_name"] == sim.credentials["username"]


def test_wrong_bearer_token_is_authentication_error(sim: Simulator, connect: Connect) -> None:
    """A refused bearer token raises AuthenticationError saying the token was refused."""
    conn = connect(sim, "token", token="not-a-token")
    with ServiceNowClient(conn) as snc, pytest.raises(AuthenticationError) as caught:
        snc.current_user()
    assert "bearer token was refused" in str(caught.value)
