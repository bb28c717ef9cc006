"""The installed package: one import name, a pytest plugin by entry point, usable outside the repository.

The wheel is built from a copy of the source tree (so the build writes nothing into the repository and no
stale ``build/`` folder leaks into it) and installed in a fresh virtual environment outside the repository,
created once for this module; its dependencies come from the package index. Every command then runs with
that environment's own executables, in a folder outside the repository, against the module's simulator.
Nothing here skips: a missing tool, index or file fails the test with the command's output.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from snow_preflight.options import OPTIONS
from snow_preflight.simulator import Simulator

SCENARIO = "typical"  # one method without a MID Server, a stale heartbeat: a NO-GO with every outcome
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".tox", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*_cache", "test-artifacts"
)
#: Variables of this session that must not reach the fresh environment's commands.
_LEAKY = (
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
)


Run = subprocess.CompletedProcess[str]


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def _ok(result: Run) -> Run:
    """The result of a command that must succeed; its output when it did not."""
    assert result.returncode == 0, (
        f"{' '.join(result.args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result


@dataclass(frozen=True)
class Installed:
    """A fresh virtual environment holding the wheel, and a working folder outside the repository."""

    bin: Path
    home: Path
    env: dict[str, str]

    def run(self, *args: str, cwd: Path | None = None, **env: str) -> Run:
        """Run one of the environment's executables (``python``, ``pytest``, ``snow-preflight``, ``pip``)."""
        return _run([str(self.bin / args[0]), *args[1:]], cwd or self.home, self.env | env)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the source tree: what the wheel is built from, and what it is compared with."""
    copy = tmp_path_factory.mktemp("source") / "snow-preflight"
    shutil.copytree(ROOT, copy, symlinks=True, ignore=NOT_SOURCES)
    return copy


@pytest.fixture(scope="module")
def wheel(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built by pip from the copy of the source tree."""
    out = tmp_path_factory.mktemp("wheel")
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(tree)], out))
    built = sorted(out.glob("snow_preflight-*.whl"))
    assert len(built) == 1, f"expected one wheel, pip wrote {[p.name for p in out.iterdir()]}"
    return built[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel installed, with its dependencies, in a fresh virtual environment outside the repository."""
    where = tmp_path_factory.mktemp("fresh-venv")
    home = tmp_path_factory.mktemp("elsewhere")
    assert ROOT not in home.parents, "the working folder must lie outside the repository"
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY and not k.startswith("SN_")}
    _ok(_run([sys.executable, "-m", "venv", str(where)], home, env))
    bin_dir = where / "bin"
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    _ok(_run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)], home, env))
    return Installed(bin_dir, home, env)


@pytest.fixture
def checklist(installed: Installed, sim: Simulator) -> Callable[..., Run]:
    """``checklist(*args, report_dir=..., cwd=None)`` runs ``pytest --pyargs snow_preflight.checks *args``
    in the fresh environment against the module's simulator, the password in SN_PASSWORD."""

    def run(*args: str, report_dir: Path, cwd: Path | None = None) -> Run:
        login = ["--sn-instance", sim.url, "--sn-username", sim.credentials["username"]]
        return installed.run(
            "pytest", "--pyargs", "snow_preflight.checks", *args, *login, "--sn-report-dir", str(report_dir),
            cwd=cwd, SN_PASSWORD=sim.credentials["password"],
        )  # fmt: skip

    return run


def _report(folder: Path) -> dict[str, Any]:
    """report.json from *folder*, after checking that all three reports were written."""
    for name in ("report.json", "report.html", "junit.xml"):
        assert (folder / name).is_file(), f"{name} was not written to {folder}"
    report: dict[str, Any] = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return report


def _outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {result["id"]: result["outcome"] for result in report["results"]}


# -- the wheel ---------------------------------------------------------------------------------------------


def test_the_wheel_holds_one_top_level_package(wheel: Path) -> None:
    """The wheel's top level holds the package snow_preflight and its dist-info, nothing else."""
    tops = {name.split("/", 1)[0] for name in zipfile.ZipFile(wheel).namelist()}
    info = {top for top in tops if re.fullmatch(r"snow_preflight-[^/]+\.dist-info", top)}
    assert len(info) == 1
    assert tops == {"snow_preflight", *info}


def test_the_wheel_holds_every_module_of_the_source_tree(wheel: Path, tree: Path) -> None:
    """Every module under src/snow_preflight (checks/ and reports/ through their links) is in the wheel:
    a sub-package missing from pyproject.toml's package list fails here, not on a user's machine."""
    names = set(zipfile.ZipFile(wheel).namelist())
    src = tree / "src"
    modules = {
        (Path(folder) / file).relative_to(src).as_posix()
        for folder, _, files in os.walk(src / "snow_preflight", followlinks=True)
        for file in files
        if file.endswith(".py") and "__pycache__" not in folder
    }
    assert "snow_preflight/checks/rest.py" in modules
    missing = sorted(modules - names)
    assert not missing, f"not in the wheel (add their packages to [tool.setuptools] packages): {missing}"


def test_the_wheel_holds_checks_templates_and_scenarios(wheel: Path, tree: Path) -> None:
    """Every check module, report template and simulator scenario of the source tree is in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"snow_preflight/checks/{p.name}" for p in (tree / "checks").glob("*.py")}
    expected |= {
        f"snow_preflight/reports/templates/{p.name}" for p in (tree / "reports" / "templates").iterdir()
    }
    scenarios = tree / "src" / "snow_preflight" / "simulator" / "scenarios"
    expected |= {f"snow_preflight/simulator/scenarios/{p.name}" for p in scenarios.glob("*.json")}
    assert {"snow_preflight/checks/rest.py", "snow_preflight/simulator/scenarios/typical.json"} <= expected
    assert any(name.startswith("snow_preflight/reports/templates/") for name in expected)
    assert sorted(expected - names) == []
    assert "snow_preflight/py.typed" in names


def test_the_wheel_registers_the_pytest_plugin_and_the_command(wheel: Path) -> None:
    """The wheel declares the pytest11 entry point snow_preflight = snow_preflight.plugin and the command."""
    archive = zipfile.ZipFile(wheel)
    (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
    points = configparser.ConfigParser()
    points.read_string(archive.read(name).decode())
    assert dict(points["pytest11"]) == {"snow_preflight": "snow_preflight.plugin"}
    assert points["console_scripts"]["snow-preflight"] == "snow_preflight.cli:main"


# -- installed, outside the repository ---------------------------------------------------------------------


def test_the_command_prints_its_version(installed: Installed, wheel: Path) -> None:
    """snow-preflight --version prints the installed version."""
    version = wheel.name.split("-")[1]
    assert _ok(installed.run("snow-preflight", "--version")).stdout.strip() == f"snow-preflight {version}"


def test_pytest_help_lists_every_sn_option(installed: Installed) -> None:
    """pytest --help lists every --sn-* option of the settings table, with no -p and no -o."""
    shown = _ok(installed.run("pytest", "--help")).stdout
    for option in ("--sn-config", *(f"--sn-{o.flag}" for o in OPTIONS)):
        assert re.search(rf"^\s+{re.escape(option)}\b", shown, re.MULTILINE), (
            f"{option} is not in pytest --help"
        )


def test_pytest_pyargs_runs_the_checklist_and_writes_the_reports(
    checklist: Callable[..., Run], tmp_path: Path
) -> None:
    """pytest --pyargs snow_preflight.checks judges the instance: a no-go, with the three reports written."""
    result = checklist(report_dir=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    outcomes = _outcomes(_report(tmp_path))
    assert outcomes["instance_reachable"] == "passed"
    assert outcomes["rest_method_uses_mid[GET - Projects]"] == "failed"
    assert "NO-GO" in result.stdout


def test_minus_k_selects_the_checks_it_names(checklist: Callable[..., Run], tmp_path: Path) -> None:
    """-k roles runs the role checks only (their prerequisites aside); the reports list the rest as not run."""
    result = checklist("-k", "roles", report_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = _report(tmp_path)
    checks = {r["check"] for r in report["results"]}
    assert "login_has_role" in checks
    assert not checks & {"app_installed", "mid_server_up", "rest_method_uses_mid"}
    assert {"app_installed", "rest_method_uses_mid"} <= set(report["run"]["not_run"])


def test_minus_m_selects_by_area_and_severity(checklist: Callable[..., Run], tmp_path: Path) -> None:
    """-m "mid and critical" runs the critical checks of the MID Server area only."""
    result = checklist("-m", "mid and critical", report_dir=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    report = _report(tmp_path)
    prerequisites = ("instance_reachable", "login_authenticated")
    selected = [r for r in report["results"] if r["check"] not in prerequisites]
    assert any(r["check"] == "mid_server_up" for r in selected)
    assert {(r["area"], r["severity"]) for r in selected} == {("mid", "critical")}
    assert "rest_method_uses_mid" in report["run"]["not_run"]


def test_a_site_checks_folder_is_judged_beside_ours(checklist: Callable[..., Run], tmp_path: Path) -> None:
    """--sn-checks DIR adds the folder's checks (docs/examples/site_checks) to the run and its reports."""
    folder = shutil.copytree(EXAMPLES / "site_checks", tmp_path / "site_checks", ignore=NOT_SOURCES)
    result = checklist("--sn-checks", str(folder), report_dir=tmp_path / "out")
    assert result.returncode == 1, result.stdout + result.stderr
    outcomes = _outcomes(_report(tmp_path / "out"))
    assert outcomes["mid_has_failover_partner"] == "passed"
    assert outcomes["rest_method_uses_mid[GET - Projects]"] == "failed"


@pytest.fixture
def own_packages(tmp_path: Path) -> Path:
    """A working folder holding its own ``reports`` and ``checks`` packages, which fail when imported."""
    for package, module in (("reports", "model"), ("checks", "rest")):
        (tmp_path / package).mkdir()
        for name in ("__init__", module):
            (tmp_path / package / f"{name}.py").write_text(
                f'raise ImportError("the working folder\'s own {package} package was imported")\n'
            )
    return tmp_path


def test_a_folder_with_its_own_reports_and_checks_does_not_disturb_pytest(
    checklist: Callable[..., Run], own_packages: Path
) -> None:
    """Run from a folder holding its own reports/ and checks/ packages, pytest judges our checks as usual."""
    result = checklist(report_dir=own_packages / "out", cwd=own_packages)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "package was imported" not in result.stdout + result.stderr
    assert _outcomes(_report(own_packages / "out"))["instance_reachable"] == "passed"


def test_python_minus_m_demo_works_beside_its_own_reports_and_checks(
    installed: Installed, own_packages: Path
) -> None:
    """python -m snow_preflight demo runs, from a folder holding its own reports/ and checks/ packages."""
    result = installed.run("python", "-m", "snow_preflight", "demo", "--report-dir", "out", cwd=own_packages)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert _outcomes(_report(own_packages / "out"))["rest_method_uses_mid[GET - Projects]"] == "failed"


@pytest.fixture
def site_package(installed: Installed, tmp_path: Path) -> Iterator[str]:
    """docs/examples/site_checks_package installed beside snow-preflight, uninstalled afterwards."""
    source = shutil.copytree(EXAMPLES / "site_checks_package", tmp_path / "package", ignore=NOT_SOURCES)
    _ok(installed.run("pip", "install", "--quiet", "--no-deps", str(source)))
    try:
        yield "acme_preflight_checks"
    finally:
        _ok(installed.run("pip", "uninstall", "--yes", "--quiet", "acme-preflight-checks"))


def test_an_installed_site_checks_package_is_judged_by_the_command(
    installed: Installed, site_package: str, tmp_path: Path
) -> None:
    """A package in the entry point group snow_preflight.checks is judged by snow-preflight, its read in
    the same wave."""
    result = installed.run("snow-preflight", "demo", "--report-dir", str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    report = _report(tmp_path)
    assert _outcomes(report)["integration_owner_group_active"] == "passed"
    assert [e["source"] for e in report["exchanges"]].count("acme_owner_group") == 1


def test_an_installed_site_checks_package_is_judged_by_pytest(
    checklist: Callable[..., Run], site_package: str, tmp_path: Path
) -> None:
    """pytest --pyargs snow_preflight.checks judges the installed site checks beside ours."""
    result = checklist(report_dir=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    report = _report(tmp_path)
    assert _outcomes(report)["integration_owner_group_active"] == "passed"
    assert report["run"]["not_run"] == []
