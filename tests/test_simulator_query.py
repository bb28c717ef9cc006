"""The simulator's encoded query engine behaves as servicenow-facts.md §3.2 describes."""

from __future__ import annotations

import pytest
import requests

from snow_preflight.simulator import Simulator

SCENARIO = "restprobe_failures"

ROLE_NAMES = [
    "admin",
    "itil",
    "mid_server",
    "rest_api_explorer",
    "rundeck_integration_admin",
    "snc_internal",
    "web_service_admin",
    "x_pd_process_autom.app_user",
    "x_pd_process_autom.executor",
]


def names(
    sim: Simulator, http: requests.Session, query: str, table: str = "sys_user_role", field: str = "name"
) -> list[str]:
    response = http.get(
        sim.url + f"/api/now/table/{table}",
        timeout=10,
        params={"sysparm_query": query, "sysparm_fields": field},
    )
    assert response.status_code == 200, response.text
    return sorted(row[field] for row in response.json()["result"])


CASES = [
    ("name=itil", ["itil"]),
    ("nameSTARTSWITHx_pd", ["x_pd_process_autom.app_user", "x_pd_process_autom.executor"]),
    ("nameENDSWITH_admin", ["rundeck_integration_admin", "web_service_admin"]),
    ("nameLIKEservice", ["web_service_admin"]),
    ("nameINitil,admin,nope", ["admin", "itil"]),
    ("nameNOT INitil,admin", [n for n in ROLE_NAMES if n not in ("itil", "admin")]),
    ("nameNOT LIKEx_", [n for n in ROLE_NAMES if "x_" not in n]),
    ("name=itil^ORname=admin", ["admin", "itil"]),
    ("nameSTARTSWITHx^nameLIKEexec", ["x_pd_process_autom.executor"]),
    ("name=itil^NQname=admin", ["admin", "itil"]),
    ("sys_scopeISNOTEMPTY", ["x_pd_process_autom.app_user", "x_pd_process_autom.executor"]),
    ("sys_scope.scope=x_pd_process_autom^suffix=app_user", ["x_pd_process_autom.app_user"]),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_operator(sim: Simulator, http: requests.Session, query: str, expected: list[str]) -> None:
    """Each operator selects the rows the platform would."""
    assert names(sim, http, query) == sorted(expected)


def test_not_equal_does_not_match_empty(sim: Simulator, http: requests.Session) -> None:
    """`field!=x` leaves out rows where the field is empty; ISEMPTY^OR finds them."""
    assert names(sim, http, "sys_scope!=nothing") == [
        "x_pd_process_autom.app_user",
        "x_pd_process_autom.executor",
    ]
    assert len(names(sim, http, "sys_scopeISEMPTY^ORsys_scope!=nothing")) == len(ROLE_NAMES)


def test_unknown_field_is_dropped(sim: Simulator, http: requests.Session) -> None:
    """A condition on an unknown field is ignored; the rest of the query still applies."""
    assert names(sim, http, "no_such_field=1^name=itil") == ["itil"]


def test_query_of_only_unknown_fields_returns_everything(sim: Simulator, http: requests.Session) -> None:
    """A query made only of unknown fields returns the whole table."""
    assert names(sim, http, "no_such_field=whatever") == sorted(ROLE_NAMES)


def test_valid_field_impossible_value_returns_nothing(sim: Simulator, http: requests.Session) -> None:
    """A known field with a value no row has returns 0 rows."""
    assert names(sim, http, "name=not-a-role") == []


def test_dot_walk_on_the_left(sim: Simulator, http: requests.Session) -> None:
    """`rest_message.name=Rundeck - API` filters methods by their message's name."""
    got = names(sim, http, "rest_message.name=Rundeck - API", "sys_rest_message_fn", "function_name")
    assert got == ["GET - Projects", "GET - Webhooks", "POST - Run Webhook"]


def test_dot_walk_with_in(sim: Simulator, http: requests.Session) -> None:
    """`role.nameINa,b` with `user=javascript:gs.getUserID()` finds the caller's role rows."""
    got = names(
        sim,
        http,
        "user=javascript:gs.getUserID()^role.nameINweb_service_admin,x_pd_process_autom.app_user",
        "sys_user_has_role",
        "role.name",
    )
    assert got == ["web_service_admin", "x_pd_process_autom.app_user"]


def test_get_user_name(sim: Simulator, http: requests.Session) -> None:
    """`javascript:gs.getUserName()` is the caller's user_name."""
    assert names(sim, http, "user_name=javascript:gs.getUserName()", "sys_user", "user_name") == [
        "svc_preflight"
    ]


def test_hours_ago_start(sim: Simulator, http: requests.Session) -> None:
    """`sys_created_on>javascript:gs.hoursAgoStart(1)` keeps only the last hour's ECC rows."""
    got = names(
        sim,
        http,
        "topic=RESTProbe^sys_created_on>javascript:gs.hoursAgoStart(1)^queue=input",
        "ecc_queue",
        "error_string",
    )
    assert len(got) == 3  # two failures and one success from 15 minutes ago
    assert "java.net.ConnectException: Connection refused (Connection refused)" in got


def test_minutes_ago_start(sim: Simulator, http: requests.Session) -> None:
    """`javascript:gs.minutesAgoStart(30)` compares as a date-time."""
    got = names(
        sim, http, "state=ready^sys_created_on>=javascript:gs.minutesAgoStart(30)", "ecc_queue", "name"
    )
    assert got == ["GET - Webhooks", "POST - Run Webhook"]


def test_number_comparison(sim: Simulator, http: requests.Session) -> None:
    """`<`, `>=` compare integers as numbers."""
    assert names(sim, http, "order>=150", "ecc_agent_cluster_member_m2m", "order") == ["200"]
    assert names(sim, http, "order<1000", "ecc_agent_cluster_member_m2m", "order") == ["100", "200"]


def test_orderby_and_orderbydesc(sim: Simulator, http: requests.Session) -> None:
    """ORDERBY sorts ascending, ORDERBYDESC descending."""

    def ordered(query: str) -> list[str]:
        response = http.get(
            sim.url + "/api/now/table/sys_user_role",
            timeout=10,
            params={"sysparm_query": query, "sysparm_fields": "name"},
        )
        return [row["name"] for row in response.json()["result"]]

    assert ordered("ORDERBYname") == sorted(ROLE_NAMES)
    assert ordered("ORDERBYDESCname") == sorted(ROLE_NAMES, reverse=True)


def test_name_value_filter(sim: Simulator, http: requests.Session) -> None:
    """A name-value pair (`&status=Up`) filters like a query condition."""
    response = http.get(
        sim.url + "/api/now/table/ecc_agent",
        timeout=10,
        params={"status": "Up", "sysparm_query": "name=prod-mid-server", "sysparm_fields": "name"},
    )
    assert response.json()["result"] == [{"name": "prod-mid-server"}]
