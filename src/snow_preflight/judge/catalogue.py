"""A check's metadata, declared with :func:`check` and validated once over the whole checklist.

A check is a function named ``check_<id>`` in a check module (ours in ``snow_preflight.checks``, a site's in
a ``--checks`` folder or an installed package). Its metadata is a stable id (a contract: users' CI
configurations depend on it), a title that states the good state, a severity, remediation steps in
ServiceNow's own UI words, the message a passing row shows, the ids of the checks that must pass first, and
the table reads it needs beyond the built-in ones (folded into the same single wave of requests).
"""

from __future__ import annotations

import inspect
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from snow_preflight.errors import CatalogueError
from snow_preflight.reads import Read
from snow_preflight.severity import Severity

F = TypeVar("F", bound=Callable[..., None])

ATTRIBUTE = "__snow_preflight_check__"
#: Remediation steps shown whatever condition failed, when remediation is given per condition.
ALWAYS = "*"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_VAGUE_TITLE = re.compile(r"^(ensure|check|verify)\b", re.IGNORECASE)
#: Arguments the engine itself can give a check that is judged outside pytest (a deselected prerequisite).
DIRECT_ARGUMENTS = frozenset({"view", "evidence"})


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    severity: Severity
    # Steps shown when the check fails: every step, or per condition (see :meth:`Evidence.failing`).
    remediation: Mapping[str, tuple[str, ...]]
    requires: tuple[str, ...]
    area: str = ""
    module: str = ""
    why: str = ""
    # The parametrised argument ("method", "mid", "role", ...) when the check runs once per item.
    each: str | None = None
    # What a passing row says, with the same {placeholders} as the remediation.
    passes: str = ""
    reads: tuple[Read, ...] = ()
    arguments: tuple[str, ...] = ()


def check(
    *,
    title: str,
    severity: Severity,
    remediation: Sequence[str] | Mapping[str, Sequence[str]],
    passes: str = "",
    requires: Sequence[str] = ("login_authenticated",),
    why: str = "",
    each: str | None = None,
    reads: Sequence[Read] = (),
) -> Callable[[F], F]:
    """Declare a check. The id is the function name without ``check_``; the area is its module's name."""

    steps = (
        {key: tuple(value) for key, value in remediation.items()}
        if isinstance(remediation, Mapping)
        else {ALWAYS: tuple(remediation)}
    )

    def decorate(fn: F) -> F:
        spec = CheckSpec(
            id=fn.__name__.removeprefix("check_"),
            title=title,
            severity=Severity(severity),
            remediation=steps,
            requires=tuple(requires),
            area=fn.__module__.rsplit(".", 1)[-1],
            module=fn.__module__,
            why=why,
            each=each,
            passes=passes,
            reads=tuple(reads),
            arguments=tuple(inspect.signature(fn).parameters),
        )
        setattr(fn, ATTRIBUTE, spec)
        return fn

    return decorate


def spec_of(obj: object) -> CheckSpec | None:
    spec = getattr(obj, ATTRIBUTE, None)
    return spec if isinstance(spec, CheckSpec) else None


