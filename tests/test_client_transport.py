"""The wire: TLS and client certificates, proxies from the environment, headers, odd answers."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trustme
from requests.structures import CaseInsensitiveDict
from requests.utils import DEFAULT_CA_BUNDLE_PATH

from snow_preflight import __version__
from snow_preflight.errors import UnexpectedResponseError, UnreachableError
from snow_preflight.servicenow import diagnosis
from snow_preflight.servicenow.client import ServiceNowClient
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.simulator import Fault, Simulator

Connect = Callable[..., ConnectionSettings]


@pytest.fixture
def basic(connect: Connect) -> Connect:
    """``basic(url, **overrides)``: settings for *url* as the demo login, no retries (the shared ``connect``)."""
    return functools.partial(connect, time_budget=3.0, max_retries=0)


def test_tls_with_the_ca_bundle_is_verified_and_read(monkeypatch: pytest.MonkeyPatch, basic: Connect) -> None:
    """With --ca-bundle naming the instance's CA, a TLS instance is verified and read, whatever
    REQUESTS_CA_BUNDLE says."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", DEFAULT_CA_BUNDLE_PATH)
    with (
        Simulator("healthy", tls=True) as sim,
        ServiceNowClient(basic(sim.url, ca_bundle=sim.ca_path)) as snc,
    ):
        assert snc.current_user()["user_name"] == "svc_preflight"


@pytest.fixture(scope="module")
def client_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A CA the instance trusts for client certificates, and a client certificate+key it issued."""
    directory = tmp_path_factory.mktemp("mtls")
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(directory / "client-ca.pem"))
    ca.issue_cert("preflight@example.com").private_key_and_cert_chain_pem.write_to_path(
        str(directory / "client.pem")
    )
    return directory / "client-ca.pem", directory / "client.pem"


def test_client_certificate_is_presented_for_mutual_tls(client_ca: tuple[Path, Path], basic: Connect) -> None:
    """A client certificate is presented in the TLS handshake, so an instance requiring one answers."""
    ca_file, cert = client_ca
    with Simulator("healthy", tls=True, client_ca=ca_file) as sim:
        conn = basic(sim.url, ca_bundle=sim.ca_path, client_cert=cert)
        with ServiceNowClient(conn) as snc:
            assert snc.current_user()["user_sys_id"]
        with ServiceNowClient(basic(sim.url, ca_bundle=sim.ca_path)) as snc, pytest.raises(UnreachableError):
            snc.current_user()


def test_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, basic: Connect) -> None:
    """HTTP(S)_PROXY from the environment is used: a dead proxy makes the instance unreachable, naming it."""
    with Simulator("healthy") as sim:
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
        monkeypatch.setenv("NO_PROXY", "")
        monkeypatch.delenv("no_proxy", raising=False)
        with ServiceNowClient(basic(sim.url)) as snc, pytest.raises(UnreachableError, match="proxy"):
            snc.current_user()
        assert sim.requests == []


def test_cancelled_transaction_is_unexpected_response_quoting_the_instance(basic: Connect) -> None:
    """A 200 carrying an error instead of a result raises UnexpectedResponseError quoting the instance."""
    with Simulator("healthy") as sim, ServiceNowClient(basic(sim.url)) as snc:
        sim.inject(Fault(kind="cancelled"))
        with pytest.raises(UnexpectedResponseError, match="Transaction cancelled"):
            snc.table("sys_user")


def test_mfa_failure_is_named_as_mfa() -> None:
    """A 401 with X-MFA_TOKEN: invalid is diagnosed as a multi-factor authentication failure."""
    headers = CaseInsensitiveDict({"X-MFA_TOKEN": "invalid"})
    raw = diagnosis.Raw(401, headers, b'{"error":{"message":"User is not authenticated"}}', "https://x/api")
    message = str(diagnosis.unauthenticated(raw, "basic", "svc", renewed=False))
    assert "multi-factor authentication failed" in message
    assert "MFA" in message


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [("7", 7, 7), ("0", 0, 0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0, 0), ("soon", None, None)],
)
def test_retry_after_is_read_as_seconds_or_a_date(value: str, low: float | None, high: float | None) -> None:
    """Retry-After is read as delta-seconds or an HTTP date (past dates mean now); junk means absent."""
    seconds = diagnosis.retry_after(CaseInsensitiveDict({"Retry-After": value}))
    if low is None:
        assert seconds is None
    else:
        assert seconds is not None
        assert low <= seconds <= (high or 0)


# -- a stand-in that is not ServiceNow: JSON without result, a Link to another host ---------------------


def _other_json_api(path: str) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json"}
    if path.startswith("/api/now/table/elsewhere") and "sysparm_offset=0" in path:
        body: object = {"result": [{"sys_id": "a"}]}
        headers["Link"] = '<https://attacker.invalid/api/now/table/elsewhere?sysparm_offset=1>;rel="next"'
    elif path.startswith("/api/now/table/elsewhere"):
        body = {"result": [{"sys_id": "b"}]}
    else:
        body = {"data": [], "note": "some other JSON API"}
    return 200, headers, json.dumps(body).encode()


@pytest.fixture
def stand_in(stand_in: Any) -> Any:
    """The shared stand-in (tests/conftest.py), answering as some other JSON API."""
    stand_in.answer = _other_json_api
    return stand_in


def test_json_without_result_is_not_the_table_api(stand_in: Any, basic: Connect) -> None:
    """A 2xx JSON answer without 'result' raises UnexpectedResponseError: not a ServiceNow Table API."""
    with ServiceNowClient(basic(stand_in.url)) as snc, pytest.raises(UnexpectedResponseError) as caught:
        snc.table("sys_user")
    assert "not a ServiceNow Table API" in str(caught.value)
    assert "check the" in str(caught.value)


def test_next_link_to_another_host_is_read_from_our_own_instance(stand_in: Any, basic: Connect) -> None:
    """A Link rel="next" naming another host is followed on the configured instance, never that host."""
    with ServiceNowClient(basic(stand_in.url)) as snc:
        read = snc.table("elsewhere", fields=("sys_id",))
    assert [row["sys_id"] for row in read.rows] == ["a", "b"]
    assert read.pages == 2


def test_requests_carry_accept_json_and_our_user_agent(stand_in: Any, basic: Connect) -> None:
    """Every request asks for JSON and names snow-preflight and its version as the User-Agent."""
    with ServiceNowClient(basic(stand_in.url)) as snc, pytest.raises(UnexpectedResponseError):
        snc.current_user()
    _, headers = stand_in.seen[-1]
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == f"snow-preflight/{__version__}"
