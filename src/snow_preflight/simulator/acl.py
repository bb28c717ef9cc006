"""ACL personas: what one login may see (servicenow-facts.md §3.4, §6 item 9).

Three levels, as on the platform:

* table-level denial → the Table API answers 403 for the whole table;
* row ACLs → 200 with the rows silently missing, while ``X-Total-Count`` still counts them;
* field ACLs → the key is absent from each row ("masked").

A scenario's ``"acl"`` block maps a user name (or ``"*"`` for every non-admin) to
``{"deny_tables": [...], "hide_rows": {table: encoded query of hidden rows, "" = all},
"mask_fields": {table: [...]}, "deny_write": [...]}``; ``deny_write`` names tables the login may read
but not write, whatever its roles (see :mod:`writes` for who may write by default). Independently of
the scenario, non-admins read ``sys_properties`` as 200 with no rows, as measured on real instances,
and may not read the update sets and customer updates at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from snow_preflight.simulator import schema
from snow_preflight.simulator.query import Context, Predicate, compile_query, parse
from snow_preflight.simulator.store import Row, Store


@dataclass(frozen=True)
class AclRules:
    """The raw rules of one persona, as written in the scenario."""

    deny_tables: frozenset[str] = frozenset()
    hide_rows: Mapping[str, str] = field(default_factory=dict)
    mask_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    deny_write: frozenset[str] = frozenset()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AclRules:
        return cls(
            deny_tables=frozenset(data.get("deny_tables", [])),
            hide_rows=dict(data.get("hide_rows", {})),
            mask_fields={t: frozenset(f) for t, f in data.get("mask_fields", {}).items()},
            deny_write=frozenset(data.get("deny_write", [])),
        )


# Non-admins see sys_properties as 200/0 rows (LH-SPIKE); update sets are admin-only [inferred,
# research-beyond-read-only.md §1.2]; admins see everything.
NON_ADMIN_DEFAULT = AclRules(
    hide_rows={"sys_properties": ""}, deny_tables=frozenset({"sys_update_set", "sys_update_xml"})
)


class Persona:
    """The compiled view of one user: cheap checks called for every row and field rendered."""

    def __init__(self, rules: list[AclRules], store: Store, context: Context) -> None:
        self.denied: frozenset[str] = frozenset().union(*(r.deny_tables for r in rules))
        self.write_denied: frozenset[str] = frozenset().union(*(r.deny_write for r in rules))
        self._hidden: dict[str, list[Predicate | None]] = {}
        self._masked: dict[str, set[str]] = {}
        self._rule_cache: dict[tuple[str, str], list[Predicate | None] | None] = {}
        for rule in rules:
            for table, encoded in rule.hide_rows.items():
                predicate = (
                    None
                    if encoded in ("", "*")
                    else compile_query(parse(encoded, store, table), store, table, context)
                )
                self._hidden.setdefault(table, []).append(predicate)
            for table, names in rule.mask_fields.items():
                self._masked.setdefault(table, set()).update(names)

    def can_read_table(self, table: str) -> bool:
        return table not in self.denied

    def can_read_row(self, table: str, row: Row) -> bool:
        """False when a row ACL of the table, or of the row's own class, hides the row."""
        if not self._hidden and not self.denied:
            return True
        rules = self._rules_for(table, row.get("sys_class_name", table))
        if rules is None:
            return False
        return not any(predicate is None or predicate(row) for predicate in rules)

    def _rules_for(self, table: str, class_name: str) -> list[Predicate | None] | None:
        """The hiding rules for rows of a class read through a table (None: the class is denied).

        Cached: it is asked once per row, and a large table would otherwise rebuild it thousands of times.
        """
        key = (table, class_name)
        if key not in self._rule_cache:
            names = {table, *schema.lineage(class_name)}
            if names & self.denied:
                self._rule_cache[key] = None
            else:
                self._rule_cache[key] = [p for name in names for p in self._hidden.get(name, ())]
        return self._rule_cache[key]

    def can_read_field(self, table: str, name: str) -> bool:
        if not self._masked:
            return True
        return not any(name in self._masked.get(t, ()) for t in schema.lineage(table))


def persona_for(
    user_name: str,
    is_admin: bool,
    acl: Mapping[str, AclRules],
    store: Store,
    context: Context,
) -> Persona:
    """Assemble the rules that apply to this login: its own, plus the non-admin defaults."""
    rules: list[AclRules] = []
    if user_name in acl:
        rules.append(acl[user_name])
    if not is_admin:
        rules.append(NON_ADMIN_DEFAULT)
        if "*" in acl:
            rules.append(acl["*"])
    return Persona(rules, store, context)
