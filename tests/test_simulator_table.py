"""The simulator's Table API answers like a ServiceNow instance (servicenow-facts.md §3, §6)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from snow_preflight.simulator import Simulator

ADMIN_ID = "6816f79cc0a8016401c5a33be04be441"
FN_FIELDS = "function_name,use_mid_server"


def get(sim: Simulator, http: requests.Session, path: str, **params: Any) -> requests.Response:
    return http.get(sim.url + path, params=params, timeout=10)


def rundeck_methods(sim: Simulator, http: requests.Session, **params: Any) -> list[dict[str, Any]]:
    response = get(
        sim,
        http,
        "/api/now/table/sys_rest_message_fn",
        sysparm_query="rest_message.name=Rundeck - API^ORDERBYfunction_name",
        **params,
    )
    assert response.status_code == 200
    rows: list[dict[str, Any]] = response.json()["result"]
    return rows


def test_list_envelope_holds_only_strings(sim: Simulator, http: requests.Session) -> None:
    """A list answer is {"result": [...]} whose every value is a string, booleans "true"/"false"."""
    response = get(sim, http, "/api/now/table/sys_user", sysparm_query="user_name=admin")
    assert response.headers["Content-Type"].startswith("application/json")
    rows = response.json()["result"]
    assert len(rows) == 1
    assert all(isinstance(v, str) for v in rows[0].values())
    assert rows[0]["active"] == "true"
    assert rows[0]["locked_out"] == "false"
    assert rows[0]["sys_id"] == ADMIN_ID


def test_dates_are_utc_strings(sim: Simulator, http: requests.Session) -> None:
    """Date-time fields come as YYYY-MM-DD HH:MM:SS."""
    row = get(sim, http, "/api/now/table/ecc_agent", sysparm_query="name=prod-mid-server").json()["result"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["last_refreshed"])


def test_empty_field_is_empty_string(sim: Simulator, http: requests.Session) -> None:
    """An empty field, reference or not, is "" by default."""
    row = get(sim, http, "/api/now/table/sys_user_has_role", sysparm_query="user=" + ADMIN_ID).json()[
        "result"
    ][0]
    assert row["granted_by"] == ""
    assert row["included_in_role"] == ""


def test_single_record_envelope_is_an_object(sim: Simulator, http: requests.Session) -> None:
    """GET /table/{t}/{sys_id} answers {"result": {...}}."""
    response = get(sim, http, f"/api/now/table/sys_user/{ADMIN_ID}", sysparm_fields="user_name")
    assert response.json() == {"result": {"user_name": "admin"}}


def test_unknown_sys_id_is_404(sim: Simulator, http: requests.Session) -> None:
    """An unknown sys_id is 404 "No Record found"."""
    response = get(sim, http, "/api/now/table/sys_user/" + "0" * 32)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No Record found"
    assert response.json()["status"] == "failure"


def test_unknown_table_is_400(sim: Simulator, http: requests.Session) -> None:
    """An unknown table is 400 "Invalid table <name>" with detail null."""
    response = get(sim, http, "/api/now/table/x_not_a_table")
    assert response.status_code == 400
    assert response.json() == {
        "error": {"message": "Invalid table x_not_a_table", "detail": None},
        "status": "failure",
    }


def test_v1_empty_list_is_404(sim: Simulator, http: requests.Session) -> None:
    """Under /api/now/v1 a query matching nothing is 404."""
    response = get(sim, http, "/api/now/v1/table/sys_user", sysparm_query="user_name=nobody")
    assert response.status_code == 404


@pytest.mark.parametrize("prefix", ["/api/now/table", "/api/now/v2/table"])
def test_latest_empty_list_is_200(sim: Simulator, http: requests.Session, prefix: str) -> None:
    """Unversioned and v2 queries matching nothing are 200 {"result": []}."""
    response = get(sim, http, prefix + "/sys_user", sysparm_query="user_name=nobody")
    assert response.status_code == 200
    assert response.json() == {"result": []}
    assert response.headers["X-Total-Count"] == "0"


def test_v1_links_follow_the_version(sim: Simulator, http: requests.Session) -> None:
    """Reference links follow the version path of the request."""
    row = get(
        sim,
        http,
        "/api/now/v1/table/sys_rest_message_fn",
        sysparm_query="function_name=GET - Projects",
        sysparm_fields="use_mid_server",
    ).json()["result"][0]
    assert "/api/now/v1/table/ecc_agent/" in row["use_mid_server"]["link"]


def test_head_answers_headers_without_body(sim: Simulator, http: requests.Session) -> None:
    """HEAD answers the GET's status and headers, no body."""
    response = http.head(sim.url + "/api/now/table/sys_user", timeout=10)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["X-Total-Count"] == "5"


