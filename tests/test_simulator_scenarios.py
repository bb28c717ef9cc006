"""Every scenario loads, serves, and shows the state its description promises."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from snow_preflight.simulator import Simulator, list_scenarios, load_scenario
from snow_preflight.simulator.acl import AclRules

REQUIRED = {
    "healthy",
    "typical",
    "method_without_mid",
    "mid_down",
    "mid_not_validated",
    "mid_stale_heartbeat",
    "mid_version_mismatch",
    "mid_open_issue",
    "app_missing",
    "app_inactive",
    "legacy_app",
    "role_missing",
    "roles_via_group",
    "roles_via_contained_role",
    "login_is_admin_only",
    "mid_table_hidden",
    "roles_table_denied",
    "rest_message_missing",
    "methods_split_across_mids",
    "restprobe_failures",
    "hibernating",
    "interstitial",
    "rate_limited",
    "server_error",
    "large",
}
FAULTY = {"hibernating", "interstitial", "interstitial_redirect", "rate_limited", "server_error"}
ROLE_QUERY = "user=javascript:gs.getUserID()^role.nameINweb_service_admin,x_pd_process_autom.app_user"


def fetch(sim: Simulator, path: str, **params: Any) -> requests.Response:
    auth = (sim.credentials["username"], sim.credentials["password"])
    return requests.get(sim.url + path, params=params, auth=auth, timeout=10, allow_redirects=False)


def rows(sim: Simulator, table: str, **params: Any) -> list[dict[str, Any]]:
    response = fetch(sim, f"/api/now/table/{table}", **params)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["result"]
    return result


def test_required_scenarios_exist() -> None:
    """Every scenario the checks rely on is shipped, each with a one-line description."""
    listed = dict(list_scenarios())
    assert set(listed) >= REQUIRED
    assert all(description and "\n" not in description for description in listed.values())
    assert [name for name, _ in list_scenarios()] == sorted(listed)


@pytest.mark.parametrize("name", [name for name, _ in list_scenarios()])
def test_scenario_loads_and_serves(name: str) -> None:
    """Each scenario starts and answers a request (JSON unless it is a fault scenario)."""
    with Simulator(name) as sim:
        response = fetch(sim, "/api/now/table/sys_user", sysparm_limit=1)
    if name in FAULTY:
        assert response.status_code != 200 or "text/html" in response.headers["Content-Type"]
    else:
        assert response.status_code == 200
        assert len(response.json()["result"]) == 1


def test_sys_ids_are_deterministic() -> None:
    """Loading a scenario twice gives the same sys_ids, all 32 hex characters (global aside)."""
    first, second = load_scenario("healthy"), load_scenario("healthy")
    ids = [row["sys_id"] for table in first.tables.values() for row in table]
    assert ids == [row["sys_id"] for table in second.tables.values() for row in table]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids if i != "global")


def test_relative_times_resolve_at_load() -> None:
    """ "@now-2m" becomes a UTC time two minutes before load."""
    scenario = load_scenario("healthy")
    mid = next(row for row in scenario.tables["ecc_agent"] if row["name"] == "prod-mid-server")
    refreshed = datetime.strptime(mid["last_refreshed"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    age = (datetime.now(UTC) - refreshed).total_seconds()
    assert 110 <= age <= 140


def test_typical_has_a_method_without_mid_and_a_stale_mid() -> None:
    """typical: GET - Projects has no MID Server, and prod-mid-server's heartbeat is 45 minutes old."""
    with Simulator("typical") as sim:
        methods = {
            r["function_name"]: r["use_mid_server"]
            for r in rows(
                sim,
                "sys_rest_message_fn",
                sysparm_query="rest_message.name=Rundeck - API",
                sysparm_fields="function_name,use_mid_server",
                sysparm_exclude_reference_link="true",
            )
        }
        mid = rows(sim, "ecc_agent", sysparm_query="name=prod-mid-server")[0]
    assert methods["GET - Projects"] == ""
    assert methods["POST - Run Webhook"] != ""
    assert mid["status"] == "Up"
    assert mid["last_refreshed"] < time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 40 * 60))


def test_mid_table_hidden_rows_and_dot_walks() -> None:
    """mid_table_hidden: ecc_agent is 200 with no rows but a count; dot-walks into it are absent."""
    with Simulator("mid_table_hidden") as sim:
        response = fetch(sim, "/api/now/table/ecc_agent")
        methods = rows(
            sim,
            "sys_rest_message_fn",
            sysparm_query="function_name=GET - Projects",
            sysparm_fields="function_name,use_mid_server,use_mid_server.name",
        )
    assert response.json() == {"result": []}
    assert response.headers["X-Total-Count"] == "2"
    assert "use_mid_server.name" not in methods[0]
    assert methods[0]["use_mid_server"]["value"]


