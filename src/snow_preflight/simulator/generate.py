"""Bulk rows for big scenarios, built in code from a small ``"generate"`` block.

``{"methods": 40, "mid_servers": 800, "role_rows": 3000, "login": "svc_preflight"}`` brings the
Rundeck - API message to 40 HTTP methods, ``ecc_agent`` to 800 rows and the login's
``sys_user_has_role`` rows to 3,000, counting the rows the parent scenario already has. The
output is deterministic: same block, same rows.
"""

from __future__ import annotations

from typing import Any

RawRows = dict[str, list[dict[str, Any]]]
_VERSION = "vancouver-07-06-2023__patch4-11-29-2023_12-06-2023_1846"
_STATUSES = ("Up",) * 17 + ("Down", "Paused", "Upgrade Failed")


def _mids(count: int) -> list[dict[str, Any]]:
    rows = []
    for index in range(count):
        status = _STATUSES[index % len(_STATUSES)]
        rows.append(
            {
                "_id": f"gen-mid-{index:04d}",
                "name": f"gen-mid-{index:04d}",
                "status": status,
                "validated": "true" if index % 23 else "false",
                "last_refreshed": "@now-1m" if status == "Up" else "@now-2d",
                "started": "@now-30d",
                "version": _VERSION,
                "host_name": f"mid{index:04d}.dc{index % 7}.example.com",
                "ip_address": f"10.{40 + index // 250}.{index % 250}.{10 + index % 200}",
                "host_os_distribution": "Red Hat Enterprise Linux",
                "host_type": "Linux",
                "user_name": "mid.server",
            }
        )
    return rows


def _methods(count: int, good_mids: list[str]) -> list[dict[str, Any]]:
    rows = []
    for index in range(count):
        verb = "POST" if index % 3 == 0 else "GET"
        mid = good_mids[index % len(good_mids)] if good_mids else ""
        rows.append(
            {
                "_id": f"gen-fn-{index:03d}",
                "rest_message": "@sys_rest_message:rundeck_api",
                "function_name": f"{verb} - Generated {index:03d}",
                "http_method": verb,
                "rest_endpoint": "${rd_api_protocol}://${rd_api_endpoint}:${rd_api_port}/api/${rd_api_version}"
                f"/generated/{index}",
                "use_mid_server": f"@ecc_agent:{mid}" if mid else "",
                "sys_scope": "@sys_scope:x_pd_process_autom",
                "sys_package": "@sys_package:x_pd_process_autom",
                "sys_name": f"{verb} - Generated {index:03d}",
            }
        )
    return rows


def _roles(count: int, login: str) -> RawRows:
    roles, grants = [], []
    for index in range(count):
        key = f"x_gen_app_{index // 10:03d}.role_{index % 10}"
        roles.append({"_id": key, "name": key, "suffix": f"role_{index % 10}"})
        grants.append(
            {
                "_id": f"gen-grant-{index:04d}",
                "user": f"@sys_user:{login}",
                "role": f"@sys_user_role:{key}",
                "inherited": False,
                "state": "active",
                "inh_count": "0",
            }
        )
    return {"sys_user_role": roles, "sys_user_has_role": grants}


def generate(spec: dict[str, Any], existing: RawRows) -> RawRows:
    """Rows to add so the tables reach the sizes the spec asks for."""
    login = str(spec.get("login", "svc_preflight"))
    out: RawRows = {}
    mid_count = int(spec.get("mid_servers", 0)) - len(existing.get("ecc_agent", []))
    if mid_count > 0:
        out["ecc_agent"] = _mids(mid_count)
    good = [
        str(row["_id"])
        for row in out.get("ecc_agent", [])
        if row["status"] == "Up" and row["validated"] == "true"
    ][:10] or [str(row["_id"]) for row in existing.get("ecc_agent", [])]
    rundeck_methods = [
        row
        for row in existing.get("sys_rest_message_fn", [])
        if row.get("rest_message") == "@sys_rest_message:rundeck_api"
    ]
    method_count = int(spec.get("methods", 0)) - len(rundeck_methods)
    if method_count > 0:
        out["sys_rest_message_fn"] = _methods(method_count, good)
    login_rows = [
        row for row in existing.get("sys_user_has_role", []) if row.get("user") == f"@sys_user:{login}"
    ]
    role_count = int(spec.get("role_rows", 0)) - len(login_rows)
    if role_count > 0:
        out.update(_roles(role_count, login))
    return out
