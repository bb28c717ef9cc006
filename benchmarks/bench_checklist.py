"""Benchmark: the whole checklist against the simulator, small and large instances, 0 and 200 ms latency.

For each case it prints the requests the instance received, the sequential waves they formed (requests
whose time on the server overlaps belong to one wave), wall time of the run and of the collection, and
peak Python memory (tracemalloc). The claims under test: reading the instance takes one wave, and the
large instance (40 methods, 800 MID Servers, 3,000 role rows for the login) and the huge one (the same
with 12,000 MID Servers) need as many requests as the small one: the MID Servers are read through the
methods that name them, never as the whole ecc_agent table. The last line puts the request counts side
by side.

    python benchmarks/bench_checklist.py [--repeat N] [--scenario NAME ...]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.simulator import Simulator, count_waves

SCENARIOS = ("healthy", "large", "huge_mids")
LATENCIES = (0.0, 200.0)


def measure(scenario: str, latency_ms: float, report_dir: Path) -> dict[str, float]:
    with Simulator(scenario, latency_ms=latency_ms) as sim:
        settings = simulator_settings(sim, report_dir=report_dir)
        tracemalloc.start()
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            outcome = run_checklist(settings)
        wall = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        records = list(sim.requests)
    assert outcome.report is not None, "the run produced no report"
    span = max(r.finished for r in records) - min(r.started for r in records) if records else 0.0
    return {
        "requests": len(records),
        "waves": count_waves(records),
        "read_s": span,
        "wall_s": wall,
        "peak_mib": peak / 2**20,
        "results": len(outcome.report.results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the median is shown")
    parser.add_argument(
        "--scenario", action="append", choices=SCENARIOS, help="only this scenario (repeatable; default: all)"
    )
    args = parser.parse_args()
    header = (
        f"{'scenario':<9} {'latency':>8} {'requests':>8} {'waves':>5} {'read s':>7} {'wall s':>7} "
        f"{'peak MiB':>8} {'results':>7}"
    )
    requests: dict[str, float] = {}
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for scenario, latency in [(s, lat) for s in args.scenario or SCENARIOS for lat in LATENCIES]:
            runs = [
                measure(scenario, latency, Path(tmp) / f"{scenario}-{latency}") for _ in range(args.repeat)
            ]
            runs.sort(key=lambda r: r["wall_s"])
            m = runs[len(runs) // 2]
            requests[scenario] = m["requests"]
            print(
                f"{scenario:<9} {latency:>6.0f}ms {m['requests']:>8.0f} {m['waves']:>5.0f} {m['read_s']:>7.3f} "
                f"{m['wall_s']:>7.3f} {m['peak_mib']:>8.1f} {m['results']:>7.0f}"
            )

    print()
    print("requests per run: " + ", ".join(f"{name} {count:.0f}" for name, count in requests.items()))


if __name__ == "__main__":
    main()
