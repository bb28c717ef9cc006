"""The encoded query engine: ``sysparm_query`` parsed once and compiled to a row predicate.

Grammar (servicenow-facts.md §3.2): ``^`` is AND, ``^OR`` ORs a condition with the one before
it, ``^NQ`` starts a new OR'ed query, ``ORDERBY``/``ORDERBYDESC`` sort. A condition whose field
(or any dot-walk step) is unknown is silently dropped, so a query made only of unknown fields
matches the whole table — the platform's default when ``glide.invalid_query.returns_no_rows``
is false.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from snow_preflight.simulator.store import Row, Store

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

# Longest first, so "NOT LIKE" wins over "NOT IN"-like prefixes and "<=" over "<".
OPERATORS = (
    "ISNOTEMPTY",
    "ISEMPTY",
    "ANYTHING",
    "EMPTYSTRING",
    "NOT LIKE",
    "NOT IN",
    "STARTSWITH",
    "ENDSWITH",
    "NSAMEAS",
    "SAMEAS",
    "BETWEEN",
    "LIKE",
    "IN",
    "!=",
    "<=",
    ">=",
    "=",
    "<",
    ">",
)
# Field names are lower-case, so the first upper-case letter or symbol starts the operator.
_CONDITION = re.compile(r"^([a-z_][a-z0-9_.]*)(.*)$", re.DOTALL)
_JS = re.compile(r"^javascript:\s*gs\.(\w+)\(\s*(-?\d*)\s*\)\s*;?\s*$")

Predicate = Callable[[Row], bool]


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: str


@dataclass
class Query:
    """Branches (``^NQ``) of AND'ed clauses; each clause ORs its conditions."""

    branches: list[list[list[Condition]]] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)


@dataclass(frozen=True)
class Context:
    """Who is asking and when: the values ``javascript:gs.*()`` expressions resolve to."""

    user_id: str
    user_name: str
    now: datetime


def _split_condition(text: str) -> Condition | None:
    match = _CONDITION.match(text)
    if match is None:
        return None
    name, rest = match.groups()
    for op in OPERATORS:
        if rest.startswith(op):
            return Condition(name, op, rest[len(op) :])
    return None


def parse(encoded: str, store: Store, table: str) -> Query:
    """Parse an encoded query, dropping conditions on fields the table does not have."""
    query = Query()
    for branch_text in encoded.split("^NQ"):
        clauses: list[list[Condition]] = []
        for part in branch_text.split("^"):
            part = part.strip()
            if not part or part == "EQ":
                continue
            if part.startswith("ORDERBYDESC"):
                _add_order(query, store, table, part[len("ORDERBYDESC") :], descending=True)
                continue
            if part.startswith("ORDERBY"):
                _add_order(query, store, table, part[len("ORDERBY") :], descending=False)
                continue
            is_or = part.startswith("OR")
            condition = _split_condition(part[2:] if is_or else part)
            if condition is None or store.field_type(table, condition.field) is None:
                continue  # unknown field or garbage: silently ignored, like the platform
            if is_or and clauses:
                clauses[-1].append(condition)
            else:
                clauses.append([condition])
        query.branches.append(clauses)
    return query


def _add_order(query: Query, store: Store, table: str, name: str, *, descending: bool) -> None:
    if store.field_type(table, name) is not None:
        query.order.append((name, descending))


def resolve_value(value: str, context: Context) -> str:
    """Evaluate the ``javascript:gs.*()`` helpers the platform accepts in query values."""
    match = _JS.match(value)
    if match is None:
        return value
    function, argument = match.groups()
    amount = int(argument) if argument else 0
    now = context.now
    results: dict[str, Callable[[], str]] = {
        "getUserID": lambda: context.user_id,
        "getUserName": lambda: context.user_name,
        "nowDateTime": lambda: now.strftime(DATE_FORMAT),
        "minutesAgo": lambda: (now - timedelta(minutes=amount)).strftime(DATE_FORMAT),
        "minutesAgoStart": lambda: (now - timedelta(minutes=amount)).strftime("%Y-%m-%d %H:%M:00"),
        "hoursAgo": lambda: (now - timedelta(hours=amount)).strftime(DATE_FORMAT),
        "hoursAgoStart": lambda: (now - timedelta(hours=amount)).strftime("%Y-%m-%d %H:00:00"),
        "daysAgo": lambda: (now - timedelta(days=amount)).strftime(DATE_FORMAT),
        "daysAgoStart": lambda: (now - timedelta(days=amount)).strftime("%Y-%m-%d 00:00:00"),
    }
    producer = results.get(function)
    return producer() if producer is not None else value


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(left: str, right: str, op: str) -> bool:
    if left == "" or right == "":
        return False  # NULL never compares
    a, b = _as_number(left), _as_number(right)
    if a is not None and b is not None:
        pair: tuple[float, float] | tuple[str, str] = (a, b)
    else:
        pair = (left, right)  # dates in YYYY-MM-DD HH:MM:SS sort as text
    x, y = pair
    if op == "<":
        return x < y  # type: ignore[operator]
    if op == "<=":
        return x <= y  # type: ignore[operator]
    if op == ">":
        return x > y  # type: ignore[operator]
    return x >= y  # type: ignore[operator]


