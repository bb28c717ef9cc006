"""Settings: flags beat the environment, which beats the config file, which beats the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from snow_preflight.errors import ConfigError
from snow_preflight.settings import REQUIRED_ROLES, resolve
from snow_preflight.severity import Severity


def test_defaults_match_the_documented_app() -> None:
    """Without a config file, the expectations are those of the documented app."""
    settings = resolve({"base_url": "acme"}, environ={}, config_path=None)
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


def test_flag_beats_environment_beats_config_file(tmp_path: Path) -> None:
    """A flag wins over SN_*, and SN_* wins over the config file."""
    config = tmp_path / "snow-preflight.toml"
    config.write_text(
        'fail_on = "critical"\n[connection]\nbase_url = "https://file.service-now.com"\nusername = "file"\n'
        '[expect]\nexpected_mid = "mid-from-file"\n',
        encoding="utf-8",
    )
    env = {"SN_HOST": "https://env.service-now.com", "SN_USERNAME": "env-user"}
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


def test_missing_instance_says_how_to_give_one() -> None:
    """No instance anywhere is a one-line ConfigError naming the flag and the variable."""
    with pytest.raises(ConfigError, match=r"--instance.*SN_HOST"):
        resolve({}, environ={}, config_path=None)


def test_invalid_setting_is_named_without_echoing_it() -> None:
    """An invalid gate severity names the setting and does not echo the value."""
    with pytest.raises(ConfigError, match="fail_on"):
        resolve({"base_url": "acme", "fail_on": "catastrophic"}, environ={}, config_path=None)


def test_unreadable_config_file_is_a_clear_error(tmp_path: Path) -> None:
    """A config file that is not TOML gives a ConfigError naming the file."""
    config = tmp_path / "bad.toml"
    config.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        resolve({"base_url": "acme"}, environ={}, config_path=config)
