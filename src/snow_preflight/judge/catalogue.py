"""The catalogue: every check's metadata, declared with :func:`check` and validated when it loads.

A check is a pytest function named ``check_<id>`` in a module of the ``checks`` package. Its metadata is a
stable id (a contract: users' CI configurations depend on it), a title that states the good state, a
severity, remediation steps in ServiceNow's own UI words, and the ids of the checks that must pass first.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from snow_preflight.severity import Severity

F = TypeVar("F", bound=Callable[..., None])

ATTRIBUTE = "__preflight_check__"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_VAGUE_TITLE = re.compile(r"^(ensure|check|verify)\b", re.IGNORECASE)


class CatalogueError(Exception):
    """A check's metadata is invalid: a bug in the checklist, found before anything runs."""


class CannotVerify(Exception):  # noqa: N818 - reads as a statement: raise CannotVerify("table denied")
    """The check could not see what it needs: the result is ``error``, never ``failed``."""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    severity: Severity
    remediation: tuple[str, ...]
    requires: tuple[str, ...]
    area: str = ""
    why: str = ""
    # Name of the parametrised argument ("method", "mid", "role", ...) when the check runs once per item.
    each: str | None = None


def check(
    *,
    title: str,
    severity: Severity,
    remediation: Sequence[str],
    requires: Sequence[str] = ("login_authenticated",),
    why: str = "",
    each: str | None = None,
) -> Callable[[F], F]:
    """Declare a check. The id is the function name without ``check_``; the area is its module's name."""

    def decorate(fn: F) -> F:
        spec = CheckSpec(
            id=fn.__name__.removeprefix("check_"),
            title=title,
            severity=severity,
            remediation=tuple(remediation),
            requires=tuple(requires),
            area=fn.__module__.rsplit(".", 1)[-1],
            why=why,
            each=each,
        )
        setattr(fn, ATTRIBUTE, spec)
        return fn

    return decorate


def spec_of(obj: object) -> CheckSpec | None:
    spec = getattr(obj, ATTRIBUTE, None)
    return spec if isinstance(spec, CheckSpec) else None


def validate(functions: Iterable[Callable[..., Any]]) -> dict[str, CheckSpec]:
    """Validate the metadata of *functions*; return the specs by id. Raises :class:`CatalogueError`."""
    specs: dict[str, CheckSpec] = {}
    problems: list[str] = []
    for fn in functions:
        spec = spec_of(fn)
        if spec is None:
            problems.append(f"{fn.__name__}: not declared with @check")
            continue
        if not fn.__name__.startswith("check_"):
            problems.append(f"{fn.__name__}: a check's function is named check_<id>")
        if not _ID.match(spec.id):
            problems.append(f"{spec.id}: ids are lower_snake_case")
        if spec.id in specs:
            problems.append(f"{spec.id}: duplicate id")
        if not spec.title or _VAGUE_TITLE.match(spec.title):
            problems.append(f"{spec.id}: the title states the good state, not 'Ensure/Check/Verify ...'")
        if not spec.remediation:
            problems.append(f"{spec.id}: remediation steps are missing")
        specs[spec.id] = spec
    for spec in specs.values():
        for required in spec.requires:
            if required not in specs:
                problems.append(f"{spec.id}: requires unknown check {required!r}")
            if required == spec.id:
                problems.append(f"{spec.id}: requires itself")
    if problems:
        raise CatalogueError("invalid check catalogue: " + "; ".join(problems))
    return specs


class _Keep(dict[str, Any]):
    """Format mapping that leaves unknown ``{placeholders}`` as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(steps: Iterable[str], facts: Mapping[str, Any]) -> list[str]:
    """Remediation steps with ``{placeholders}`` filled from the facts a check recorded."""
    formatter = string.Formatter()
    values = _Keep(facts)
    return [formatter.vformat(step, (), values) for step in steps]


@dataclass
class Evidence:
    """What a check saw, pass or fail; the plugin turns it into the result row."""

    rows: list[tuple[str, str, str | None]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def record(self, label: str, value: object, *, link: str | None = None) -> None:
        """Record one fact, shown in every report as *label*: *value*."""
        self.rows.append((label, "" if value is None else str(value), link))

    def link(self, label: str, url: str) -> None:
        """A deep link into the instance for the person fixing it."""
        if (label, url) not in self.links:
            self.links.append((label, url))

    def fact(self, **values: Any) -> None:
        """Values for the remediation's ``{placeholders}``."""
        self.facts.update(values)
