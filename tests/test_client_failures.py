"""Every way a read can fail becomes one exception of snow_preflight.errors, with a message naming the cause."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from snow_preflight.errors import (
    AccessDeniedError,
    AuthenticationError,
    HibernatingError,
    InvalidTableError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
    UnreachableError,
)
from snow_preflight.servicenow.client import ServiceNowClient
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.simulator import Fault, Simulator

Connect = Callable[..., ConnectionSettings]  # the shared ``connect`` fixture (tests/conftest.py)
Client = Callable[..., ServiceNowClient]


@pytest.fixture
def client(connect: Connect) -> Client:
    """``client(sim, **overrides)``: a client for *sim* that retries twice, with a short backoff."""
    return lambda sim, **overrides: ServiceNowClient(
        connect(sim, **{"max_retries": 2, **overrides}), backoff=0.05
    )


# -- unreachable ----------------------------------------------------------------------------------------


def test_unknown_host_is_unreachable_dns() -> None:
    """A host that does not resolve raises UnreachableError naming DNS and the host."""
    conn = ConnectionSettings(base_url="no-such-instance.invalid", username="u", password="p", timeout=2)
    with ServiceNowClient(conn) as snc, pytest.raises(UnreachableError) as caught:
        snc.current_user()
    assert "DNS" in str(caught.value)
    assert "no-such-instance.invalid" in str(caught.value)


def test_closed_port_is_unreachable_refused(free_port: int) -> None:
    """A port nobody listens on raises UnreachableError saying the connection was refused."""
    conn = ConnectionSettings(base_url=f"http://127.0.0.1:{free_port}", username="u", password="p", timeout=2)
    with ServiceNowClient(conn) as snc, pytest.raises(UnreachableError, match="Connection refused"):
        snc.current_user()


def test_untrusted_certificate_is_unreachable_tls(connect: Connect) -> None:
    """A TLS instance whose CA we were not given raises UnreachableError suggesting a CA bundle by the
    variable both front ends know."""
    with Simulator("healthy", tls=True) as tls_sim:
        conn = connect(tls_sim, max_retries=2)
        with ServiceNowClient(conn) as snc, pytest.raises(UnreachableError) as caught:
            snc.current_user()
    assert "TLS verification failed" in str(caught.value)
    assert "SN_CA_BUNDLE" in str(caught.value)


def test_slow_answer_is_unreachable_timeout(sim: Simulator, client: Client) -> None:
    """An answer slower than the timeout raises UnreachableError naming what it was reading and SN_TIMEOUT,
    without retrying."""
    sim.inject(Fault(delay=1.5, times=1))
    started = time.monotonic()
    with client(sim, timeout=0.3) as snc, pytest.raises(UnreachableError) as caught:
        snc.current_user()
    assert str(caught.value).startswith("Timed out after 0.3 s reading /api/now/ui/user/current_user:")
    assert "SN_TIMEOUT" in str(caught.value)
    assert time.monotonic() - started < 1.5


# -- answered, but refused ----------------------------------------------------------------------------


def test_wrong_password_is_authentication_error_listing_causes(sim: Simulator, client: Client) -> None:
    """401 raises AuthenticationError naming the login and its likely causes, the basic-auth role too."""
    with client(sim, password="not-the-password") as snc, pytest.raises(AuthenticationError) as caught:
        snc.current_user()
    message = str(caught.value)
    assert sim.credentials["username"] in message
    for cause in ("wrong password", "SSO-only", "locked-out", "snc_basic_auth_api_access"):
        assert cause in message
    assert caught.value.status == 401


def test_table_denied_is_access_denied_naming_the_table(client: Client) -> None:
    """403 raises AccessDeniedError naming the table and that the login needs a role or ACL to read it."""
    with (
        Simulator("roles_table_denied") as denied,
        client(denied) as snc,
        pytest.raises(AccessDeniedError) as caught,
    ):
        snc.table("sys_user_has_role", fields=("role",))
    assert "'sys_user_has_role'" in str(caught.value)
    assert "role or ACL" in str(caught.value)


def test_unknown_table_is_invalid_table_error(sim: Simulator, client: Client) -> None:
    """400 "Invalid table" raises InvalidTableError saying the app or plugin is not installed."""
    with client(sim) as snc, pytest.raises(InvalidTableError) as caught:
        snc.table("x_not_installed_table")
    assert "'x_not_installed_table'" in str(caught.value)
    assert "not installed" in str(caught.value)


def test_missing_record_is_not_found_or_hidden(sim: Simulator, client: Client) -> None:
    """404 for a record raises NotFoundError saying it does not exist or an ACL hides it."""
    with client(sim) as snc, pytest.raises(NotFoundError) as caught:
        snc.record("sys_user", "0" * 32)
    assert "0" * 32 in str(caught.value)
    assert "ACL" in str(caught.value)


# -- rate limits and server errors ---------------------------------------------------------------------


def test_rate_limit_is_waited_out_when_retry_after_fits_the_budget(sim: Simulator, client: Client) -> None:
    """A 429 whose Retry-After fits the budget is waited out; the read succeeds; the log counts the retry."""
    sim.inject(Fault(status=429, retry_after=1, times=1))
    started = time.monotonic()
    with client(sim) as snc:
        user = snc.current_user(source="identity")
        entry = snc.log.items()[-1]
    assert user["user_sys_id"]
    assert time.monotonic() - started >= 1.0
    assert (entry.status, entry.retries, entry.source) == (200, 1, "identity")


def test_rate_limit_beyond_the_budget_gives_up_naming_the_rule(sim: Simulator, client: Client) -> None:
    """A 429 asking to wait past the budget raises RateLimitedError at once: when to retry, which rule."""
    sim.inject(Fault(status=429, retry_after=30))
    started = time.monotonic()
    with client(sim, time_budget=3.0) as snc, pytest.raises(RateLimitedError) as caught:
        snc.current_user()
    message = str(caught.value)
    assert time.monotonic() - started < 3.0
    assert caught.value.retry_after == 30
    assert "retry after" in message
    assert "rate limit rule" in message


def test_server_errors_are_retried_with_backoff_then_succeed(sim: Simulator, client: Client) -> None:
    """Two 503 answers are retried with backoff and the third attempt's rows are returned."""
    sim.inject(Fault(status=503, times=2))
    with client(sim, max_retries=3) as snc:
        user = snc.current_user()
        entry = snc.log.items()[-1]
    assert user["user_sys_id"]
    assert (entry.status, entry.retries) == (200, 2)


