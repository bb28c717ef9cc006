"""Benchmark: a fleet of three instances costs about one instance's run, not three.

Three simulators (healthy, mid_down, and a healthy one whose own SN_LOCKED_PASSWORD is wrong, so it answers
401) each answer every request after ``--latency-ms`` (default 500). The real command runs once against
the healthy one alone and once against all three as a fleet (named in a config file); each is timed end to
end (process start to exit) ``--repeat`` times, and the medians are printed with their ratio. The issue's
bar: the fleet takes less than twice one instance's run.

    python benchmarks/bench_fleet.py [--latency-ms 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from snow_preflight.simulator import Simulator

LOGIN = ("svc_preflight", "preflight-demo-pw")
SCENARIOS = {"dev": "healthy", "test": "mid_down", "locked": "healthy"}


def timed(args: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds the real command took, from process start to exit, and its exit status."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SN_")}
    env |= {"SN_PASSWORD": LOGIN[1], "SN_LOCKED_PASSWORD": "not-the-password"}
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "snow_preflight.cli", "run", "--no-prompt", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return time.perf_counter() - started, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency-ms", type=float, default=500.0, help="delay of every answer (default 500)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind (default 3)")
    options = parser.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sims = {
            name: stack.enter_context(Simulator(scenario, latency_ms=options.latency_ms))
            for name, scenario in SCENARIOS.items()
        }
        tables = "".join(f'[instances.{name}]\nbase_url = "{sim.url}"\n' for name, sim in sims.items())
        (folder / "fleet.toml").write_text(
            f'[connection]\nusername = "{LOGIN[0]}"\n{tables}', encoding="utf-8"
        )
        one, fleet = [], []
        for _ in range(options.repeat):
            seconds, code_one = timed(["--instance", sims["dev"].url, "--username", LOGIN[0]], folder)
            one.append(seconds)
            seconds, code_fleet = timed(["--config", "fleet.toml", "--report-dir", "fleet"], folder)
            fleet.append(seconds)
        # dev answered both kinds of run; the others only the fleet's.
        runs = {name: options.repeat * (2 if name == "dev" else 1) for name in sims}
        requests = {name: len(sim.requests) // runs[name] for name, sim in sims.items()}
    single, whole = statistics.median(one), statistics.median(fleet)
    print(f"latency per answer: {options.latency_ms:.0f} ms; median of {options.repeat} runs each")
    print(f"{'run':<38} {'seconds':>8} {'exit':>5}")
    print(f"{'one instance (healthy)':<38} {single:>8.2f} {code_one:>5}")
    print(f"{'fleet of 3 (healthy, mid_down, 401)':<38} {whole:>8.2f} {code_fleet:>5}")
    print(f"fleet / one instance: {whole / single:.2f} (the bar: below 2.00)")
    print(f"requests per instance and run: {requests}")


if __name__ == "__main__":
    main()