def test_unknown_fields_are_silently_omitted(sim: Simulator, http: requests.Session) -> None:
    """sysparm_fields naming an unknown field omits that key, without error."""
    row = get(
        sim,
        http,
        "/api/now/table/sys_user",
        sysparm_query="user_name=admin",
        sysparm_fields="user_name,no_such_field,name.bogus",
    ).json()["result"][0]
    assert row == {"user_name": "admin"}


def test_dot_walked_field_key_is_the_dotted_string(sim: Simulator, http: requests.Session) -> None:
    """A dot-walked field comes back under its dotted name, next to the reference."""
    rows = rundeck_methods(
        sim, http, sysparm_fields="function_name,use_mid_server.name,use_mid_server.status"
    )
    assert rows[0] == {
        "function_name": "GET - Projects",
        "use_mid_server.name": "prod-mid-server",
        "use_mid_server.status": "Up",
    }


def test_two_step_dot_walk(sim: Simulator, http: requests.Session) -> None:
    """Dot-walks chain through references (included_in_role.role.name)."""
    with Simulator("roles_via_contained_role") as other, requests.Session() as session:
        session.auth = (other.credentials["username"], other.credentials["password"])
        response = session.get(
            other.url + "/api/now/table/sys_user_has_role",
            params={
                "sysparm_query": "user.user_name=svc_preflight^inherited=true^ORDERBYrole.name",
                "sysparm_fields": "role.name,included_in_role.role.name,inherited",
            },
            timeout=10,
        )
    assert response.json()["result"] == [
        {
            "role.name": "web_service_admin",
            "included_in_role.role.name": "rundeck_integration_admin",
            "inherited": "true",
        },
        {
            "role.name": "x_pd_process_autom.app_user",
            "included_in_role.role.name": "rundeck_integration_admin",
            "inherited": "true",
        },
    ]


MATRIX = [
    ("false", "false", {"link", "value"}),
    ("false", "true", str),
    ("true", "false", {"link", "display_value"}),
    ("true", "true", str),
    ("all", "false", {"display_value", "link", "value"}),
    ("all", "true", {"display_value", "value"}),
]


@pytest.mark.parametrize(("display", "exclude", "shape"), MATRIX)
def test_reference_rendering_matrix(
    sim: Simulator, http: requests.Session, display: str, exclude: str, shape: object
) -> None:
    """A non-empty reference renders per sysparm_display_value x sysparm_exclude_reference_link."""
    row = rundeck_methods(
        sim,
        http,
        sysparm_fields=FN_FIELDS,
        sysparm_display_value=display,
        sysparm_exclude_reference_link=exclude,
    )[0]
    reference = row["use_mid_server"]
    if shape is str:
        expected = "prod-mid-server" if display == "true" else reference
        assert reference == expected
        assert isinstance(reference, str)
        if display == "false":
            assert re.fullmatch(r"[0-9a-f]{32}", reference)
    else:
        assert set(reference) == shape
        if "link" in reference:
            assert (
                reference["link"]
                == f"{sim.url}/api/now/table/ecc_agent/{reference.get('value') or reference['link'][-32:]}"
            )
        if "display_value" in reference:
            assert reference["display_value"] == "prod-mid-server"


def test_display_all_wraps_plain_fields(sim: Simulator, http: requests.Session) -> None:
    """Under display_value=all a plain field is {"display_value", "value"}."""
    row = rundeck_methods(sim, http, sysparm_fields=FN_FIELDS, sysparm_display_value="all")[0]
    assert row["function_name"] == {"display_value": "GET - Projects", "value": "GET - Projects"}


