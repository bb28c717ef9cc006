"""Typed settings without a validation library: :class:`Secret`, and :func:`typed`, which turns what a person
gave (a flag's value, a ``SN_*`` variable's text, a TOML value) into the type a settings field declares.

Why not pydantic, as the result model uses: the settings are what a run needs before its first request, and
importing pydantic costs tens of milliseconds that every run would pay before the wave of reads could go out
(``benchmarks/bench_startup.py``). The settings are frozen dataclasses whose ``__post_init__`` calls
:func:`coerce`; a value that cannot become its field's type raises :class:`~snow_preflight.errors.InvalidSettingError`
naming the field, which :func:`snow_preflight.settings.resolve` words with the flag and the variable.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union

from snow_preflight.errors import InvalidSettingError

_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f"})


class Secret:
    """A secret value: shown as ``**********`` by ``str()`` and ``repr()``, never as itself.

    Not a dataclass on purpose: ``dataclasses.asdict`` would unpack one and show its value.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __repr__(self) -> str:
        return f"Secret('{self}')"


def coerce(instance: object) -> None:
    """Turn every field of the frozen dataclass *instance* into its declared type, in place.

    Called from ``__post_init__``; :class:`InvalidSettingError` names the first field that cannot be converted.
    """
    for name, hint in _hints(type(instance)).items():
        value = getattr(instance, name)
        try:
            converted = typed(hint, value)
        except InvalidSettingError as exc:
            raise InvalidSettingError(name, exc.problem) from None
        if converted is not value:
            object.__setattr__(instance, name, converted)


def positive(instance: object, *names: str, finite: bool = True) -> None:
    """The numbers *names* of *instance* are above 0 (and finite): the settings' own bounds."""
    for name in names:
        value = getattr(instance, name)
        if finite and not math.isfinite(value):
            raise InvalidSettingError(name, "Input should be a finite number")
        if not value > 0:
            raise InvalidSettingError(name, "Input should be greater than 0")


def within(instance: object, name: str, low: int, high: int) -> None:
    """The whole number *name* of *instance* lies in ``low..high``."""
    value = getattr(instance, name)
    if value < low:
        raise InvalidSettingError(name, f"Input should be greater than or equal to {low}")
    if value > high:
        raise InvalidSettingError(name, f"Input should be less than or equal to {high}")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The declared type of each field of the dataclass *cls* (read once: the annotations are strings)."""
    if cls not in _HINTS:
        names = {field.name for field in dataclasses.fields(cls)}
        _HINTS[cls] = {name: hint for name, hint in typing.get_type_hints(cls).items() if name in names}
    return _HINTS[cls]


def typed(hint: Any, value: Any) -> Any:
    """*value* as the type *hint* names; :class:`InvalidSettingError` (with no field name yet) if it cannot be."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = (arg for arg in args if arg is not type(None))
        return typed(inner, value)
    if origin is Literal:
        if value in args:
            return value
        raise InvalidSettingError("", "Input should be " + " or ".join(repr(arg) for arg in args))
    if origin is tuple:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise InvalidSettingError("", "Input should be a valid list")
        items = tuple(typed(args[0], item) for item in value)
        return value if items == value and isinstance(value, tuple) else items
    if hint is bool:
        return _boolean(value)
    if hint is int:
        return _integer(value)
    if hint is float:
        return _number(value)
    if hint in (str, Path, Secret):  # each made from text, or given as it is
        if isinstance(value, hint):
            return value
        if isinstance(value, str):
            return hint(value)
        raise InvalidSettingError("", f"Input should be a valid {'path' if hint is Path else 'string'}")
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            choices = " or ".join(repr(member.value) for member in hint)
            raise InvalidSettingError("", f"Input should be {choices}") from None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if isinstance(value, hint):
            return value
        if isinstance(value, dict):
            return hint(**value)
        raise InvalidSettingError("", "Input should be a table of settings")
    raise TypeError(f"no conversion to {hint!r}")  # pragma: no cover - a settings field of a new type


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidSettingError("", "Input should be a valid boolean")


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidSettingError("", "Input should be a valid integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise InvalidSettingError("", "Input should be a valid integer")


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidSettingError("", "Input should be a valid number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise InvalidSettingError("", "Input should be a valid number, unable to parse string as a number")
