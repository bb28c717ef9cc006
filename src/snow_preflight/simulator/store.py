"""The simulated instance's records, indexed by sys_id.

Rows are plain ``dict[str, str]`` holding the stored (raw) value of every field of their class.
A row lives in the table of its class (``sys_class_name``); a query on a parent table walks the
class and its descendants, as the platform does (servicenow-facts.md §2.1, §6 item 7).

Only :mod:`snow_preflight.simulator.writes` changes them, through :meth:`Store.insert` and
:meth:`Store.update`. An insert replaces the table's list rather than appending to it, so a read that is
walking the old list in another thread is never disturbed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from snow_preflight.simulator import schema

Row = dict[str, str]


class Store:
    """Tables of rows, an index by sys_id, and dot-walk lookups."""

    def __init__(self, tables: Mapping[str, list[Row]]) -> None:
        self._rows: dict[str, list[Row]] = {name: [] for name in schema.TABLES}
        self._by_id: dict[str, Row] = {}
        for table, rows in tables.items():
            if table not in schema.TABLES:
                raise ValueError(f"scenario seeds unknown table {table!r}")
            for row in rows:
                self._rows[table].append(row)
                self._by_id[row["sys_id"]] = row
        self._scan_cache: dict[str, list[Row]] = {}

    def insert(self, table: str, row: Row) -> None:
        """Add *row* (holding every field of *table*) to *table*."""
        self._rows[table] = [*self._rows[table], row]
        self._by_id[row["sys_id"]] = row
        for name in schema.lineage(table):  # the scans of the table and of every table it extends
            self._scan_cache.pop(name, None)

    @staticmethod
    def update(row: Row, values: dict[str, str]) -> None:
        """Change fields of a stored row in place (the caller advances sys_mod_count and sys_updated_on)."""
        row.update(values)

    def has_table(self, table: str) -> bool:
        return table in schema.TABLES

    def rows(self, table: str) -> list[Row]:
        """Every row of the table and of the tables that extend it, in a stable order."""
        cached = self._scan_cache.get(table)
        if cached is None:
            cached = [row for name in schema.descendants(table) for row in self._rows[name]]
            self._scan_cache[table] = cached
        return cached

    def get(self, table: str, sys_id: str) -> Row | None:
        """The row with that sys_id if its class is the table or extends it."""
        row = self._by_id.get(sys_id)
        if row is None or row["sys_class_name"] not in schema.DESCENDANTS[table]:
            return None
        return row

    def all_rows(self) -> Iterator[tuple[str, Row]]:
        for table, rows in self._rows.items():
            for row in rows:
                yield table, row

    def field_type(self, table: str, path: str) -> str | None:
        """The type of a (possibly dot-walked) field, or None when any step is unknown."""
        current = table
        steps = path.split(".")
        for index, step in enumerate(steps):
            kind = schema.ALL_FIELDS[current].get(step)
            if kind is None:
                return None
            if index == len(steps) - 1:
                return kind
            target = schema.ref_table(current, step)
            if target is None:
                return None
            current = target
        return None

    def walk(self, table: str, row: Row, path: str) -> tuple[str, Row | None, str]:
        """Follow a dot-walk: the (table, row, field) holding the last step.

        The row is None when a reference on the way is empty or dangles; the caller renders "".
        """
        current_table = table
        current: Row | None = row
        steps = path.split(".")
        for step in steps[:-1]:
            target = schema.ref_table(current_table, step)
            if target is None or current is None:
                return current_table, None, steps[-1]
            ref_id = current.get(step, "")
            current = self.get(target, ref_id) if ref_id else None
            current_table = target
        return current_table, current, steps[-1]

    def walker(self, table: str, path: str) -> Callable[[Row], str]:
        """A compiled dot-walk: the reference tables resolved once, then dict lookups per row."""
        steps = path.split(".")
        hops: list[tuple[str, frozenset[str]]] = []
        current = table
        for step in steps[:-1]:
            target = schema.ref_table(current, step)
            if target is None:
                return lambda row: ""
            hops.append((step, schema.DESCENDANTS[target]))
            current = target
        leaf, by_id = steps[-1], self._by_id

        def walk(row: Row) -> str:
            node: Row | None = row
            for step, classes in hops:
                node = by_id.get(node.get(step, "")) if node is not None else None
                if node is None or node["sys_class_name"] not in classes:
                    return ""
            return node.get(leaf, "") if node is not None else ""

        return walk

    def value(self, table: str, row: Row, path: str) -> str:
        """The stored value at a dot-walked path ("" through empty references)."""
        if "." not in path:
            return row.get(path, "")
        _, target, leaf = self.walk(table, row, path)
        return "" if target is None else target.get(leaf, "")

    def display_value(self, table: str, row: Row | None) -> str:
        """What the platform shows for a record in a reference field: its display field."""
        if row is None:
            return ""
        return row.get(schema.display_field(row.get("sys_class_name", table)), "")
