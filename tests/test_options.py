"""One table of settings: every flag of ``run`` is a ``--sn-*`` pytest option and the other way round, every
setting has a variable and a config key, the README shows the table as it is, and selection works from both
front ends."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from snow_preflight.cli import build_parser
from snow_preflight.options import CONFIG_OPTION, OPTIONS, for_pytest, markdown_table
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.settings import Expectations, Settings, resolve

README = Path(__file__).resolve().parents[1] / "README.md"
#: Settings fields that are not a person's to set: the two sub-models, and TLS verification, which only code
#: (the tests) may turn off.
NOT_SETTABLE = {"connection", "expect", "verify_tls", "config_file"}  # config_file: what --config read


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SN_")}


def _cli_flags(command: str) -> set[str]:
    """The long options of one ``snow-preflight`` command, as its real parser has them."""
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub = subparsers.choices[command]
    return {s for a in sub._actions for s in a.option_strings if s.startswith("--")} - {"--help"}


@pytest.fixture(scope="module")
def pytest_options(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The ``--sn-*`` options ``pytest --help`` lists, the entry point loading the plugin."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"],
        capture_output=True, text=True, cwd=tmp_path_factory.mktemp("help"), env=_clean_env(), timeout=120,
        check=True,
    )  # fmt: skip
    return set(re.findall(r"(?<![\w-])(--sn-[a-z-]+)", result.stdout))


def test_every_run_flag_is_a_pytest_option_and_back(pytest_options: set[str]) -> None:
    """`snow-preflight run`'s flags and pytest's --sn-* options name the same settings, certificate and key
    included; only the prompt switch and a fleet's --instances (a pytest session judges one instance) are the
    CLI's own."""
    cli = {flag.removeprefix("--") for flag in _cli_flags("run") - {"--no-prompt", "--instances"}}
    plugin = {option.removeprefix("--sn-") for option in pytest_options}
    assert cli == plugin
    assert {"client-cert", "client-key", "time-budget", "max-retries", "only", "skip"} <= cli


@pytest.mark.parametrize("command", ["demo", "replay"])
def test_every_flag_of_the_other_commands_is_a_pytest_option(pytest_options: set[str], command: str) -> None:
    """Each table flag of demo and replay exists as a --sn-* option too."""
    table = {f"--{o.flag}" for o in OPTIONS} | {f"--{CONFIG_OPTION[0]}"}
    flags = _cli_flags(command) & table
    assert flags
    assert {f"--sn-{flag.removeprefix('--')}" for flag in flags} <= pytest_options


def test_every_setting_a_person_can_give_is_in_the_table() -> None:
    """Every field of the settings models (but the sub-models and verify_tls) is a row of OPTIONS."""
    fields = {
        field.name
        for model in (ConnectionSettings, Expectations, Settings)
        for field in dataclasses.fields(model)
    }
    assert fields - NOT_SETTABLE == {option.field for option in OPTIONS}


def test_every_row_has_a_flag_and_a_variable_of_its_own() -> None:
    """Flags, variables and fields are unique; every variable is SN_* (Rundeck's RD_URL and RD_TOKEN are
    the names Rundeck's own CLI reads); only secrets lack a config key."""
    for attribute in ("field", "flag", "env"):
        values = [getattr(option, attribute) for option in OPTIONS]
        assert len(values) == len(set(values)), attribute
    assert all(option.env.startswith("SN_") or option.env in ("RD_URL", "RD_TOKEN") for option in OPTIONS)
    assert {o.field for o in OPTIONS if o.config_key is None} == {o.field for o in OPTIONS if o.secret}


