"""The ACL, duplicate-message and size scenarios show, over real sockets, what their descriptions promise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import requests

from snow_preflight.simulator import Simulator, list_scenarios

SCENARIO = "healthy"  # the `sim` / `http` fixtures: the baseline the other scenarios differ from
NEW_SCENARIOS = {
    "field_masked_use_mid_server",
    "field_masked_mid_status",
    "method_row_hidden",
    "legacy_app_beside_new",
    "global_copy_of_message",
    "buildstamp_unreadable",
    "ecc_queue_denied",
    "least_privilege_healthy",
    "huge_mids",
}
RUNDECK_API = "rest_message.name=Rundeck - API"
APP_SCOPE = "x_pd_process_autom"

Get = Callable[..., requests.Response]


@pytest.fixture(scope="module")
def instance() -> Iterator[Callable[[str], Simulator]]:
    """Start each scenario once for the module, on first use."""
    started: dict[str, Simulator] = {}
    with ExitStack() as stack:

        def get(name: str) -> Simulator:
            if name not in started:
                started[name] = stack.enter_context(Simulator(name))
            return started[name]

        yield get


def getter(sim: Simulator, user: str | None = None) -> Get:
    """GET a Table/Aggregate API path as the scenario's login (or another seeded user)."""
    name = user or sim.credentials["username"]
    auth = (name, sim.users[name])

    def get(path: str, **params: Any) -> requests.Response:
        return requests.get(sim.url + path, params=params, auth=auth, timeout=10)

    return get


def result(response: requests.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["result"]
    return rows


def methods(get: Get, fields: str) -> requests.Response:
    return get(
        "/api/now/table/sys_rest_message_fn",
        sysparm_query=f"{RUNDECK_API}^ORDERBYfunction_name",
        sysparm_fields=fields,
        sysparm_exclude_reference_link="true",
    )


def assert_denied(response: requests.Response, table: str) -> None:
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "message": "Insufficient rights to query records",
            "detail": f"No permission to read table '{table}'",
        },
        "status": "failure",
    }


def test_new_scenarios_are_listed() -> None:
    """Every scenario of this module is shipped under its contract name, with a one-line description."""
    listed = dict(list_scenarios())
    assert set(listed) >= NEW_SCENARIOS
    assert all(listed[name] and "\n" not in listed[name] for name in NEW_SCENARIOS)


def test_healthy_has_restprobe_rows(http: requests.Session, sim: Simulator) -> None:
    """healthy: ecc_queue holds RESTProbe output rows for Rundeck methods, each answered by an input row."""
    response = http.get(
        sim.url + "/api/now/table/ecc_queue",
        params={"sysparm_query": "topic=RESTProbe", "sysparm_exclude_reference_link": "true"},
        timeout=10,
    )
    rows = result(response)
    outputs = {r["sys_id"]: r for r in rows if r["queue"] == "output"}
    inputs = [r for r in rows if r["queue"] == "input"]
    assert {r["name"] for r in outputs.values()} == {"POST - Run Webhook", "GET - Projects"}
    assert {r["agent"] for r in rows} == {"mid.server.prod-mid-server"}
    assert {r["state"] for r in rows} == {"processed"}
    assert sorted(r["response_to"] for r in inputs) == sorted(outputs)


def test_healthy_non_admin_reads_no_properties(http: requests.Session, sim: Simulator) -> None:
    """healthy: a non-admin login reads sys_properties as 200 with no rows, while X-Total-Count counts them."""
    response = http.get(
        sim.url + "/api/now/table/sys_properties", params={"sysparm_query": "name=mid.buildstamp"}, timeout=10
    )
    assert result(response) == []
    assert response.headers["X-Total-Count"] == "1"