def _not_empty_and(test: Callable[[str, str], bool]) -> Callable[[str, str], bool]:
    # `!=`, NOT LIKE, NOT IN never match an empty field, like SQL NULL (facts §3.2).
    return lambda actual, value: actual != "" and test(actual, value)


def _between(actual: str, value: str) -> bool:
    low, _, high = value.partition("@")
    return _compare(actual, low, ">=") and _compare(actual, high, "<=")


# One small function per operator, looked up once per condition rather than per row.
_TESTS: dict[str, Callable[[str, str], bool]] = {
    "=": lambda a, v: a == v,
    "!=": _not_empty_and(lambda a, v: a != v),
    "LIKE": lambda a, v: v.lower() in a.lower(),
    "NOT LIKE": _not_empty_and(lambda a, v: v.lower() not in a.lower()),
    "STARTSWITH": lambda a, v: a.lower().startswith(v.lower()),
    "ENDSWITH": lambda a, v: a.lower().endswith(v.lower()),
    "IN": lambda a, v: a in v.split(","),
    "NOT IN": _not_empty_and(lambda a, v: a not in v.split(",")),
    "ISEMPTY": lambda a, v: a == "",
    "ISNOTEMPTY": lambda a, v: a != "",
    "EMPTYSTRING": lambda a, v: a == "",
    "ANYTHING": lambda a, v: True,
    "BETWEEN": _between,
    "<": lambda a, v: _compare(a, v, "<"),
    "<=": lambda a, v: _compare(a, v, "<="),
    ">": lambda a, v: _compare(a, v, ">"),
    ">=": lambda a, v: _compare(a, v, ">="),
}


def _getter(store: Store, table: str, name: str) -> Callable[[Row], str]:
    if "." not in name:
        return lambda row: row.get(name, "")
    return store.walker(table, name)


def _compile_condition(condition: Condition, store: Store, table: str, context: Context) -> Predicate:
    get = _getter(store, table, condition.field)
    value = resolve_value(condition.value, context)
    if condition.op in ("SAMEAS", "NSAMEAS"):
        other = _getter(store, table, value)
        same = condition.op == "SAMEAS"
        return lambda row: (get(row) == other(row)) is same
    if condition.op == "IN":
        choices = frozenset(value.split(","))
        return lambda row: get(row) in choices
    if condition.op == "=":
        return lambda row: get(row) == value
    test = _TESTS[condition.op]
    return lambda row: test(get(row), value)


def _any_of(tests: list[Predicate]) -> Predicate:
    if len(tests) == 1:
        return tests[0]

    def either(row: Row) -> bool:
        return any(test(row) for test in tests)

    return either


def _all_of(tests: list[Predicate]) -> Predicate:
    if len(tests) == 1:
        return tests[0]

    def both(row: Row) -> bool:
        return all(test(row) for test in tests)

    return both


def compile_query(query: Query, store: Store, table: str, context: Context) -> Predicate:
    """One predicate for the whole query; an empty query (or all-dropped) matches everything."""
    branches = [
        _all_of(
            [_any_of([_compile_condition(c, store, table, context) for c in clause]) for clause in branch]
        )
        for branch in query.branches
        if branch
    ]
    if not branches:
        return lambda row: True
    return _any_of(branches)


def sort_rows(rows: Sequence[Row], order: list[tuple[str, bool]], store: Store, table: str) -> list[Row]:
    """Stable multi-key sort; integer fields sort as numbers, everything else as text."""
    result = list(rows)
    for name, descending in reversed(order):
        numeric = store.field_type(table, name) == "integer"

        def key(row: Row, name: str = name, numeric: bool = numeric) -> tuple[int, float, str]:
            raw = store.value(table, row, name)
            number = _as_number(raw) if numeric else None
            return (0 if raw == "" else 1, number if number is not None else 0.0, raw)

        result.sort(key=key, reverse=descending)
    return result


def now_utc() -> datetime:
    return datetime.now(UTC)
