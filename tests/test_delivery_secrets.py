"""Secrets in ECC rows and Rundeck answers never leave memory: webhook tokens, X-Rundeck-Auth-Token values,
webhook auth tokens and the Rundeck API token appear in no report, bundle file, console line or exchange log.

The simulator's delivery scenarios plant them where a real instance keeps them: the webhook token in the
path of each call's endpoint (``source``), the app's Rundeck API token as an ``X-Rundeck-Auth-Token``
header in the payloads (nested and escaped, as the MID Server stores request headers), a webhook's
``authToken`` in the body of a ``GET - Webhooks`` answer, the webhook URL inside an error text. The Rundeck
stand-in adds the webhooks' own ``authToken`` values and knows the API token the run sends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from snow_preflight.redaction import MASK, Redactor, scrub
from snow_preflight.rundeck_stand_in import DEMO_TOKEN
from snow_preflight.rundeck_stand_in.scenarios import load

WEBHOOK_TOKEN = "planted-webhook-token-7f3a9c"
RD_API_TOKEN = "planted-rd-api-token-51be"
HOOK_AUTH_TOKEN = "planted-hook-auth-token-88d1"
STAND_IN_HOOK_TOKENS = [hook["authToken"] for hook in load("healthy").webhooks()]
PLANTED = [WEBHOOK_TOKEN, RD_API_TOKEN, HOOK_AUTH_TOKEN, DEMO_TOKEN, *STAND_IN_HOOK_TOKENS]
DEMO = (sys.executable, "-m", "snow_preflight.cli", "demo")


@pytest.mark.parametrize(
    "scenario", ["delivery_ok", "delivery_mid_cannot_connect", "delivery_rundeck_refused"]
)
def test_no_planted_token_reaches_any_artifact_or_output(
    scenario: str,
    tmp_path: Path,
    secret_forms: Callable[..., list[str]],
    artifacts: Callable[[Path], dict[str, str]],
) -> None:
    """A demo run with the Rundeck stand-in and a bundle leaves no form of any planted token anywhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SN_", "RD_"))}
    result = subprocess.run(
        [*DEMO, "--scenario", scenario, "--rundeck", "--report-dir", "out", "--bundle"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr
    written = artifacts(tmp_path / "out")
    assert any(name.endswith(".zip:snapshot.json") for name in written)
    channels = {"stdout": result.stdout, "stderr": result.stderr, **written}
    for secret in PLANTED:
        for form in secret_forms(secret):
            leaks = [name for name, text in channels.items() if form in text]
            assert not leaks, f"{scenario}: a form of {secret!r} leaked into {leaks}"
    # The rows really held them: the bundle says it replaced webhook tokens and secret header values.
    redaction = json.loads(next(t for n, t in written.items() if n.endswith(".zip:redaction.json")))
    assert redaction["replacements"]["webhook_token"] > 0
    if scenario != "delivery_mid_cannot_connect":
        assert redaction["replacements"]["secret_header"] > 0


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"https://rd:4440/api/41/webhook/{WEBHOOK_TOKEN}", "https://rd:4440/api/41/webhook/"),
        (f"https%3A%2F%2Frd%2Fapi%2F41%2Fwebhook%2F{WEBHOOK_TOKEN}%3Fx", "%2Fwebhook%2F"),
        (f'<field name="X-Rundeck-Auth-Token" value="{RD_API_TOKEN}"/>', 'name="X-Rundeck-Auth-Token"'),
        (f'<httpHeader value="{RD_API_TOKEN}" name="x-rundeck-auth-token"/>', "x-rundeck-auth-token"),
        (
            f"&lt;field name=&quot;X-Rundeck-Auth-Token&quot; value=&quot;{RD_API_TOKEN}&quot;/&gt;",
            "&lt;field name=&quot;X-Rundeck-Auth-Token&quot;",
        ),
        (f"X-Rundeck-Auth-Token: {RD_API_TOKEN}\r\nAccept: */*", "Accept: */*"),
        (f"Authorization: Bearer {RD_API_TOKEN}", "Authorization: "),
        (f'[{{"id":11,"authToken":"{HOOK_AUTH_TOKEN}","enabled":true}}]', '"enabled":true'),
        (f'{{\\"authToken\\":\\"{HOOK_AUTH_TOKEN}\\"}}', '\\"authToken\\"'),
        (f'<parameter name="rest_password" value="enc:{RD_API_TOKEN}"/>', 'name="rest_password"'),
    ],
    ids=[
        "webhook-path",
        "webhook-path-url-encoded",
        "xml-header",
        "xml-header-value-first",
        "xml-header-escaped",
        "header-line",
        "authorization-line",
        "json-auth-token",
        "json-escaped-auth-token",
        "rest-password",
    ],
)
def test_secrets_known_by_their_place_are_replaced_in_every_form(text: str, kept: str) -> None:
    """A token in a webhook path, a secret-looking header or key is replaced; what surrounds it stays."""
    cleaned = scrub(text)
    assert MASK in cleaned
    assert kept in cleaned
    assert not [s for s in (WEBHOOK_TOKEN, RD_API_TOKEN, HOOK_AUTH_TOKEN) if s in cleaned]


@pytest.mark.parametrize(
    "text",
    [
        "${rd_api_protocol}://${rd_api_endpoint}:${rd_api_port}/api/${rd_api_version}/webhook/${rd_wh_auth_token}",
        "https://rd:4440/api/41/project/ops/webhooks",
        '<field name="Accept" value="application/json"/>',
        '{"passes": "ok", "name": "Restart service"}',
        "The webhook token is shown nowhere: see the README.",
    ],
    ids=["variable", "webhook-list-path", "plain-header", "plain-keys", "prose"],
)
def test_configuration_and_plain_values_stay_readable(text: str) -> None:
    """What is not a secret (a ${variable}, the webhook list's path, plain headers and keys) is left alone."""
    assert scrub(text) == text


def test_the_redactor_counts_what_it_replaced_by_kind() -> None:
    """A run's redactor replaces them too, and counts webhook tokens and header values apart."""
    redactor = Redactor()
    redactor.data(
        {
            "source": f"https://rd/api/41/webhook/{WEBHOOK_TOKEN}",
            "payload": f'<field name="X-Rundeck-Auth-Token" value="{RD_API_TOKEN}"/>',
        }
    )
    assert redactor.counts == {"webhook_token": 1, "secret_header": 1}
