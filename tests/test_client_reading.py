"""Reading: tables page by page, records, the current user, counts; and nothing but GET."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from snow_preflight.servicenow.client import GroupCount, ServiceNowClient
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.simulator import Simulator

Client = Callable[[Simulator], ServiceNowClient]


@pytest.fixture
def basic(connect: Callable[..., ConnectionSettings]) -> Client:
    """``basic(sim)``: a client logged in to *sim* with Basic auth (the shared ``connect`` fixture)."""
    return lambda sim: ServiceNowClient(connect(sim, max_retries=3))


def test_a_table_is_read_across_pages_in_sys_id_order(sim: Simulator, basic: Client) -> None:
    """With a small page size every row arrives once, over several pages, ordered by sys_id."""
    with basic(sim) as snc:
        whole = snc.table("sys_user_has_role", fields=("sys_id", "role"))
        paged = snc.table("sys_user_has_role", fields=("sys_id", "role"), page_size=3)
    ids = [row["sys_id"] for row in paged.rows]
    assert paged.pages == -(-len(whole.rows) // 3) > 1
    assert ids == sorted(ids) == [row["sys_id"] for row in whole.rows]
    assert paged.total == len(ids)
    assert paged.hidden == 0


def test_orderby_sys_id_is_added_only_when_the_query_has_no_order(sim: Simulator, basic: Client) -> None:
    """The client appends ORDERBYsys_id to a query without ORDERBY and leaves an ordered query alone."""
    with basic(sim) as snc:
        snc.table("sys_user", query="active=true", fields=("sys_id",))
        snc.table("sys_user", query="active=true^ORDERBYDESCuser_name", fields=("sys_id",))
        queries = [e.query["sysparm_query"] for e in snc.log.items()]
    assert queries == ["active=true^ORDERBYsys_id", "active=true^ORDERBYDESCuser_name"]


def test_short_and_empty_pages_mid_table_are_followed_and_counted_hidden(basic: Client) -> None:
    """Pages cut short by row ACLs are followed to the end; X-Total-Count minus rows is reported hidden."""
    with Simulator("mid_table_hidden") as sim, basic(sim) as snc:
        read = snc.table("ecc_agent", fields=("sys_id", "name"), page_size=2)
    assert read.total is not None
    assert read.hidden == read.total - len(read.rows) > 0
    assert read.pages == -(-read.total // 2)
    assert len({row["sys_id"] for row in read.rows}) == len(read.rows)


def test_requested_fields_missing_from_every_row_are_masked(sim: Simulator, basic: Client) -> None:
    """A requested field absent from every returned row (field ACL or misspelt) is listed as masked."""
    with basic(sim) as snc:
        read = snc.table("sys_user", fields=("user_name", "no_such_field"))
    assert read.rows
    assert read.masked_fields == ["no_such_field"]


def test_max_rows_truncates_without_claiming_hidden_rows(sim: Simulator, basic: Client) -> None:
    """Stopping at max_rows marks the read truncated; the rows not fetched are not reported hidden."""
    with basic(sim) as snc:
        read = snc.table("sys_user_has_role", fields=("sys_id",), page_size=3, max_rows=4)
    assert len(read.rows) == 4
    assert read.truncated
    assert read.hidden == 0


def test_record_current_user_and_stats(sim: Simulator, basic: Client) -> None:
    """record() returns one row, current_user() has user_sys_id, stats() counts as the table read does."""
    with basic(sim) as snc:
        me = snc.current_user()
        row = snc.record("sys_user", me["user_sys_id"], fields=("user_name", "active"))
        users = snc.table("sys_user", fields=("active",))
        count = snc.stats("sys_user")
        groups = snc.stats("sys_user", group_by=("active",))
    assert row["user_name"] == sim.credentials["username"]
    assert count == len(users.rows)
    assert isinstance(groups, list)
    assert all(isinstance(g, GroupCount) for g in groups)
    assert sum(g.count for g in groups) == count
    assert {g.values["active"] for g in groups} == {r["active"] for r in users.rows}


def test_only_get_reaches_the_table_api(sim: Simulator, basic: Client) -> None:
    """A busy run of reads from ten threads sends nothing but GET to the instance's APIs."""
    before = len(sim.requests)
    tables = ["sys_user", "sys_user_role", "ecc_agent", "sys_scope", "sys_rest_message_fn"] * 4
    with basic(sim) as snc, ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda t: snc.table(t, page_size=2), tables))
        snc.current_user()
        snc.stats("ecc_agent")
    sent = sim.requests[before:]
    assert len(sent) > len(tables)
    assert {r.method for r in sent} == {"GET"}
    assert not hasattr(snc, "request")
    assert not hasattr(snc, "post")
