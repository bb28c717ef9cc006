"""Site checks: the documented example in docs/examples/site_checks runs through the real command.

A site's check declares the table it reads; that read joins the single wave of requests, so it costs one
more request but no extra round trip. Its results carry the same metadata, evidence, outcomes and reports as
ours. The module's simulator answers after 200 ms, so parallel requests are told apart from sequential ones.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from snow_preflight.simulator import Fault, RequestRecord, Simulator, count_waves

SCENARIO = "typical"
SIMULATOR_OPTIONS = {"latency_ms": 200}
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "site_checks"
DOC = ROOT / "docs" / "site-checks.md"
CHECK = "mid_has_failover_partner"
#: The command as installed beside this Python: the real entry point, not a function call.
COMMAND = Path(sys.executable).with_name("snow-preflight")


def _command(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    assert COMMAND.is_file(), f"{COMMAND} is missing: install the package (pip install -e .)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SN_")}
    return subprocess.run(
        [str(COMMAND), *args],
        cwd=cwd,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _run_against(sim: Simulator, out: Path, *extra: str) -> tuple[dict[str, Any], list[RequestRecord]]:
    """``snow-preflight run`` against the module's simulator: report.json and the requests the run made."""
    before = len(sim.requests)
    result = _command(
        ["run", "--instance", sim.url, "--username", sim.credentials["username"], "--report-dir", str(out),
         "--no-prompt", *extra],
        out.parent,
        SN_PASSWORD=sim.credentials["password"],
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report, sim.requests[before:]


def _result(report: dict[str, Any], result_id: str) -> dict[str, Any]:
    found = [r for r in report["results"] if r["id"] == result_id]
    assert len(found) == 1, f"{result_id} is not among {[r['id'] for r in report['results']]}"
    return found[0]


def test_the_documented_example_is_the_example_folder() -> None:
    """docs/site-checks.md shows the example module word for word, so the page cannot drift from the test."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert (EXAMPLE / "failover.py").read_text(encoding="utf-8") in blocks


def test_the_example_passes_in_the_demo_with_evidence_and_its_pass_message(tmp_path: Path) -> None:
    """snow-preflight demo --checks docs/examples/site_checks judges the example beside ours, in every report."""
    result = _command(["demo", "--checks", str(EXAMPLE), "--report-dir", "out"], tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr  # the demo instance is a no-go of its own
    out = tmp_path / "out"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    row = _result(report, CHECK)
    assert (row["outcome"], row["severity"], row["area"]) == ("passed", "medium", "failover")
    assert (
        row["message"]
        == "prod-mid-server: each shares a failover cluster with another MID Server (prod-mid-server-2)."
    )
    evidence = {item["label"]: item["value"] for item in row["evidence"]}
    assert evidence["Cluster Prod MID cluster"] == "prod-mid-server, prod-mid-server-2"
    assert evidence["MID prod-mid-server"] == "prod-mid-server-2"
    assert _result(report, "rest_method_uses_mid[GET - Projects]")["outcome"] == "failed"
    assert [e["source"] for e in report["exchanges"]].count("acme_failover_members") == 1
    assert f'name="{CHECK}"' in (out / "junit.xml").read_text(encoding="utf-8")
    assert CHECK in (out / "report.html").read_text(encoding="utf-8")
    assert CHECK in result.stdout


def test_the_site_read_joins_the_single_wave(sim: Simulator, tmp_path: Path) -> None:
    """With the example, a run sends one request more than without it, and still in one wave."""
    _, ours = _run_against(sim, tmp_path / "ours")
    report, with_site = _run_against(sim, tmp_path / "with_site", "--checks", str(EXAMPLE))
    assert _result(report, CHECK)["outcome"] == "passed"
    assert len(with_site) == len(ours) + 1
    assert [r.path for r in with_site].count("/api/now/table/ecc_agent_cluster_member_m2m") == 1
    assert count_waves(ours) == count_waves(with_site) == 1


def test_a_mid_server_without_a_partner_fails_with_the_steps_for_it(tmp_path: Path) -> None:
    """A MID Server alone in no failover cluster fails the example, with the cluster steps filled in."""
    scenario = tmp_path / "lonely_mid.json"
    scenario.write_text(
        json.dumps(
            {
                "extends": "healthy",
                "description": "prod-mid-server's failover partner left the cluster.",
                "delete": {"ecc_agent_cluster_member_m2m": ["prod_cluster_2"]},
            }
        )
    )
    result = _command(
        ["demo", "--scenario", str(scenario), "--checks", str(EXAMPLE), "--report-dir", "out"], tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr  # medium: below the default gate (high)
    row = _result(json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8")), CHECK)
    assert row["outcome"] == "failed"
    assert (
        row["message"] == "MID Server(s) prod-mid-server share no failover cluster with another MID Server."
    )
    assert any("add prod-mid-server and at least one other MID Server" in step for step in row["remediation"])
    assert not any("fix the failed rest_method_uses_mid rows" in step for step in row["remediation"])


def test_an_unreadable_site_read_is_could_not_verify(sim: Simulator, tmp_path: Path) -> None:
    """A denied read of the example's table makes its result an error with the visibility fix, never failed."""
    sim.inject(Fault(status=403, path="/api/now/table/ecc_agent_cluster_member_m2m"))
    report, _ = _run_against(sim, tmp_path / "out", "--checks", str(EXAMPLE))
    row = _result(report, CHECK)
    assert row["outcome"] == "error"
    assert "ecc_agent_cluster_member_m2m" in row["message"]
    assert any("Access Control" in step for step in row["remediation"])
    assert _result(report, "instance_reachable")["outcome"] == "passed"


@pytest.mark.parametrize(
    ("module", "reason"),
    [
        (
            "from snow_preflight.judge import Evidence, Severity, View, check\n\n\n"
            '@check(title="Ensure the group exists", severity=Severity.LOW, remediation=["Create it."])\n'
            "def check_site_group(view: View, evidence: Evidence) -> None:\n    pass\n",
            "site_group",
        ),
        ("import no_such_module\n", "No module named 'no_such_module'"),
        (
            "from snow_preflight.judge import Evidence, Read, Severity, View, check\n\n\n"
            + "".join(
                f'@check(title="{n} is set", severity=Severity.LOW, remediation=["Set it."],'
                f' reads=[Read("acme_users", "sys_user", "{query}", ("sys_id",))])\n'
                f"def check_site_{n}(view: View, evidence: Evidence) -> None:\n    pass\n\n\n"
                for n, query in (("one", "active=true"), ("two", "active=false"))
            ),
            "declares a read named 'acme_users' that differs from another check's read of that name",
        ),
        (
            "from snow_preflight.judge import Evidence, Read, Severity, View, check\n\n\n"
            '@check(title="Users are set", severity=Severity.LOW, remediation=["Set it."],'
            ' reads=[Read("login", "sys_user", "active=true", ("sys_id",))])\n'
            "def check_site_users(view: View, evidence: Evidence) -> None:\n    pass\n",
            "declares a read named 'login', the name of a built-in read",
        ),
    ],
    ids=["vague title", "import error", "two reads under one name", "a built-in read's name"],
)
def test_a_broken_site_check_is_a_usage_error(tmp_path: Path, module: str, reason: str) -> None:
    """A site check with invalid metadata, or that cannot be imported, stops the run before any read:
    exit 4 and the reason on one line."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "broken.py").write_text(module)
    result = _command(["demo", "--checks", str(folder), "--report-dir", "out"], tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    assert reason in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_site_checks_folder_is_a_usage_error(tmp_path: Path) -> None:
    """--checks naming no folder exits 4 and says so."""
    result = _command(["demo", "--checks", str(tmp_path / "nowhere"), "--report-dir", "out"], tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "nowhere" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
