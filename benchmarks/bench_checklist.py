"""Benchmark: the whole checklist against the simulator, small and large instances, 0 and 200 ms latency.

For each case it prints the requests the instance received, the sequential waves they formed (requests
whose time on the server overlaps belong to one wave), wall time of the run and of the collection, and
peak Python memory (tracemalloc). The claim under test: reading the instance takes one wave, and the large
instance (40 methods, 800 MID Servers, 3,000 role rows for the login) needs as many requests as the small.

    python benchmarks/bench_checklist.py [--repeat N]
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
from snow_preflight.simulator import Simulator
from snow_preflight.simulator.server import count_waves

CASES = [("healthy", 0.0), ("healthy", 200.0), ("large", 0.0), ("large", 200.0)]


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
    args = parser.parse_args()
    header = (
        f"{'scenario':<9} {'latency':>8} {'requests':>8} {'waves':>5} {'read s':>7} {'wall s':>7} "
        f"{'peak MiB':>8} {'results':>7}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for scenario, latency in CASES:
            runs = [
                measure(scenario, latency, Path(tmp) / f"{scenario}-{latency}") for _ in range(args.repeat)
            ]
            runs.sort(key=lambda r: r["wall_s"])
            m = runs[len(runs) // 2]
            print(
                f"{scenario:<9} {latency:>6.0f}ms {m['requests']:>8.0f} {m['waves']:>5.0f} {m['read_s']:>7.3f} "
                f"{m['wall_s']:>7.3f} {m['peak_mib']:>8.1f} {m['results']:>7.0f}"
            )


if __name__ == "__main__":
    main()
