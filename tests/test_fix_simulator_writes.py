"""The simulator takes writes as a real instance does (servicenow-facts.md §3.4, §8): PATCH of a record,
the Attachment API, journal fields, customer updates, ACL-denied writes, and someone else's edit."""

from __future__ import annotations

from typing import Any

import requests
from fix_support import ADMIN, METHODS, admin_get, fresh, mid_id

from snow_preflight.simulator import Simulator

SCENARIO = "fixable"
LOGIN = ("svc_preflight", "preflight-demo-pw")
JANE = ("jane.doe", "jane-demo-pw")
DENIED = {
    "error": {
        "message": "Operation Failed",
        "detail": "ACL Exception Update Failed due to security constraints",
    },
    "status": "failure",
}


def _method(sim: Simulator, name: str) -> dict[str, Any]:
    [row] = admin_get(sim, METHODS, sysparm_query=f"function_name={name}^rest_message.name=Rundeck - API")
    return dict(row)


def _patch(
    sim: Simulator, path: str, body: object, auth: tuple[str, str] = LOGIN, **params: str
) -> requests.Response:
    return requests.patch(sim.url + path, json=body, params=params, auth=auth, timeout=10)


def test_a_patch_saves_the_field_and_advances_the_audit_fields() -> None:
    """A web_service_admin PATCH of use_mid_server answers 200 with the record; sys_mod_count goes up by one,
    sys_updated_on and sys_updated_by name the write."""
    with fresh(SCENARIO) as sim:
        method, target = _method(sim, "GET - Projects"), mid_id(sim, "prod-mid-server")
        answer = _patch(
            sim, f"{METHODS}/{method['sys_id']}", {"use_mid_server": target}, sysparm_fields="use_mid_server"
        )
        assert answer.status_code == 200
        assert answer.json()["result"]["use_mid_server"]["value"] == target
        after = _method(sim, "GET - Projects")
    assert after["use_mid_server"]["value"] == target
    assert after["sys_mod_count"] == "1"
    assert after["sys_updated_by"] == "svc_preflight"
    assert after["sys_updated_on"] > method["sys_updated_on"]


def test_a_patch_that_changes_nothing_is_not_saved() -> None:
    """Writing the value a field already holds, an unknown field or a sys_ field leaves the record as it was."""
    with fresh(SCENARIO) as sim:
        method = _method(sim, "GET - Webhooks")
        body = {
            "use_mid_server": method["use_mid_server"]["value"],
            "no_such_field": "x",
            "sys_mod_count": "99",
        }
        assert _patch(sim, f"{METHODS}/{method['sys_id']}", body).status_code == 200
        assert _method(sim, "GET - Webhooks") == method


def test_put_updates_like_patch() -> None:
    """PUT takes the same partial body as PATCH (the Table API does not replace the record)."""
    with fresh(SCENARIO) as sim:
        method = _method(sim, "GET - Projects")
        answer = requests.put(
            f"{sim.url}{METHODS}/{method['sys_id']}", json={"content": "{}"}, auth=LOGIN, timeout=10
        )
        assert answer.status_code == 200
        after = _method(sim, "GET - Projects")
    assert after["content"] == "{}"
    assert after["function_name"] == "GET - Projects"


def test_a_login_without_the_role_is_denied_with_the_platforms_acl_error(sim: Simulator) -> None:
    """jane.doe (itil, not web_service_admin) gets 403 "ACL Exception Update Failed due to security
    constraints", and the record does not change."""
    method = _method(sim, "GET - Projects")
    answer = _patch(sim, f"{METHODS}/{method['sys_id']}", {"use_mid_server": ""}, auth=JANE)
    assert (answer.status_code, answer.json()) == (403, DENIED)
    assert _method(sim, "GET - Projects") == method


def test_a_scenario_acl_can_deny_writes_to_a_login_that_holds_the_role() -> None:
    """In no_write_rights, svc_preflight (web_service_admin) reads the HTTP methods but may not write them."""
    with fresh("no_write_rights") as sim:
        method = _method(sim, "GET - Projects")
        answer = _patch(
            sim, f"{METHODS}/{method['sys_id']}", {"use_mid_server": mid_id(sim, "prod-mid-server")}
        )
        assert (answer.status_code, answer.json()) == (403, DENIED)
        assert requests.get(sim.url + METHODS, auth=LOGIN, timeout=10).status_code == 200


def test_a_role_through_a_group_grants_the_write() -> None:
    """A login that holds web_service_admin only through its group may write the HTTP methods."""
    with fresh("roles_via_group") as sim:
        method = _method(sim, "GET - Projects")
        assert _patch(sim, f"{METHODS}/{method['sys_id']}", {"content": "{}"}).status_code == 200


def test_bad_writes_get_the_platforms_answers(sim: Simulator) -> None:
    """A missing record is 404, an unknown table 400 "Invalid table", a body that is not JSON 400, and a
    POST or DELETE on the Table API is refused with the ACL error."""
    assert _patch(sim, f"{METHODS}/{'0' * 32}", {"content": "x"}).status_code == 404
    assert (
        _patch(sim, "/api/now/table/no_such_table/abc", {}).json()["error"]["message"]
        == "Invalid table no_such_table"
    )
    method = _method(sim, "GET - Projects")
    bad = requests.patch(f"{sim.url}{METHODS}/{method['sys_id']}", data=b"{not json", auth=LOGIN, timeout=10)
    assert bad.status_code == 400
    assert requests.post(sim.url + METHODS, json={}, auth=ADMIN, timeout=10).status_code == 403
    assert (
        requests.delete(f"{sim.url}{METHODS}/{method['sys_id']}", auth=ADMIN, timeout=10).status_code == 403
    )