def test_limit_applies_before_acl() -> None:
    """sysparm_limit cuts the page before row ACLs: a page can come back short."""
    scenario = load_scenario("healthy")
    scenario.acl["svc_preflight"] = AclRules(hide_rows={"ecc_agent": "name=prod-mid-server"})
    with Simulator(scenario) as sim:
        first = fetch(sim, "/api/now/table/ecc_agent", sysparm_limit=1, sysparm_query="ORDERBYname")
        second = fetch(
            sim, "/api/now/table/ecc_agent", sysparm_limit=1, sysparm_offset=1, sysparm_query="ORDERBYname"
        )
    assert first.json()["result"] == []
    assert first.headers["X-Total-Count"] == "2"
    assert [r["name"] for r in second.json()["result"]] == ["prod-mid-server-2"]


def test_roles_table_denied_is_403() -> None:
    """roles_table_denied: sys_user_has_role answers 403 with the platform's denial body."""
    with Simulator("roles_table_denied") as sim:
        response = fetch(sim, "/api/now/table/sys_user_has_role")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "message": "Insufficient rights to query records",
        "detail": "No permission to read table 'sys_user_has_role'",
    }


def test_masked_field_is_absent() -> None:
    """A field ACL leaves the key out of every row."""
    scenario = load_scenario("healthy")
    scenario.acl["svc_preflight"] = AclRules(mask_fields={"sys_user": frozenset({"locked_out"})})
    with Simulator(scenario) as sim:
        row = rows(sim, "sys_user", sysparm_limit=1, sysparm_fields="user_name,locked_out")[0]
    assert set(row) == {"user_name"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("healthy", {("web_service_admin", "false", ""), ("x_pd_process_autom.app_user", "false", "")}),
        ("role_missing", {("web_service_admin", "false", "")}),
        (
            "roles_via_group",
            {
                ("web_service_admin", "true", "Rundeck Integrators"),
                ("x_pd_process_autom.app_user", "true", "Rundeck Integrators"),
            },
        ),
        ("login_is_admin_only", set()),
    ],
)
def test_role_rows_per_scenario(name: str, expected: set[tuple[str, str, str]]) -> None:
    """The login's role rows carry inherited / granted_by as each scenario describes."""
    with Simulator(name) as sim:
        found = rows(
            sim,
            "sys_user_has_role",
            sysparm_query=ROLE_QUERY,
            sysparm_display_value="true",
            sysparm_exclude_reference_link="true",
            sysparm_fields="role.name,inherited,granted_by",
        )
    assert {(r["role.name"], r["inherited"], r["granted_by"]) for r in found} == expected


def test_legacy_app_has_only_the_old_scope() -> None:
    """legacy_app: x_runde_rundeck_it exists, x_pd_process_autom does not."""
    with Simulator("legacy_app") as sim:
        scopes = {r["scope"] for r in rows(sim, "sys_scope", sysparm_fields="scope")}
    assert "x_runde_rundeck_it" in scopes
    assert "x_pd_process_autom" not in scopes


def test_large_scenario_sizes() -> None:
    """large: 40 Rundeck methods, 800 MID Servers, 3,000 role rows for the login."""
    with Simulator("large") as sim:
        methods = fetch(
            sim,
            "/api/now/table/sys_rest_message_fn",
            sysparm_limit=1,
            sysparm_query="rest_message.name=Rundeck - API",
        )
        mids = fetch(sim, "/api/now/table/ecc_agent", sysparm_limit=1)
        roles = fetch(
            sim,
            "/api/now/table/sys_user_has_role",
            sysparm_limit=1,
            sysparm_query="user=javascript:gs.getUserID()",
        )
    assert (methods.headers["X-Total-Count"], mids.headers["X-Total-Count"]) == ("40", "800")
    assert roles.headers["X-Total-Count"] == "3000"


def test_tls_true_makes_a_throwaway_ca() -> None:
    """Simulator(tls=True) serves HTTPS with a certificate its own ca_path verifies."""
    with Simulator("healthy", tls=True) as sim:
        assert sim.url.startswith("https://127.0.0.1:")
        assert sim.ca_path is not None
        response = requests.get(
            sim.url + "/api/now/table/sys_user",
            params={"sysparm_limit": 1},
            auth=(sim.credentials["username"], sim.credentials["password"]),
            verify=str(sim.ca_path),
            timeout=10,
        )
    assert response.status_code == 200