def test_the_readme_shows_the_table_as_it_is() -> None:
    """The README's settings table is exactly what options.markdown_table() generates."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- settings table:[^\n]*-->\n(.*?)<!-- end of settings table -->", text, re.DOTALL)
    assert found, "the README lost its settings table markers"
    assert found.group(1) == markdown_table(), (
        'regenerate it: python -c "from snow_preflight.options import markdown_table; print(markdown_table())"'
    )


def _sample(field: str, tmp_path: Path) -> Any:
    """A valid value for *field*, as a config file or a variable would give it (None: a file is needed)."""
    option = next(o for o in OPTIONS if o.field == field)
    if (
        field in {"ca_bundle", "client_cert", "client_key", "base_url", "waivers", "baseline"}
        or option.secret
    ):
        return None
    if field == "checks_dirs":
        return [str(tmp_path)]
    if field == "report_dir":
        return str(tmp_path / "reports")
    if field == "rundeck_url":
        return "https://rundeck.example.com"
    if option.choices:
        return option.choices[-1]
    if option.switch:
        return True
    if option.kind in (float, int):
        return option.kind("7")
    return ["one", "two"] if option.append else f"{field}-value"


def _field_of(settings: Settings, field: str) -> Any:
    for model in (settings.connection, settings.expect, settings):
        if field in {f.name for f in dataclasses.fields(model)}:
            return getattr(model, field)
    raise KeyError(field)


def _toml(value: Any) -> str:
    return json.dumps(value)  # strings, numbers, booleans and lists of strings read the same in TOML


def test_every_config_key_sets_its_setting(tmp_path: Path) -> None:
    """Each key of the table, under its section, is accepted and sets its setting."""
    sections: dict[str, list[str]] = {"": [], "connection": [], "expect": []}
    expected: dict[str, Any] = {}
    for option in OPTIONS:
        value = _sample(option.field, tmp_path)
        if value is None or option.section is None:
            continue
        sections[option.section].append(f"{option.field} = {_toml(value)}")
        expected[option.field] = value
    text = "\n".join(sections[""]) + "".join(
        f"\n[{name}]\n" + "\n".join(sections[name]) for name in ("connection", "expect")
    )
    config = tmp_path / "all.toml"
    config.write_text(text + "\n", encoding="utf-8")
    settings = resolve(
        # The user name is the file's; a Rundeck URL needs its token, a secret.
        {"base_url": "acme", "password": "pw", "client_secret": "cs", "rundeck_token": "tok"},
        environ={},
        config_path=config,
    )
    for field, value in expected.items():
        assert _plain(_field_of(settings, field)) == _plain(value), field


def test_every_variable_sets_its_setting(tmp_path: Path) -> None:
    """Each SN_* variable of the table sets its setting; a list variable is comma-separated."""
    environ = {"SN_HOST": "acme", "SN_PASSWORD": "pw", "SN_CLIENT_SECRET": "cs", "RD_TOKEN": "tok"}
    expected: dict[str, Any] = {}
    for option in OPTIONS:
        value = _sample(option.field, tmp_path)
        if value is None:
            continue
        environ[option.env] = ",".join(value) if isinstance(value, list) else str(value).lower()
        expected[option.field] = value
    settings = resolve({}, environ=environ)
    for field, value in expected.items():
        assert _plain(_field_of(settings, field)) == _plain(value), field


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value.value if hasattr(value, "value") else value


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("raise --time-budget or --max-retries", "raise --sn-time-budget or --sn-max-retries"),
        (
            "--client-key was given without --client-cert.",
            "--sn-client-key was given without --sn-client-cert.",
        ),
        ("check the --config path", "check the --sn-config path"),
        ("--sn-timeout (SN_TIMEOUT) stays", "--sn-timeout (SN_TIMEOUT) stays"),
        ("--no-prompt and --timeouts are not settings", "--no-prompt and --timeouts are not settings"),
    ],
)
def test_messages_are_shown_with_the_flags_of_pytest(message: str, shown: str) -> None:
    """for_pytest() names each flag of the table as pytest knows it, and touches nothing else."""
    assert for_pytest(message) == shown
    assert for_pytest(shown) == shown


# -- selection from each front end ---------------------------------------------------------------------


def _demo(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any] | None]:
    result = subprocess.run(
        [sys.executable, "-m", "snow_preflight", "demo", "--report-dir", "out", *args],
        capture_output=True, text=True, cwd=tmp_path, env=_clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr
    report = tmp_path / "out" / "report.json"
    return result, json.loads(report.read_text(encoding="utf-8")) if report.is_file() else None


def test_only_judges_the_checks_it_names_by_glob_and_result_id(tmp_path: Path) -> None:
    """--only 'mid_*' --only 'rest_method_uses_mid[GET - Projects]' judges those, and lists what it left out."""
    result, report = _demo(tmp_path, "--only", "mid_*", "--only", "rest_method_uses_mid[GET - Projects]")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert report is not None
    ids = [r["id"] for r in report["results"]]
    assert [i for i in ids if i.startswith("rest_method_uses_mid")] == [
        "rest_method_uses_mid[GET - Projects]"
    ]
    assert any(i.startswith("mid_server_up[") for i in ids)
    assert not any(i.startswith(("login_has_role", "rest_probe")) for i in ids)
    assert {"login_has_role", "rest_probe_traffic_healthy"} <= set(report["run"]["not_run"])


def test_skip_leaves_out_what_it_names(tmp_path: Path) -> None:
    """--skip 'login_has_role[*]' judges everything else; the skipped check is listed as not run."""
    result, report = _demo(tmp_path, "--skip", "login_has_role[*]")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert report is not None
    ids = [r["id"] for r in report["results"]]
    assert not any(i.startswith("login_has_role") for i in ids)
    assert "app_installed" in ids
    assert "login_has_role" in report["run"]["not_run"]


def test_only_that_matches_nothing_judges_nothing(tmp_path: Path) -> None:
    """An --only that matches no check exits 5 (nothing judged) and writes no report."""
    result, report = _demo(tmp_path, "--only", "no_such_check")
    assert result.returncode == 5, result.stdout + result.stderr
    assert report is None
    assert not (tmp_path / "out").exists()


def test_the_plugin_selects_with_sn_only(tmp_path: Path) -> None:
    """`pytest --sn-only` selects as the CLI's --only does."""
    from snow_preflight.simulator import Simulator

    with Simulator("typical") as sim:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "snow_preflight.checks",
             "--sn-instance", sim.url, "--sn-username", "svc_preflight", "--sn-report-dir", "out",
             "--sn-only", "app_installed"],
            capture_output=True, text=True, cwd=tmp_path, env=_clean_env() | {"SN_PASSWORD": "preflight-demo-pw"},
            timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert "app_installed" in [r["id"] for r in report["results"]]
    assert "rest_method_uses_mid" in report["run"]["not_run"]