def test_an_app_file_write_leaves_a_customer_update_only_admins_can_read() -> None:
    """Saving an HTTP method of the app writes sys_update_xml sys_rest_message_fn_<sys_id> in the Default
    update set of scope x_pd_process_autom; a non-admin reading it gets 403."""
    with fresh(SCENARIO) as sim:
        method = _method(sim, "GET - Projects")
        _patch(sim, f"{METHODS}/{method['sys_id']}", {"content": "{}"})
        _patch(sim, f"{METHODS}/{method['sys_id']}", {"content": "[]"})
        rows = admin_get(
            sim,
            "/api/now/table/sys_update_xml",
            sysparm_fields="name,update_set.name,application.scope,action",
        )
        denied = requests.get(sim.url + "/api/now/table/sys_update_xml", auth=LOGIN, timeout=10)
    assert rows == [
        {
            "name": f"sys_rest_message_fn_{method['sys_id']}",
            "update_set.name": "Default",
            "application.scope": "x_pd_process_autom",
            "action": "INSERT_OR_UPDATE",
        }
    ]
    assert denied.status_code == 403


def test_a_work_note_is_a_journal_entry_and_reads_back_empty() -> None:
    """PATCH work_notes on a change request (itil): the answer's work_notes is "", a sys_journal_field entry
    holds the text, and the change request's sys_mod_count advances."""
    with fresh(SCENARIO) as sim:
        [change] = admin_get(sim, "/api/now/table/change_request", sysparm_query="number=CHG0030001")
        path = f"/api/now/table/change_request/{change['sys_id']}"
        answer = _patch(sim, path, {"work_notes": "pre-flight: GO"}, auth=JANE)
        [note] = admin_get(
            sim, "/api/now/table/sys_journal_field", sysparm_query=f"element_id={change['sys_id']}"
        )
    assert answer.status_code == 200
    assert answer.json()["result"]["work_notes"] == ""
    assert answer.json()["result"]["sys_mod_count"] == "1"
    assert (note["element"], note["value"], note["name"]) == (
        "work_notes",
        "pre-flight: GO",
        "change_request",
    )


def test_the_attachment_api_stores_the_file_and_answers_201() -> None:
    """POST /api/now/attachment/file stores the raw body: 201, a Location, the sys_attachment record with its
    size and sha256, and GET .../file gives the same bytes and Content-Type back."""
    body = b"<html>evidence</html>"
    with fresh(SCENARIO) as sim:
        [change] = admin_get(sim, "/api/now/table/change_request", sysparm_query="number=CHG0030001")
        params = {
            "table_name": "change_request",
            "table_sys_id": change["sys_id"],
            "file_name": "report.html",
        }
        answer = requests.post(
            sim.url + "/api/now/attachment/file",
            params=params,
            data=body,
            headers={"Content-Type": "text/html"},
            auth=JANE,
            timeout=10,
        )
        result = answer.json()["result"]
        back = requests.get(answer.headers["Location"] + "/file", auth=JANE, timeout=10)
    assert answer.status_code == 201
    assert answer.headers["Location"] == f"{sim.url}/api/now/attachment/{result['sys_id']}"
    assert (result["file_name"], result["size_bytes"], result["table_sys_id"]) == (
        "report.html",
        "21",
        change["sys_id"],
    )
    assert len(result["hash"]) == 64
    assert result["download_link"].endswith("/file")
    assert (back.content, back.headers["Content-Type"]) == (body, "text/html")


def test_the_attachment_api_refuses_what_a_real_instance_refuses(sim: Simulator) -> None:
    """No Content-Type or a missing parameter is 400; a missing record 404; a login that may not write the
    change request 403."""
    [change] = admin_get(sim, "/api/now/table/change_request", sysparm_query="number=CHG0030001")
    params = {"table_name": "change_request", "table_sys_id": change["sys_id"], "file_name": "a.json"}

    def post(auth: tuple[str, str], content_type: str | None = "application/json", **extra: str) -> int:
        headers = {"Content-Type": content_type} if content_type else {}
        url = sim.url + "/api/now/attachment/file"
        return requests.post(
            url, params={**params, **extra}, data=b"{}", headers=headers, auth=auth, timeout=10
        ).status_code

    assert post(JANE, content_type=None) == 400
    assert post(JANE, file_name="") == 400
    assert post(JANE, table_sys_id="0" * 32) == 404
    assert post(LOGIN) == 403


def test_someone_else_edits_a_record_after_it_was_read() -> None:
    """In changed_between_plan_and_apply, GET - Webhooks changes right after its first read: the first read
    shows sys_mod_count 0, the next shows 1, updated by jane.doe."""
    with fresh("changed_between_plan_and_apply") as sim:
        first = _method(sim, "GET - Webhooks")
        second = _method(sim, "GET - Webhooks")
    assert (first["sys_mod_count"], second["sys_mod_count"]) == ("0", "1")
    assert second["sys_updated_by"] == "jane.doe"
    assert second["rest_endpoint"].endswith("?max=200")


def test_the_request_log_names_the_fields_written_never_their_values() -> None:
    """A Table API write is logged with the names of the fields its body set; the values are not kept."""
    with fresh(SCENARIO) as sim:
        method = _method(sim, "GET - Projects")
        _patch(
            sim, f"{METHODS}/{method['sys_id']}", {"content": "secret-looking-value", "use_mid_server": ""}
        )
        [record] = [r for r in sim.requests if r.method == "PATCH"]
    assert record.fields == ("content", "use_mid_server")
    assert "secret-looking-value" not in repr(record)
