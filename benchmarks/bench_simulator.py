"""Benchmark: how fast the simulator answers the checklist's typical Table API queries.

For the small (healthy) and large scenarios it sends each query 50 times over one keep-alive session and
prints the median and 95th-percentile latency in milliseconds.

    python benchmarks/bench_simulator.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests

from snow_preflight.simulator import Simulator

QUERIES = {
    "roles of the login": (
        "sys_user_has_role",
        {
            "sysparm_query": "user=javascript:gs.getUserID()^role.nameINweb_service_admin,x_pd_process_autom.app_user",
            "sysparm_fields": "role.name,inherited,granted_by,state",
        },
    ),
    "methods with MID (dot-walk)": (
        "sys_rest_message_fn",
        {
            "sysparm_query": "rest_message.name=Rundeck - API",
            "sysparm_fields": "sys_id,function_name,use_mid_server,use_mid_server.name",
        },
    ),
    "all MID Servers": ("ecc_agent", {"sysparm_fields": "sys_id,name,status,validated,last_refreshed"}),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=50, help="requests per query (default 50)")
    args = parser.parse_args()
    print(f"{'scenario':<9} {'query':<30} {'median ms':>9} {'p95 ms':>7}")
    for scenario in ("healthy", "large"):
        with Simulator(scenario) as sim, requests.Session() as session:
            session.auth = (sim.credentials["username"], sim.credentials["password"])
            for label, (table, params) in QUERIES.items():
                timings = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    response = session.get(f"{sim.url}/api/now/table/{table}", params=params, timeout=10)
                    response.raise_for_status()
                    timings.append((time.perf_counter() - started) * 1000)
                p95 = statistics.quantiles(timings, n=20)[-1]
                print(f"{scenario:<9} {label:<30} {statistics.median(timings):>9.1f} {p95:>7.1f}")


if __name__ == "__main__":
    main()