def test_empty_reference_under_display_all(sim: Simulator, http: requests.Session) -> None:
    """An empty reference is {"display_value": "", "value": ""} under all and "" otherwise."""
    path = "/api/now/table/sys_rest_message_fn"
    query = "function_name=get"
    all_row = get(
        sim, http, path, sysparm_query=query, sysparm_fields="use_mid_server", sysparm_display_value="all"
    ).json()["result"][0]
    plain_row = get(sim, http, path, sysparm_query=query, sysparm_fields="use_mid_server").json()["result"][0]
    assert all_row["use_mid_server"] == {"display_value": "", "value": ""}
    assert plain_row["use_mid_server"] == ""


def test_parent_table_returns_child_class_rows(sim: Simulator, http: requests.Session) -> None:
    """sys_scope returns sys_store_app and sys_app rows, each with its sys_class_name."""
    rows = get(
        sim,
        http,
        "/api/now/table/sys_scope",
        sysparm_fields="scope,sys_class_name",
        sysparm_query="ORDERBYscope",
    ).json()["result"]
    classes = {row["scope"]: row["sys_class_name"] for row in rows}
    assert classes["x_pd_process_autom"] == "sys_store_app"
    assert classes["x_acme_ops_tools"] == "sys_app"
    assert classes["global"] == "sys_scope"


def test_store_app_has_the_store_listing_sys_id(sim: Simulator, http: requests.Session) -> None:
    """The PagerDuty Automation row is sys_store_app 1f1cf27a... in scope x_pd_process_autom, active."""
    rows = get(
        sim,
        http,
        "/api/now/table/sys_store_app",
        sysparm_query="scope=x_pd_process_autom",
        sysparm_fields="sys_id,name,version,active",
    ).json()["result"]
    assert rows == [
        {
            "sys_id": "1f1cf27adb252110e8744a6c139619f8",
            "name": "PagerDuty Automation",
            "version": "1.3.2",
            "active": "true",
        }
    ]


def test_paging_link_header(sim: Simulator, http: requests.Session) -> None:
    """A middle page carries first/prev/next/last links with sysparm_offset and sysparm_limit."""
    response = get(
        sim,
        http,
        "/api/now/table/sys_user_role",
        sysparm_limit=2,
        sysparm_offset=2,
        sysparm_query="ORDERBYname",
    )
    links = {rel: url for url, rel in re.findall(r'<([^>]+)>;rel="(\w+)"', response.headers["Link"])}
    assert set(links) == {"first", "prev", "next", "last"}
    assert "sysparm_offset=0" in links["first"]
    assert "sysparm_offset=0" in links["prev"]
    assert "sysparm_offset=4" in links["next"]
    assert "sysparm_offset=8" in links["last"]
    assert all("sysparm_limit=2" in url for url in links.values())
    assert len(response.json()["result"]) == 2
    assert response.headers["X-Total-Count"] == "9"


def test_first_page_has_no_prev_link(sim: Simulator, http: requests.Session) -> None:
    """The first page omits rel="prev"."""
    response = get(sim, http, "/api/now/table/sys_user_role", sysparm_limit=4)
    assert 'rel="prev"' not in response.headers["Link"]
    assert 'rel="next"' in response.headers["Link"]


def test_single_page_has_no_link_header(sim: Simulator, http: requests.Session) -> None:
    """When everything fits one page there is no Link header."""
    assert "Link" not in get(sim, http, "/api/now/table/sys_user_role").headers


def test_pagination_header_can_be_suppressed(sim: Simulator, http: requests.Session) -> None:
    """sysparm_suppress_pagination_header=true removes Link."""
    response = get(
        sim, http, "/api/now/table/sys_user_role", sysparm_limit=2, sysparm_suppress_pagination_header="true"
    )
    assert "Link" not in response.headers
    assert response.headers["X-Total-Count"] == "9"


def test_no_count_omits_total(sim: Simulator, http: requests.Session) -> None:
    """sysparm_no_count=true omits X-Total-Count."""
    assert "X-Total-Count" not in get(sim, http, "/api/now/table/sys_user", sysparm_no_count="true").headers


