"""The facts of a run a change record needs: who ran it, where, from which CI job, with which expectations."""

from __future__ import annotations

import getpass
import json
import socket
from pathlib import Path

import pytest
from command import snow_preflight
from junitparser import JUnitXml

from snow_preflight.provenance import ci_job_url


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        (
            {"BUILD_URL": "https://jenkins.example.com/job/preflight/42/"},
            "https://jenkins.example.com/job/preflight/42/",
        ),
        (
            {"CI_JOB_URL": "https://gitlab.example.com/ops/preflight/-/jobs/7"},
            "https://gitlab.example.com/ops/preflight/-/jobs/7",
        ),
        (
            {
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_REPOSITORY": "ops/preflight",
                "GITHUB_RUN_ID": "99",
            },
            "https://github.com/ops/preflight/actions/runs/99",
        ),
        (
            {
                "SYSTEM_COLLECTIONURI": "https://dev.azure.com/ops/",
                "SYSTEM_TEAMPROJECT": "Change Control",
                "BUILD_BUILDID": "5",
            },
            "https://dev.azure.com/ops/Change%20Control/_build/results?buildId=5",
        ),
        ({}, None),
        ({"GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "99"}, None),
        ({"BUILD_URL": "not a url"}, None),
    ],
    ids=["jenkins", "gitlab", "github", "azure", "not-ci", "github-incomplete", "not-a-url"],
)
def test_the_ci_job_url_comes_from_the_ci_servers_own_variables(
    environ: dict[str, str], url: str | None
) -> None:
    """Jenkins, GitLab, GitHub Actions and Azure Pipelines each name the job by their standard variables;
    outside CI, or with a variable missing or not a URL, there is none."""
    assert ci_job_url(environ) == url


def test_a_ci_url_never_keeps_a_user_or_password() -> None:
    """A job URL written with credentials in it is kept without them."""
    assert ci_job_url({"BUILD_URL": "https://bot:s3cret@jenkins.example.com:8443/job/x/1/"}) == (
        "https://jenkins.example.com:8443/job/x/1/"
    )


def test_report_json_and_junit_carry_who_where_and_what_was_expected(tmp_path: Path) -> None:
    """A demo run in a GitHub Actions job, with a config file: report.json names the OS user, the host, the
    job's URL, the config file and the expectations; junit.xml's hostname is this machine."""
    (tmp_path / "snow-preflight.toml").write_text(
        '[expect]\nexpected_mid = "prod-mid-server"\nheartbeat_max_age_minutes = 20\n', encoding="utf-8"
    )
    github = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "ops/preflight",
        "GITHUB_RUN_ID": "7",
    }
    github |= {"CI_JOB_URL": "", "BUILD_URL": "", "SYSTEM_COLLECTIONURI": ""}  # whatever CI runs the tests
    result = snow_preflight(["demo", "--scenario", "healthy", "--report-dir", "out"], tmp_path, github)
    assert result.returncode == 0, result.stderr
    run = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["run"]
    assert run["os_user"] == getpass.getuser()
    assert run["host"] == socket.gethostname()
    assert run["ci_job_url"] == "https://github.com/ops/preflight/actions/runs/7"
    assert run["config_file"] == "snow-preflight.toml"
    assert run["expected"] == {
        "app_scope": "x_pd_process_autom",
        "rest_message": "Rundeck - API",
        "required_roles": ["web_service_admin", "x_pd_process_autom.app_user"],
        "expected_mid": "prod-mid-server",
        "heartbeat_max_age_minutes": 20.0,
        "integration_user": None,
    }
    assert run["junit_below_gate"] == "failure"
    [suite] = list(JUnitXml.fromfile(str(tmp_path / "out" / "junit.xml")))
    assert suite.hostname == socket.gethostname()
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/ops/preflight/actions/runs/7"' in html