def validate(functions: Iterable[Callable[..., Any]], item_kinds: Iterable[str]) -> dict[str, CheckSpec]:
    """Validate the metadata of the whole checklist; return the specs by id. Raises :class:`CatalogueError`.

    *item_kinds* are the ``each=`` names the views can list items for.
    """
    kinds = set(item_kinds)
    specs: dict[str, CheckSpec] = {}
    problems: list[str] = []
    for fn in functions:
        spec = spec_of(fn)
        name = getattr(fn, "__name__", repr(fn))
        if spec is None:
            problems.append(f"{name}: not declared with @check")
            continue
        where = f"{spec.id} ({spec.module})"
        if not name.startswith("check_"):
            problems.append(f"{name}: a check's function is named check_<id>")
        if not _ID.match(spec.id):
            problems.append(f"{where}: ids are lower_snake_case")
        if spec.id in specs:
            problems.append(f"{where}: duplicate id (also in {specs[spec.id].module})")
        if not spec.title or _VAGUE_TITLE.match(spec.title):
            problems.append(f"{where}: the title states the good state, not 'Ensure/Check/Verify ...'")
        if not any(spec.remediation.values()):
            problems.append(f"{where}: remediation steps are missing")
        if spec.each is not None and spec.each not in kinds:
            problems.append(f"{where}: each={spec.each!r} is not one of {', '.join(sorted(kinds))}")
        if spec.each is not None and spec.each not in spec.arguments:
            problems.append(f"{where}: each={spec.each!r} but the function takes no argument of that name")
        specs[spec.id] = spec
    for spec in specs.values():
        for required in spec.requires:
            if required == spec.id:
                problems.append(f"{spec.id}: requires itself")
            elif required not in specs:
                problems.append(f"{spec.id}: requires unknown check {required!r}")
            elif specs[required].each is not None or not set(specs[required].arguments) <= DIRECT_ARGUMENTS:
                problems.append(
                    f"{spec.id}: requires {required!r}, which is parametrised or takes arguments other "
                    "than view and evidence; a prerequisite must be judgeable on its own"
                )
    problems += _cycles(specs)
    if problems:
        raise CatalogueError("invalid check catalogue: " + "; ".join(problems))
    return specs


def _cycles(specs: Mapping[str, CheckSpec]) -> list[str]:
    """A requirement loop would make every check in it wait for the others forever."""
    problems = []
    for start in specs:
        seen: set[str] = set()
        stack = list(specs[start].requires)
        while stack:
            current = stack.pop()
            if current == start:
                problems.append(f"{start}: requirement loop")
                break
            if current in seen or current not in specs:
                continue
            seen.add(current)
            stack.extend(specs[current].requires)
    return problems


class _Keep(dict[str, Any]):
    """Format mapping that leaves unknown ``{placeholders}`` as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def fill(steps: Iterable[str], facts: Mapping[str, Any]) -> list[str]:
    """Steps with ``{placeholders}`` filled from the facts a check recorded."""
    formatter = string.Formatter()
    values = _Keep(facts)
    return [formatter.vformat(step, (), values) for step in steps]


def fill_complete(text: str, facts: Mapping[str, Any]) -> str | None:
    """*text* filled, or None when a placeholder had no fact (a half-filled sentence is worse than none)."""
    filled = fill([text], facts)[0]
    return None if _PLACEHOLDER.search(filled) else filled


def steps_for(spec: CheckSpec, failing: Sequence[str]) -> list[str]:
    """The remediation steps for the conditions that failed (all steps when none was named)."""
    always = list(spec.remediation.get(ALWAYS, ()))
    named = [key for key in failing if key in spec.remediation and key != ALWAYS]
    if not named:
        return always + [step for key, steps in spec.remediation.items() if key != ALWAYS for step in steps]
    return always + [step for key in named for step in spec.remediation[key]]


@dataclass
class Evidence:
    """What a check saw, pass or fail; the engine turns it into the result row."""

    rows: list[tuple[str, str, str | None]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    failing: list[str] = field(default_factory=list)

    def record(self, label: str, value: object, *, link: str | None = None) -> None:
        """Record one fact, shown in every report as *label*: *value*."""
        self.rows.append((label, "" if value is None else str(value), link))

    def link(self, label: str, url: str) -> None:
        """A deep link into the instance for the person fixing it."""
        if (label, url) not in self.links:
            self.links.append((label, url))

    def fact(self, **values: Any) -> None:
        """Values for the remediation's and the pass message's ``{placeholders}``."""
        self.facts.update(values)

    def fails(self, condition: str) -> None:
        """Name a condition that failed, so "How to fix" shows the steps for it (remediation per condition)."""
        if condition not in self.failing:
            self.failing.append(condition)
