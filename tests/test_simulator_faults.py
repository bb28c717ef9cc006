"""Faults, from a scenario or injected at run time, answer as the real failure would."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from snow_preflight.simulator import Fault, Simulator

USERS = "/api/now/table/sys_user?sysparm_limit=1"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator("healthy") as simulator:
        yield simulator


@pytest.fixture
def http(sim: Simulator) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.auth = (sim.credentials["username"], sim.credentials["password"])
        yield session


@pytest.mark.parametrize("path", [USERS, "/api/now/ui/user/current_user", "/oauth_token.do", "/"])
def test_hibernating_answers_html_for_every_path(path: str) -> None:
    """A hibernating instance answers 200 text/html "hibernating" on every path, asking no auth."""
    with Simulator("hibernating") as sim:
        response = requests.get(sim.url + path, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<h1>Your instance is hibernating</h1>" in response.text


def test_interstitial_is_an_html_login_page() -> None:
    """The interstitial scenario answers 200 with an HTML sign-in page."""
    with Simulator("interstitial") as sim:
        response = requests.get(sim.url + USERS, auth=("svc_preflight", "preflight-demo-pw"), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Sign in" in response.text


def test_interstitial_redirect_is_a_302() -> None:
    """The interstitial_redirect scenario answers 302 to an SSO login URL."""
    with Simulator("interstitial_redirect") as sim:
        response = requests.get(sim.url + USERS, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://sso.example.com/")


def test_rate_limited_scenario_headers() -> None:
    """429 carries Retry-After, X-RateLimit-Limit/Reset/Rule and the platform's body."""
    with Simulator("rate_limited") as sim:
        response = requests.get(sim.url + USERS, auth=("svc_preflight", "preflight-demo-pw"), timeout=10)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert {"X-RateLimit-Limit", "X-RateLimit-Reset", "X-RateLimit-Rule"} <= set(response.headers)
    assert int(response.headers["X-RateLimit-Reset"]) > time.time()
    assert response.json()["error"]["message"] == "Rate limit exceeded"


def test_server_error_scenario_is_json_500() -> None:
    """The server_error scenario answers 500 with a JSON error body."""
    with Simulator("server_error") as sim:
        response = requests.get(sim.url + USERS, auth=("svc_preflight", "preflight-demo-pw"), timeout=10)
    assert response.status_code == 500
    assert response.json()["status"] == "failure"


def test_injected_fault_fires_times_then_stops(sim: Simulator, http: requests.Session) -> None:
    """Fault(status=503, times=2) fails two requests, then the instance answers again."""
    sim.inject(Fault(status=503, times=2))
    statuses = [http.get(sim.url + USERS, timeout=10).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert [r.fault for r in sim.requests] == ["status", "status", None]


def test_gateway_errors_are_html(sim: Simulator, http: requests.Session) -> None:
    """A 503 comes from the load balancer: an HTML page, not JSON."""
    sim.inject(Fault(status=503, times=1))
    assert http.get(sim.url + USERS, timeout=10).headers["Content-Type"].startswith("text/html")


def test_injected_rate_limit(sim: Simulator, http: requests.Session) -> None:
    """Fault(kind="rate_limit", retry_after=1, times=1) answers one 429 with Retry-After: 1."""
    sim.inject(Fault(kind="rate_limit", retry_after=1, times=1))
    first, second = (http.get(sim.url + USERS, timeout=10) for _ in range(2))
    assert (first.status_code, first.headers["Retry-After"], second.status_code) == (429, "1", 200)


def test_injected_401_and_403(sim: Simulator, http: requests.Session) -> None:
    """Status faults 401 and 403 answer the platform's bodies even for good credentials."""
    sim.inject(Fault(status=401, times=1))
    sim.inject(Fault(status=403, times=1))
    unauth, forbidden = (http.get(sim.url + USERS, timeout=10) for _ in range(2))
    assert unauth.status_code == 401
    assert unauth.headers["WWW-Authenticate"] == 'Basic realm="Service-now"'
    assert forbidden.status_code == 403
    assert forbidden.json()["status"] == "failure"


def test_fault_limited_to_a_path(sim: Simulator, http: requests.Session) -> None:
    """A fault with a path prefix leaves other paths alone."""
    sim.inject(Fault(status=500, path="/api/now/table/ecc_agent"))
    assert http.get(sim.url + "/api/now/table/ecc_agent", timeout=10).status_code == 500
    assert http.get(sim.url + USERS, timeout=10).status_code == 200
    sim.clear_faults()
    assert http.get(sim.url + "/api/now/table/ecc_agent", timeout=10).status_code == 200


def test_slow_fault_delays(sim: Simulator, http: requests.Session) -> None:
    """Fault(delay=...) delays only the matching path, then answers normally."""
    sim.inject(Fault(delay=0.3, path="/api/now/table/ecc_agent"))
    started = time.monotonic()
    assert http.get(sim.url + "/api/now/table/ecc_agent", timeout=10).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_slow_fault_trips_a_client_timeout(sim: Simulator, http: requests.Session) -> None:
    """A delay longer than the client's timeout makes the client time out."""
    sim.inject(Fault(delay=1.0, times=1))
    with pytest.raises(requests.Timeout):
        http.get(sim.url + USERS, timeout=0.2)


def test_malformed_json(sim: Simulator, http: requests.Session) -> None:
    """A malformed fault answers 200 application/json with a truncated body."""
    sim.inject(Fault(kind="malformed", times=1))
    response = http.get(sim.url + USERS, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(requests.JSONDecodeError):
        response.json()


def test_transaction_cancelled(sim: Simulator, http: requests.Session) -> None:
    """A cancelled fault answers "Transaction cancelled: maximum execution time exceeded"."""
    sim.inject(Fault(kind="cancelled", times=1))
    assert (
        "Transaction cancelled: maximum execution time exceeded" in http.get(sim.url + USERS, timeout=10).text
    )


def test_unknown_fault_kind_is_rejected(sim: Simulator) -> None:
    """An unknown fault kind is an error, not a silent no-op."""
    with pytest.raises(ValueError, match="unknown fault kind"):
        sim.inject(Fault(kind="nope"))  # type: ignore[arg-type]


def test_latency_overlaps_for_parallel_requests() -> None:
    """latency_ms delays each request, and parallel requests overlap into one wave."""
    with Simulator("healthy", latency_ms=200) as sim:
        auth = (sim.credentials["username"], sim.credentials["password"])
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(
                pool.map(lambda _: requests.get(sim.url + USERS, auth=auth, timeout=10).status_code, range(8))
            )
        assert codes == [200] * 8
        # Each request was held for the latency, and their times on the server overlap: one wave.
        assert all(record.duration >= 0.2 for record in sim.requests)
        assert sim.waves() == 1
        requests.get(sim.url + USERS, auth=auth, timeout=10)
        assert sim.waves() == 2