def test_field_masked_use_mid_server(instance: Callable[[str], Simulator]) -> None:
    """field_masked_use_mid_server: use_mid_server and its dot-walks are absent for the login, present for admin."""
    sim = instance("field_masked_use_mid_server")
    fields = "function_name,http_method,use_mid_server,use_mid_server.name"
    seen = result(methods(getter(sim), fields))
    assert [set(row) for row in seen] == [{"function_name", "http_method"}] * 3
    whole_rows = result(getter(sim)("/api/now/table/sys_rest_message_fn", sysparm_query=RUNDECK_API))
    assert all("use_mid_server" not in row and "rest_endpoint" in row for row in whole_rows)
    as_admin = result(methods(getter(sim, "admin"), fields))
    assert {row["use_mid_server.name"] for row in as_admin} == {"prod-mid-server"}


def test_field_masked_mid_status(instance: Callable[[str], Simulator]) -> None:
    """field_masked_mid_status: ecc_agent rows lack the status key (and use_mid_server.status), not the rest."""
    sim = instance("field_masked_mid_status")
    get = getter(sim)
    mids = result(get("/api/now/table/ecc_agent", sysparm_fields="name,status,validated,last_refreshed"))
    assert [set(row) for row in mids] == [{"name", "validated", "last_refreshed"}] * 2
    seen = result(methods(get, "function_name,use_mid_server.name,use_mid_server.status"))
    assert [set(row) for row in seen] == [{"function_name", "use_mid_server.name"}] * 3
    as_admin = result(getter(sim, "admin")("/api/now/table/ecc_agent", sysparm_fields="name,status"))
    assert {row["status"] for row in as_admin} == {"Up"}


def test_method_row_hidden(instance: Callable[[str], Simulator]) -> None:
    """method_row_hidden: 200 with 'GET - Webhooks' missing while X-Total-Count counts it; by sys_id it is 404."""
    sim = instance("method_row_hidden")
    response = methods(getter(sim), "function_name,sys_id")
    assert [row["function_name"] for row in result(response)] == ["GET - Projects", "POST - Run Webhook"]
    assert response.headers["X-Total-Count"] == "3"
    as_admin = result(methods(getter(sim, "admin"), "function_name,sys_id"))
    hidden = next(row["sys_id"] for row in as_admin if row["function_name"] == "GET - Webhooks")
    direct = getter(sim)(f"/api/now/table/sys_rest_message_fn/{hidden}")
    assert direct.status_code == 404
    assert direct.json()["error"]["message"] == "No Record found"


@pytest.mark.parametrize(
    ("name", "other_scope"),
    [("legacy_app_beside_new", "x_runde_rundeck_it"), ("global_copy_of_message", "global")],
)
def test_two_messages_named_rundeck_api(
    instance: Callable[[str], Simulator], name: str, other_scope: str
) -> None:
    """Two 'Rundeck - API' messages, one per scope; only the other copy has a method without a MID Server."""
    get = getter(instance(name))
    messages = result(
        get(
            "/api/now/table/sys_rest_message",
            sysparm_query="name=Rundeck - API",
            sysparm_fields="sys_scope.scope",
        )
    )
    assert sorted(row["sys_scope.scope"] for row in messages) == sorted([APP_SCOPE, other_scope])
    rows = result(methods(get, "function_name,use_mid_server,rest_message.sys_scope.scope,sys_scope.scope"))
    by_scope: dict[str, dict[str, str]] = {}
    for row in rows:
        assert row["sys_scope.scope"] == row["rest_message.sys_scope.scope"]
        by_scope.setdefault(row["sys_scope.scope"], {})[row["function_name"]] = row["use_mid_server"]
    assert set(by_scope) == {APP_SCOPE, other_scope}
    assert len(by_scope[APP_SCOPE]) == 3
    assert all(by_scope[APP_SCOPE].values())
    assert len(by_scope[other_scope]) == 3
    assert "" in by_scope[other_scope].values()


def test_legacy_app_beside_new_both_active(instance: Callable[[str], Simulator]) -> None:
    """legacy_app_beside_new: both store apps are installed and active, the legacy one as Rundeck Automation."""
    apps = result(
        getter(instance("legacy_app_beside_new"))(
            "/api/now/table/sys_scope",
            sysparm_query="scopeINx_pd_process_autom,x_runde_rundeck_it^active=true",
            sysparm_fields="scope,name,sys_class_name,active",
        )
    )
    assert sorted((row["scope"], row["name"], row["sys_class_name"]) for row in apps) == [
        (APP_SCOPE, "PagerDuty Automation", "sys_store_app"),
        ("x_runde_rundeck_it", "Rundeck Automation", "sys_store_app"),
    ]