def test_offset_pages_through_in_order(sim: Simulator, http: requests.Session) -> None:
    """Pages by sysparm_offset with ORDERBYsys_id cover every row once."""
    seen: list[str] = []
    for offset in range(0, 9, 4):
        rows = get(
            sim,
            http,
            "/api/now/table/sys_user_role",
            sysparm_limit=4,
            sysparm_offset=offset,
            sysparm_query="ORDERBYsys_id",
            sysparm_fields="sys_id",
        ).json()["result"]
        seen += [row["sys_id"] for row in rows]
    assert seen == sorted(seen)
    assert len(set(seen)) == 9


def test_sys_properties_hidden_from_non_admin(sim: Simulator, http: requests.Session) -> None:
    """A non-admin reads sys_properties as 200 with no rows while X-Total-Count counts them."""
    response = get(sim, http, "/api/now/table/sys_properties", sysparm_query="name=mid.buildstamp")
    assert response.status_code == 200
    assert response.json() == {"result": []}
    assert response.headers["X-Total-Count"] == "1"


def test_admin_reads_sys_properties(sim: Simulator) -> None:
    """The admin login reads mid.buildstamp."""
    response = requests.get(
        sim.url + "/api/now/table/sys_properties",
        auth=("admin", sim.users["admin"]),
        params={"sysparm_query": "name=mid.buildstamp", "sysparm_fields": "value"},
        timeout=10,
    )
    assert response.json()["result"][0]["value"].startswith("vancouver-")


def test_current_user(sim: Simulator, http: requests.Session) -> None:
    """/api/now/ui/user/current_user names the caller under user_sys_id and user_name."""
    result = get(sim, http, "/api/now/ui/user/current_user").json()["result"]
    assert result["user_name"] == "svc_preflight"
    assert re.fullmatch(r"[0-9a-f]{32}", result["user_sys_id"])
    assert {"name", "email"} <= set(result)


def test_stats_count(sim: Simulator, http: requests.Session) -> None:
    """/api/now/stats with sysparm_count=true answers {"result": {"stats": {"count": "N"}}}."""
    response = get(sim, http, "/api/now/stats/ecc_agent", sysparm_count="true", sysparm_query="status=Up")
    assert response.json() == {"result": {"stats": {"count": "2"}}}


def test_stats_group_by(sim: Simulator, http: requests.Session) -> None:
    """With sysparm_group_by the result is a list of stats + groupby_fields."""
    response = get(
        sim, http, "/api/now/stats/sys_scope", sysparm_count="true", sysparm_group_by="sys_class_name"
    )
    result = response.json()["result"]
    assert {
        "stats": {"count": "2"},
        "groupby_fields": [{"field": "sys_class_name", "value": "sys_store_app"}],
    } in result


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_are_refused_and_recorded(sim: Simulator, http: requests.Session, method: str) -> None:
    """Every write to the Table API is 403 "Operation Failed" (ACL Exception) and is in the request log."""
    path = f"/api/now/table/sys_user/{ADMIN_ID}" if method != "POST" else "/api/now/table/sys_user"
    before = len(sim.requests)
    response = http.request(method, sim.url + path, json={"active": "false"}, timeout=10)
    assert response.status_code == 403
    body = response.json()
    assert body["error"]["message"] == "Operation Failed"
    assert body["error"]["detail"].startswith("ACL Exception")
    assert [r.method for r in sim.requests[before:]] == [method]
    after = get(sim, http, f"/api/now/table/sys_user/{ADMIN_ID}", sysparm_fields="active").json()
    assert after == {"result": {"active": "true"}}


def test_request_log_records_user_and_times(sim: Simulator, http: requests.Session) -> None:
    """The request log keeps method, path, query, status, times and the authenticated user."""
    get(sim, http, "/api/now/table/sys_user", sysparm_limit=1)
    record = sim.requests[-1]
    assert (record.method, record.path, record.status) == ("GET", "/api/now/table/sys_user", 200)
    assert record.query == {"sysparm_limit": "1"}
    assert record.username == "svc_preflight"
    assert record.finished >= record.started
