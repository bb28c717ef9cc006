"""Settings: flags beat the environment, which beats the config file, which beats the defaults; and
everything that can be checked before the instance is read is checked when the settings are built."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from snow_preflight.errors import ConfigError
from snow_preflight.settings import REQUIRED_ROLES, resolve
from snow_preflight.severity import Severity
from snow_preflight.validation import check_report_dir

LOGIN = {"base_url": "acme", "username": "svc", "password": "pw-not-used"}


def test_defaults_match_the_documented_app() -> None:
    """Without a config file, the expectations are those of the documented app."""
    settings = resolve(LOGIN, environ={}, config_path=None)
    assert settings.connection.base_url == "https://acme.service-now.com"
    assert settings.expect.app_scope == "x_pd_process_autom"
    assert settings.expect.rest_message == "Rundeck - API"
    assert settings.expect.required_roles == REQUIRED_ROLES
    assert settings.fail_on is Severity.HIGH


def test_environment_uses_the_servicenow_itsm_names() -> None:
    """SN_HOST, SN_USERNAME and SN_PASSWORD fill the connection; the password stays a SecretStr."""
    env = {"SN_HOST": "https://env.service-now.com", "SN_USERNAME": "svc", "SN_PASSWORD": "s3cret-pw"}
    settings = resolve({}, environ=env, config_path=None)
    assert settings.connection.base_url == "https://env.service-now.com"
    assert settings.connection.username == "svc"
    assert settings.connection.password is not None
    assert "s3cret-pw" not in repr(settings)
    assert settings.connection.password.get_secret_value() == "s3cret-pw"


def test_list_variables_are_comma_separated() -> None:
    """A setting that takes several values takes them from its variable as a comma-separated list."""
    env = {"SN_ONLY": "mid_*, app_installed", "SN_REQUIRED_ROLES": "itil,web_service_admin"}
    settings = resolve(LOGIN, environ=env, config_path=None)
    assert settings.only == ("mid_*", "app_installed")
    assert settings.expect.required_roles == ("itil", "web_service_admin")


def test_flag_beats_environment_beats_config_file(tmp_path: Path) -> None:
    """A flag wins over SN_*, and SN_* wins over the config file."""
    config = tmp_path / "snow-preflight.toml"
    config.write_text(
        'fail_on = "critical"\n[connection]\nbase_url = "https://file.service-now.com"\nusername = "file"\n'
        '[expect]\nexpected_mid = "mid-from-file"\n',
        encoding="utf-8",
    )
    env = {"SN_HOST": "https://env.service-now.com", "SN_USERNAME": "env-user", "SN_PASSWORD": "pw"}
    settings = resolve({"username": "flag-user"}, environ=env, config_path=config)
    assert settings.connection.username == "flag-user"
    assert settings.connection.base_url == "https://env.service-now.com"
    assert settings.expect.expected_mid == "mid-from-file"
    assert settings.fail_on is Severity.CRITICAL


def test_config_file_refuses_secrets(tmp_path: Path) -> None:
    """A password in the config file is refused with a message that says where secrets belong."""
    config = tmp_path / "c.toml"
    config.write_text('[connection]\nbase_url = "acme"\npassword = "hunter22"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="SN_PASSWORD") as caught:
        resolve({}, environ={}, config_path=config)
    assert "hunter22" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[expect]\nexpected_mids = "x"\n', "c.toml [expect]: unknown key 'expected_mids'; did you mean 'expected_mid'?"),
        ("timeout = 5\n", "c.toml: unknown key 'timeout'; it belongs under [connection]"),
        ('[connection]\nfail_on = "low"\n', "c.toml [connection]: unknown key 'fail_on'; it belongs at the top"),
        ("[conection]\ntimeout = 5\n", "c.toml: unknown key 'conection'; did you mean 'connection'?"),
        ("[expect]\nverify_everything = true\n", "c.toml [expect]: unknown key 'verify_everything'; the README"),
    ],
)  # fmt: skip
def test_unknown_config_key_names_the_file_and_the_section(tmp_path: Path, text: str, message: str) -> None:
    """A key the settings table does not have there is refused, naming the file, the section and a fix."""
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        resolve(LOGIN, environ={}, config_path=config)
    assert str(caught.value).startswith(f"{tmp_path / message.split(' ', 1)[0]} {message.split(' ', 1)[1]}")


def test_missing_instance_says_how_to_give_one() -> None:
    """No instance anywhere is a one-line ConfigError naming the flag and the variable."""
    with pytest.raises(ConfigError, match=r"--instance.*SN_HOST"):
        resolve({}, environ={}, config_path=None)


def test_invalid_setting_is_named_without_echoing_it() -> None:
    """An invalid gate severity names the flag and the variable, and does not echo the value."""
    with pytest.raises(ConfigError, match=r"--fail-on \(SN_FAIL_ON\)") as caught:
        resolve(LOGIN | {"fail_on": "catastrophic"}, environ={}, config_path=None)
    assert "catastrophic" not in str(caught.value)


def test_unreadable_config_file_is_a_clear_error(tmp_path: Path) -> None:
    """A config file that is not TOML gives a ConfigError naming the file."""
    config = tmp_path / "bad.toml"
    config.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        resolve(LOGIN, environ={}, config_path=config)


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({}, "no password: SN_PASSWORD is not set (in CI, map the secret into the job's environment)"),
        ({"SN_PASSWORD": ""}, "no password: SN_PASSWORD is set but empty (in CI, map the secret"),
    ],
)
def test_an_unmapped_secret_is_named_as_such(environ: dict[str, str], words: str) -> None:
    """A user name without a password says the variable is unset or empty, and how CI maps secrets."""
    with pytest.raises(ConfigError) as caught:
        resolve({"base_url": "acme", "username": "svc"}, environ=environ, cannot_ask="no terminal")
    assert str(caught.value).startswith(words)
    assert "no terminal" in str(caught.value)
    assert "'svc'" in str(caught.value)


def test_half_an_oauth_client_names_the_missing_secret() -> None:
    """A client id without its secret names SN_CLIENT_SECRET and --client-secret."""
    with pytest.raises(ConfigError, match=r"^no client secret: SN_CLIENT_SECRET is not set.*--client-secret"):
        resolve({"base_url": "acme", "client_id": "cid"}, environ={})


def test_the_password_is_asked_for_only_when_it_is_missing() -> None:
    """*ask* is called with the user name when a password is missing, and not when one is given."""
    asked: list[str] = []

    def ask(user: str) -> str:
        asked.append(user)
        return "typed-pw"

    settings = resolve({"base_url": "acme", "username": "svc"}, environ={}, ask=ask)
    assert asked == ["svc"]
    assert settings.connection.password is not None
    assert settings.connection.password.get_secret_value() == "typed-pw"
    resolve(LOGIN, environ={}, ask=ask)
    assert asked == ["svc"]


def test_a_report_folder_under_a_file_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    """A report folder whose parent is a regular file is refused, naming that file; nothing is created."""
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(ConfigError, match=r"a-file is a file, not a folder"):
        resolve(LOGIN | {"report_dir": tmp_path / "a-file" / "reports"}, environ={})
    with pytest.raises(ConfigError, match=r"--report-dir .* is a file, not a folder"):
        check_report_dir(tmp_path / "a-file")
    assert sorted(tmp_path.rglob("*")) == before


def test_a_missing_report_folder_is_accepted_without_being_created(tmp_path: Path) -> None:
    """A report folder that does not exist yet, under a writable one, is fine, and is not created early."""
    settings = resolve(LOGIN | {"report_dir": tmp_path / "new" / "reports"}, environ={})
    assert settings.report_dir == tmp_path / "new" / "reports"
    assert not (tmp_path / "new").exists()


def test_a_report_folder_this_user_cannot_write_is_refused(tmp_path: Path) -> None:
    """A folder without write permission is refused before any request.

    Root writes through permission bits, so under root (as in CI) the check runs in a child process whose
    capability to override them is dropped (util-linux ``setpriv``): the same code, judged as an ordinary
    login would be.
    """
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    script = (
        "import sys; from pathlib import Path\n"
        "from snow_preflight.errors import ConfigError\n"
        "from snow_preflight.validation import check_report_dir\n"
        "try:\n    check_report_dir(Path(sys.argv[1]))\nexcept ConfigError as exc:\n    print(exc)\n"
    )
    command = [sys.executable, "-c", script, str(locked / "reports")]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to test permission bits as root"
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    child = subprocess.run(command, capture_output=True, text=True, check=False)
    assert child.returncode == 0, child.stderr
    assert "cannot be written" in child.stdout


def test_a_checks_folder_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    """--checks naming something that is not a folder is a usage error naming it."""
    with pytest.raises(ConfigError, match=r"--checks .*nowhere is not a folder"):
        resolve(LOGIN | {"checks_dirs": [tmp_path / "nowhere"]}, environ={})


@pytest.mark.parametrize(
    ("only", "skip", "check", "result", "chosen"),
    [
        ((), (), "mid_server_up", "mid_server_up[prod]", True),
        (("mid_*",), (), "mid_server_up", "mid_server_up[prod]", True),
        (("mid_*",), (), "app_installed", "app_installed", False),
        (("rest_method_uses_mid[GET - Projects]",), (), "rest_method_uses_mid", "rest_method_uses_mid[GET - Projects]", True),
        (("rest_method_uses_mid[GET - Projects]",), (), "rest_method_uses_mid", "rest_method_uses_mid[GET - Webhooks]", False),
        (("rest_method_uses_mid",), (), "rest_method_uses_mid", "rest_method_uses_mid[GET - Webhooks]", True),
        ((), ("login_has_role[*]",), "login_has_role", "login_has_role[itil]", False),
        (("mid_*",), ("mid_server_up",), "mid_server_up", "mid_server_up[prod]", False),
    ],
)  # fmt: skip
def test_only_and_skip_match_check_ids_result_ids_and_globs(
    only: tuple[str, ...], skip: tuple[str, ...], check: str, result: str, chosen: bool
) -> None:
    """--only keeps what matches a check id, a result id or a glob of either; --skip then drops."""
    settings = resolve(LOGIN | {"only": only, "skip": skip}, environ={})
    assert settings.selects(check, result) is chosen
