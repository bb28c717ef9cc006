"""MID Servers and what passes through them: agents, their issues and clusters, the ECC queue."""

from __future__ import annotations

from snow_preflight.simulator.schema.table import TableDef, table

TABLES: list[TableDef] = [
    table(
        "ecc_agent",
        "name",
        {
            "name": "string",
            "status": "string",
            "validated": "string",
            "last_refreshed": "datetime",
            "started": "datetime",
            "stopped": "datetime",
            "version": "string",
            "host_name": "string",
            "ip_address": "string",
            "network": "string",
            "router": "string",
            "win_domain": "string",
            "host_os_distribution": "string",
            "host_os_version": "string",
            "host_os_address_width": "integer",
            "host_type": "string",
            "host_cpu_core_count": "integer",
            "host_total_ram": "integer",
            "jvm_version": "string",
            "mid_maximum_ram": "integer",
            "home_dir": "string",
            "user_name": "string",
            "unresolved_issues": "integer",
            "sys_domain": "string",
        },
    ),
    table(
        "ecc_agent_issue",
        "message",
        {
            "mid_server": "ref:ecc_agent",
            "source": "string",
            "message": "string",
            "state": "string",
            "last_detected": "datetime",
            "count": "integer",
        },
    ),
    table("ecc_agent_cluster", "name", {"name": "string", "type": "string"}),
    table(
        "ecc_agent_cluster_member_m2m",
        "sys_id",
        {
            "cluster": "ref:ecc_agent_cluster",
            "agent": "ref:ecc_agent",
            "order": "integer",
        },
    ),
    table(
        "ecc_queue",
        "name",
        {
            "agent": "string",
            "topic": "string",
            "name": "string",
            "source": "string",
            "queue": "string",
            "state": "string",
            "priority": "string",
            "payload": "string",
            "error_string": "string",
            "response_to": "ref:ecc_queue",
            "agent_correlator": "string",
            "processed": "datetime",
            "sequence": "string",
        },
    ),
]
