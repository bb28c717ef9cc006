"""The simulator authenticates like an instance: Basic, OAuth, bearer tokens, API keys."""

from __future__ import annotations

import time

import requests

from snow_preflight.simulator import Simulator

SIMULATOR_OPTIONS = {"oauth_expires_in": 0.5}

USERS = "/api/now/table/sys_user?sysparm_limit=1"


def token(sim: Simulator, **form: str) -> requests.Response:
    creds = sim.credentials
    data = {"client_id": creds["client_id"], "client_secret": creds["client_secret"], **form}
    return requests.post(sim.url + "/oauth_token.do", data=data, timeout=10)


def test_wrong_password_is_401_with_body_and_challenge(sim: Simulator) -> None:
    """A wrong password is 401, WWW-Authenticate Basic realm="Service-now", current wording."""
    response = requests.get(sim.url + USERS, auth=("svc_preflight", "wrong"), timeout=10)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="Service-now"'
    assert response.json() == {
        "error": {"message": "User is not authenticated", "detail": "Required to provide Auth information"},
        "status": "failure",
    }


def test_no_credentials_is_401(sim: Simulator) -> None:
    """No credentials at all is 401."""
    assert requests.get(sim.url + USERS, timeout=10).status_code == 401


def test_legacy_wording_scenario() -> None:
    """The legacy_auth_wording scenario says "User Not Authenticated"."""
    with Simulator("legacy_auth_wording") as sim:
        response = requests.get(sim.url + USERS, auth=("x", "y"), timeout=10)
    assert response.json()["error"]["message"] == "User Not Authenticated"


def test_basic_auth_succeeds(sim: Simulator) -> None:
    """The demo login's password is accepted."""
    creds = sim.credentials
    assert (
        requests.get(sim.url + USERS, auth=(creds["username"], creds["password"]), timeout=10).status_code
        == 200
    )


def test_password_grant_gives_a_bearer_token(sim: Simulator) -> None:
    """grant_type=password answers the token JSON, and the access token works as Bearer."""
    creds = sim.credentials
    response = token(sim, grant_type="password", username=creds["username"], password=creds["password"])
    body = response.json()
    assert response.status_code == 200
    assert {"access_token", "refresh_token", "scope", "token_type", "expires_in"} <= set(body)
    assert body["token_type"] == "Bearer"
    answer = requests.get(
        sim.url + USERS, headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=10
    )
    assert answer.status_code == 200
    assert sim.requests[-1].username == "svc_preflight"


def test_client_credentials_grant(sim: Simulator) -> None:
    """grant_type=client_credentials issues a token for the client's user."""
    assert token(sim, grant_type="client_credentials").status_code == 200


def test_refresh_token_grant(sim: Simulator) -> None:
    """grant_type=refresh_token exchanges a refresh token for a new access token."""
    creds = sim.credentials
    first = token(sim, grant_type="password", username=creds["username"], password=creds["password"]).json()
    second = token(sim, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["access_token"] != first["access_token"]


def test_bad_client_secret_is_oauth_401(sim: Simulator) -> None:
    """A bad client secret is 401 {"error_description": "access_denied", "error": "server_error"}."""
    creds = sim.credentials
    response = requests.post(
        sim.url + "/oauth_token.do",
        timeout=10,
        data={
            "grant_type": "password",
            "client_id": creds["client_id"],
            "client_secret": "nope",
            "username": creds["username"],
            "password": creds["password"],
        },
    )
    assert response.status_code == 401
    assert response.json() == {"error_description": "access_denied", "error": "server_error"}


def test_bad_user_password_in_grant_is_oauth_401(sim: Simulator) -> None:
    """A wrong user password in a password grant is 401 access_denied."""
    assert token(sim, grant_type="password", username="svc_preflight", password="nope").status_code == 401


def test_access_token_expires(sim: Simulator) -> None:
    """An access token stops working once expires_in has passed."""
    creds = sim.credentials
    access = token(sim, grant_type="password", username=creds["username"], password=creds["password"]).json()
    headers = {"Authorization": f"Bearer {access['access_token']}"}
    assert requests.get(sim.url + USERS, headers=headers, timeout=10).status_code == 200
    time.sleep(0.6)
    assert requests.get(sim.url + USERS, headers=headers, timeout=10).status_code == 401


def test_static_bearer_token(sim: Simulator) -> None:
    """The scenario's bearer token authenticates as the login."""
    headers = {"Authorization": f"Bearer {sim.credentials['token']}"}
    assert requests.get(sim.url + USERS, headers=headers, timeout=10).status_code == 200


def test_api_key_header(sim: Simulator) -> None:
    """x-sn-apikey authenticates; a wrong key is 401."""
    good = requests.get(sim.url + USERS, headers={"x-sn-apikey": sim.credentials["api_key"]}, timeout=10)
    bad = requests.get(sim.url + USERS, headers={"x-sn-apikey": "nope"}, timeout=10)
    assert (good.status_code, bad.status_code) == (200, 401)


def test_request_log_holds_no_secret(sim: Simulator) -> None:
    """No password, client secret or token appears anywhere in the request log."""
    creds = sim.credentials
    token(sim, grant_type="password", username=creds["username"], password=creds["password"])
    requests.get(sim.url + USERS, auth=(creds["username"], creds["password"]), timeout=10)
    text = repr(sim.requests)
    for secret in (creds["password"], creds["client_secret"], creds["token"], creds["api_key"]):
        assert secret not in text