def test_buildstamp_unreadable(instance: Callable[[str], Simulator]) -> None:
    """buildstamp_unreadable: sys_properties is 403 for the login; admin reads mid.buildstamp."""
    sim = instance("buildstamp_unreadable")
    assert_denied(
        getter(sim)("/api/now/table/sys_properties", sysparm_query="name=mid.buildstamp"), "sys_properties"
    )
    as_admin = result(
        getter(sim, "admin")("/api/now/table/sys_properties", sysparm_query="name=mid.buildstamp")
    )
    assert as_admin[0]["value"].startswith("vancouver-")


def test_ecc_queue_denied(instance: Callable[[str], Simulator]) -> None:
    """ecc_queue_denied: the Table API and the Aggregate API answer 403 for ecc_queue; ecc_agent still reads."""
    get = getter(instance("ecc_queue_denied"))
    assert_denied(get("/api/now/table/ecc_queue", sysparm_query="topic=RESTProbe"), "ecc_queue")
    assert_denied(get("/api/now/stats/ecc_queue", sysparm_count="true"), "ecc_queue")
    assert len(result(get("/api/now/table/ecc_agent"))) == 2


def test_least_privilege_healthy(instance: Callable[[str], Simulator], sim: Simulator) -> None:
    """least_privilege_healthy: sys_properties 200/0, ecc_agent_issue and ecc_queue 403, the rest as healthy."""
    get, baseline = getter(instance("least_privilege_healthy")), getter(sim)
    properties = get("/api/now/table/sys_properties", sysparm_query="name=mid.buildstamp")
    assert result(properties) == []
    assert properties.headers["X-Total-Count"] == "1"
    assert_denied(get("/api/now/table/ecc_agent_issue"), "ecc_agent_issue")
    assert_denied(get("/api/now/table/ecc_queue"), "ecc_queue")
    for table, fields in [
        ("sys_scope", "scope,name,version,active,sys_class_name"),
        ("sys_user_has_role", "user.user_name,role.name,inherited,state"),
        ("sys_rest_message_fn", "function_name,rest_message.name,use_mid_server.name,sys_scope.scope"),
        ("ecc_agent", "name,status,validated,version"),
    ]:
        params = {"sysparm_fields": fields, "sysparm_query": "ORDERBYsys_id"}
        assert result(get(f"/api/now/table/{table}", **params)) == result(
            baseline(f"/api/now/table/{table}", **params)
        ), table


def test_huge_mids_counts(instance: Callable[[str], Simulator]) -> None:
    """huge_mids: X-Total-Count says 12,000 MID Servers; methods and role rows are as in large."""
    get = getter(instance("huge_mids"))
    page = get("/api/now/table/ecc_agent", sysparm_limit=100, sysparm_query="ORDERBYname")
    assert page.headers["X-Total-Count"] == "12000"
    assert len(result(page)) == 100
    assert 'rel="next"' in page.headers["Link"]
    stats = get("/api/now/stats/ecc_agent", sysparm_count="true").json()
    assert stats == {"result": {"stats": {"count": "12000"}}}
    usable = get("/api/now/table/ecc_agent", sysparm_limit=1, sysparm_query="status=Up^validated=true")
    assert 0 < int(usable.headers["X-Total-Count"]) < 12000
    rundeck = get("/api/now/table/sys_rest_message_fn", sysparm_limit=1, sysparm_query=RUNDECK_API)
    roles = get(
        "/api/now/table/sys_user_has_role", sysparm_limit=1, sysparm_query="user=javascript:gs.getUserID()"
    )
    assert (rundeck.headers["X-Total-Count"], roles.headers["X-Total-Count"]) == ("40", "3000")
