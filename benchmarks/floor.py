"""The floor: the reads a pre-flight run sends, sent with plain ``requests`` in parallel, and nothing else.

No settings, no checks, no reports: start Python, import requests, send every read at once (one thread
each, like the tool's wave), read and parse each answer, exit. What this costs above one round trip is
the least any Python tool that reads the instance this way can cost, so ``bench_startup.py`` measures
snow-preflight's overhead beside it.

    SN_PASSWORD=... python benchmarks/floor.py READS.json

READS.json holds ``{"base_url": ..., "username": ..., "reads": [[path, {param: value}], ...]}``: the very
requests a ``snow-preflight run`` sent, as the simulator logged them (bench_startup.py writes it). The
password comes from ``SN_PASSWORD``, as for the tool, so it is never in a file or on a command line.
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests


def main(reads_file: str) -> int:
    with open(reads_file, encoding="utf-8") as handle:
        plan = json.load(handle)
    auth = (plan["username"], os.environ["SN_PASSWORD"])
    base = plan["base_url"]

    def read(path_and_params: list[Any]) -> int:
        path, params = path_and_params
        answer = requests.get(
            base + path, params=params, auth=auth, headers={"Accept": "application/json"}, timeout=60
        )
        answer.raise_for_status()
        return len(answer.json()["result"])

    with ThreadPoolExecutor(max_workers=len(plan["reads"])) as pool:
        list(pool.map(read, plan["reads"]))  # re-raises the first failed read
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