def test_server_errors_give_up_after_max_retries(sim: Simulator, client: Client) -> None:
    """A 503 that never ends raises ServerError after max_retries retries, naming the status."""
    sim.inject(Fault(status=503))
    with client(sim, max_retries=2) as snc, pytest.raises(ServerError) as caught:
        snc.current_user()
    assert "503" in str(caught.value)
    assert "2 retries" in str(caught.value)
    assert snc.log.items()[-1].retries == 2


def test_server_errors_give_up_within_the_time_budget(sim: Simulator, connect: Connect) -> None:
    """Backoff never sleeps past the time budget: ServerError comes before the budget runs out."""
    sim.inject(Fault(status=500))
    started = time.monotonic()
    conn = connect(sim, max_retries=50, time_budget=1.0)
    with ServiceNowClient(conn, backoff=0.2) as snc, pytest.raises(ServerError):
        snc.current_user()
    # No sleep starts past the budget; only the one request after the last sleep may end beyond it.
    assert time.monotonic() - started < 1.0 + 0.5


# -- answers that are not the REST API -----------------------------------------------------------------


def test_hibernating_instance_says_how_to_wake_it(client: Client) -> None:
    """A hibernating instance raises HibernatingError: sign in at developer.servicenow.com to wake it."""
    with (
        Simulator("hibernating") as sleeping,
        client(sleeping) as snc,
        pytest.raises(HibernatingError) as caught,
    ):
        snc.table("sys_user")
    assert "hibernating" in str(caught.value)
    assert "developer.servicenow.com" in str(caught.value)


def test_html_interstitial_is_unexpected_response(sim: Simulator, client: Client) -> None:
    """A 200 HTML login/proxy page raises UnexpectedResponseError saying it is not the REST API."""
    sim.inject(Fault(kind="interstitial"))
    with client(sim) as snc, pytest.raises(UnexpectedResponseError) as caught:
        snc.table("sys_user")
    assert not isinstance(caught.value, HibernatingError)
    assert "HTML page, not the REST API" in str(caught.value)


def test_redirect_is_not_followed(sim: Simulator, client: Client) -> None:
    """A 302 raises UnexpectedResponseError naming where it pointed; the client never follows it."""
    sim.inject(Fault(kind="redirect"))
    with client(sim) as snc, pytest.raises(UnexpectedResponseError) as caught:
        snc.table("sys_user")
    message = str(caught.value)
    assert "redirect (302) to https://sso.example.com/adfs/ls/" in message
    assert "SAMLRequest" not in message
    assert "not followed with credentials" in message
    # Following it would have meant a second request (to sso.example.com, which does not resolve).
    assert [(e.status, e.retries, e.error) for e in snc.log.items()] == [(302, 0, "unexpected")]


def test_malformed_json_is_unexpected_response(sim: Simulator, client: Client) -> None:
    """A 2xx whose JSON is cut short raises UnexpectedResponseError saying the JSON is malformed."""
    sim.inject(Fault(kind="malformed"))
    with client(sim) as snc, pytest.raises(UnexpectedResponseError, match="malformed JSON"):
        snc.table("sys_user")
