"""snow_preflight.values: what a person typed becomes the type a settings field declares, or a one-line
reason naming the field, and a secret never shows itself."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

import pytest

from snow_preflight.errors import ConfigError, InvalidSettingError
from snow_preflight.severity import Severity
from snow_preflight.values import Secret, coerce, typed


@pytest.mark.parametrize(
    ("hint", "given", "expected"),
    [
        (bool, "yes", True),
        (bool, "Off", False),
        (bool, 1, True),
        (int, "7", 7),
        (int, 3.0, 3),
        (float, "2.5", 2.5),
        (float, 4, 4.0),
        (Path, "out/reports", Path("out/reports")),
        (tuple[str, ...], ["a", "b"], ("a", "b")),
        (tuple[Path, ...], ["x"], (Path("x"),)),
        (str | None, None, None),
        (Literal["text", "json"], "json", "json"),
        (Severity, "medium", Severity.MEDIUM),
    ],
)
def test_a_value_becomes_its_fields_type(hint: object, given: object, expected: object) -> None:
    assert typed(hint, given) == expected


@pytest.mark.parametrize(
    ("hint", "given", "reason"),
    [
        (float, "soon", "Input should be a valid number"),
        (int, 2.5, "Input should be a valid integer"),
        (int, True, "Input should be a valid integer"),
        (bool, "perhaps", "Input should be a valid boolean"),
        (str, 5, "Input should be a valid string"),
        (tuple[str, ...], "a,b", "Input should be a valid list"),
        (Literal["failure", "skipped"], "error", "Input should be 'failure' or 'skipped'"),
        (Severity, "urgent", "Input should be 'critical' or 'high'"),
    ],
)
def test_a_value_of_the_wrong_kind_says_what_was_expected(hint: object, given: object, reason: str) -> None:
    with pytest.raises(InvalidSettingError, match=reason) as caught:
        typed(hint, given)
    assert isinstance(caught.value, ConfigError)  # a usage error, exit 4


def test_coerce_names_the_field_and_never_the_value() -> None:
    @dataclasses.dataclass(frozen=True)
    class Example:
        timeout: float = 1.0

        def __post_init__(self) -> None:
            coerce(self)

    assert Example(timeout="3").timeout == 3.0  # type: ignore[arg-type]
    with pytest.raises(InvalidSettingError) as caught:
        Example(timeout="hunter2-not-a-number")  # type: ignore[arg-type]
    assert caught.value.field == "timeout"
    assert "hunter2" not in str(caught.value)


def test_a_secret_shows_itself_nowhere_but_get_secret_value() -> None:
    secret = Secret("pw-Planted-9")
    assert secret.get_secret_value() == "pw-Planted-9"
    assert "Planted" not in str(secret) + repr(secret)
    assert secret == Secret("pw-Planted-9")
    assert hash(secret) == hash(Secret("pw-Planted-9"))

    @dataclasses.dataclass(frozen=True)
    class Holder:
        password: Secret

    assert "Planted" not in str(dataclasses.asdict(Holder(secret)))  # asdict does not unpack it
