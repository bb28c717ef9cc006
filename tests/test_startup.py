"""Start-up: a run sends its reads before pytest is imported, and each command imports only what it uses.

How fast that makes a run is measured by ``benchmarks/bench_startup.py``, not by a timed test; these tests
state the behaviours the speed rests on, each in a fresh process, as the command runs.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from snow_preflight.run import run_checklist, simulator_settings
from snow_preflight.simulator import Simulator

SCENARIO = "healthy"
#: The instance answers slowly, so what happens before the answers arrive is easy to tell apart.
SIMULATOR_OPTIONS = {"latency_ms": 300}
#: How long the spy holds up the import of pytest: ample time for a wave already sent to arrive.
HOLD_S = 0.5
AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"


def _python(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SN_", "PYTEST_"))}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _run_args(sim: Simulator, out: Path) -> list[str]:
    login = sim.credentials["username"]
    return ["run", "--instance", sim.url, "--username", login, "--report-dir", str(out), "--no-prompt"]


@pytest.mark.parametrize("held", ["pytest", "pydantic", "snow_preflight.checks", "jinja2"])
def test_reads_arrive_before_the_heavy_parts_are_imported(sim: Simulator, tmp_path: Path, held: str) -> None:
    """`snow-preflight run` sends every read before it imports pytest, pydantic (the result model), the
    checklist or the report renderers: they load while the instance answers."""
    code = f"""
        import sys, time

        class Hold:
            # Notes when the module is first imported, after holding it up: a wave sent earlier arrives meanwhile.
            def find_spec(self, name, path=None, target=None):
                if name == {held!r}:
                    sys.meta_path.remove(self)
                    time.sleep({HOLD_S})
                    print("imported-at", time.monotonic(), flush=True)
                return None

        sys.meta_path.insert(0, Hold())
        from snow_preflight.cli import main
        sys.exit(main({_run_args(sim, tmp_path / "out")!r}))
    """
    before = len(sim.requests)
    result = _python(code, tmp_path, SN_PASSWORD=sim.credentials["password"])
    assert result.returncode == 0, result.stdout + result.stderr
    [marker] = [line for line in result.stdout.splitlines() if line.startswith("imported-at")]
    imported_at = float(marker.split()[1])  # monotonic: one clock for every process on the host
    reads = sim.requests[before:]
    assert len(reads) >= 9, reads
    late = [r.path for r in reads if r.started > imported_at]
    assert not late, f"read only after {held} was imported: {late}"


def test_a_run_that_stops_early_does_not_wait_for_the_answers(tmp_path: Path) -> None:
    """A broken site check stops the run (exit 4) while the reads sent before the checklist was loaded are
    still unanswered: the process ends before the instance has answered any of them."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "broken.py").write_text("def check_(:\n", encoding="utf-8")
    with Simulator("healthy", latency_ms=3_000) as slow:
        args = [*_run_args(slow, tmp_path / "out"), "--checks", str(tmp_path / "site")]
        code = f"import sys; from snow_preflight.cli import main; sys.exit(main({args!r}))"
        result = _python(code, tmp_path, SN_PASSWORD=slow.credentials["password"])
        ended = time.monotonic()
        assert result.returncode == 4, result.stdout + result.stderr
        assert "broken.py cannot be imported" in result.stderr, result.stderr
        deadline = ended + 10
        while len(slow.requests) < 9 and time.monotonic() < deadline:  # logged once answered
            time.sleep(0.1)
    assert len(slow.requests) >= 9, "the built-in reads did not go out before the checklist was loaded"
    assert all(record.finished > ended for record in slow.requests), "the run waited for an answer"


def test_version_and_parser_import_nothing_heavy(tmp_path: Path) -> None:
    """`--version` answers without importing pytest, pydantic, requests, jinja2 or the simulator."""
    code = """
        import sys
        from snow_preflight.cli import main
        try:
            main(["--version"])
        except SystemExit as done:
            assert done.code in (0, None), done.code
        heavy = ("pytest", "pydantic", "requests", "jinja2", "junit_xml", "snow_preflight.simulator")
        print(sorted(name for name in heavy if name in sys.modules))
    """
    result = _python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("snow-preflight ")
    assert result.stdout.splitlines()[-1] == "[]"


def test_run_loads_no_other_installed_pytest_plugin(sim: Simulator, tmp_path: Path) -> None:
    """A run loads no pytest plugin installed by entry point but its own, while plain pytest loads them."""
    site = tmp_path / "site"
    (site / "spy_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "spy_plugin-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n"
    )
    (site / "spy_plugin-1.0.dist-info" / "entry_points.txt").write_text("[pytest11]\nspy = spy_plugin\n")
    loaded = tmp_path / "spy-loaded"
    (site / "spy_plugin.py").write_text(f"from pathlib import Path\nPath({str(loaded)!r}).touch()\n")
    env = {"PYTHONPATH": str(site), "SN_PASSWORD": sim.credentials["password"]}

    result = _python(
        f"import sys; from snow_preflight.cli import main; sys.exit(main({_run_args(sim, tmp_path / 'out')!r}))",
        tmp_path,
        **env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not loaded.exists(), "the run loaded an installed pytest plugin that was not asked for"

    (tmp_path / "empty").mkdir()
    result = _python(
        "import pytest; pytest.main(['--collect-only', '-q', '-p', 'no:cacheprovider', 'empty'])",
        tmp_path,
        **env,
    )
    assert loaded.exists(), "plain pytest did not load the spy plugin either: the test proves nothing"


def test_invalid_site_checks_send_no_request(sim: Simulator, tmp_path: Path) -> None:
    """A site check that cannot be imported is a usage error (exit 4) before any request is sent."""
    checks = tmp_path / "site_checks"
    checks.mkdir()
    (checks / "broken.py").write_text("raise RuntimeError('not a check module')\n")
    before = len(sim.requests)
    args = [*_run_args(sim, tmp_path / "out"), "--checks", str(checks)]
    result = _python(
        f"import sys; from snow_preflight.cli import main; sys.exit(main({args!r}))",
        tmp_path,
        SN_PASSWORD=sim.credentials["password"],
    )
    assert result.returncode == 4, result.stdout + result.stderr
    assert "broken.py" in result.stdout + result.stderr
    time.sleep(0.1)  # a request sent by mistake would have arrived by now
    assert sim.requests[before:] == []


@pytest.mark.parametrize("found_frozen", [False, True], ids=["nothing frozen", "the caller froze objects"])
def test_run_in_process_leaves_plugin_autoload_and_collector_as_found(
    sim: Simulator, tmp_path: Path, found_frozen: bool
) -> None:
    """run_checklist, called in-process, hands back plugin autoloading and the garbage collector as found,
    objects the caller froze included."""
    gc.unfreeze()
    if found_frozen:
        gc.freeze()
    try:
        autoload, frozen, enabled = os.environ.get(AUTOLOAD), gc.get_freeze_count(), gc.isenabled()
        outcome = run_checklist(simulator_settings(sim, report_dir=tmp_path / "out"))
        assert outcome.exit_code == 0
        assert os.environ.get(AUTOLOAD) == autoload
        assert gc.isenabled() == enabled
        # What was frozen stays frozen (a frozen object freed by the run leaves the count), nothing is added.
        assert (0 < gc.get_freeze_count() <= frozen) if found_frozen else gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
