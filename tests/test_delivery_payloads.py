"""RESTProbe answers are read defensively: every documented format, and "could not read" for anything else."""

from __future__ import annotations

import pytest

from snow_preflight.judge.payloads import MAX_ERROR, Answer, cause_of, one_line, read_payload

LEGACY = (
    '<results error=""><result><output>ok</output></result><httpHeaders>'
    '<httpHeader name="Content-Type" value="text/plain"/></httpHeaders>'
    '<parameters><parameter name="http_status_code" value="{status}"/></parameters></results>'
)


@pytest.mark.parametrize("status", [200, 201, 404, 503])
def test_the_legacy_format_gives_its_http_status_code(status: int) -> None:
    """``<parameter name="http_status_code" value="N"/>`` is the status, whatever N."""
    assert read_payload(LEGACY.format(status=status)) == Answer(status, "", None, "")


def test_the_element_variant_gives_its_status_and_probe_time() -> None:
    """``<results probe_time="212"><result><status_code>200</status_code>`` gives 200 in 212 ms."""
    answer = read_payload(
        '<results probe_time="212"><result><status_code>200</status_code></result></results>'
    )
    assert (answer.status, answer.round_trip_ms, answer.unreadable) == (200, 212.0, "")


def test_the_error_attribute_is_the_mid_servers_error() -> None:
    """``<results error="...">`` with no status is a failure with that error, not an unreadable answer."""
    answer = read_payload(
        '<results error="java.net.ConnectException: Connection refused"><result/></results>'
    )
    assert answer == Answer(None, "java.net.ConnectException: Connection refused", None, "")


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        ("<see_attachment/>", "stored as an attachment"),
        ("", "payload is empty"),
        ("HTTP/1.1 200 OK", "not the XML a MID Server writes"),
        ("<results><result><output>x</output></result></results>", "names no HTTP status"),
        ("<results><result><status_code>OK</status_code></result></results>", "is not a number"),
        ("<html><body>Login</body></html>", "not the <results> of a probe"),
        ("<results>" + "x" * 1_000_001, "over 1000000 characters"),
    ],
    ids=["attachment", "empty", "not-xml", "no-status", "not-a-number", "other-root", "too-large"],
)
def test_anything_else_is_could_not_read_the_status(payload: str, why: str) -> None:
    """An answer the tool cannot read gives no status and says why: never a success, never a failure."""
    answer = read_payload(payload)
    assert answer.status is None
    assert why in answer.unreadable


def test_an_entity_bomb_is_not_expanded() -> None:
    """A payload that declares nested entities is refused by the parser, not expanded."""
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + "]><results><result><status_code>&i;</status_code></result></results>"
    )
    answer = read_payload(bomb)
    assert answer.status is None


@pytest.mark.parametrize(
    ("error", "status", "webhook", "condition"),
    [
        ("javax.net.ssl.SSLHandshakeException: PKIX path building failed", None, True, "certificate"),
        ("java.net.UnknownHostException: rundeck: Name or service not known", None, True, "dns"),
        ('Unable to tunnel through proxy. Proxy returns "HTTP/1.1 407"', None, True, "proxy"),
        ("java.net.ConnectException: Connection refused", None, True, "connect"),
        ("java.net.SocketTimeoutException: connect timed out", None, False, "connect"),
        ("", 401, True, "token"),
        ("", 403, False, "token"),
        ("", 404, True, "webhook_gone"),
        ("", 404, False, "not_found"),
        ("", 500, False, "http"),
        ("", 0, True, "connect"),
        ("", -1, True, "connect"),
        ("something odd", None, False, "mid_error"),
        ("", None, False, "mid_error"),
    ],
)
def test_each_failure_is_put_in_words_with_its_condition(
    error: str, status: int | None, webhook: bool, condition: str
) -> None:
    """The MID Server's error, else Rundeck's status, picks the condition whose steps the report shows."""
    cause = cause_of(error, status, webhook=webhook)
    assert cause.condition == condition
    assert cause.words
    assert "\n" not in cause.words


def test_an_error_text_is_one_short_line_without_its_webhook_token() -> None:
    """Only the first line is kept, the webhook token is removed before it is shortened."""
    text = (
        "java.net.ConnectException: refused https://rd:4440/api/41/webhook/planted-hook-9\n\tat x.y(Z.java:1)"
    )
    assert one_line(text) == "java.net.ConnectException: refused https://rd:4440/api/41/webhook/[REDACTED]"
    long_line = "x" * 1000 + "/webhook/" + "t" * 50
    assert len(one_line(long_line)) == MAX_ERROR
    assert "t" * 10 not in one_line("/webhook/" + "t" * 500)
