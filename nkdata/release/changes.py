"""What changed between two releases: rows added, removed and changed per table, by primary key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from nkdata.schema.releasefolder import table_file


@dataclass(frozen=True, slots=True)
class TableChanges:
    """Row ids added, removed and changed in one table."""

    added: int
    removed: int
    changed: int


def table_changes(old: pa.Table, new: pa.Table) -> TableChanges:
    """Compare two versions of a table by ``id``; a changed row differs in any shared column."""
    shared = [name for name in new.column_names if name in old.column_names]
    before = {row["id"]: row for row in old.select(shared).to_pylist()}
    after = {row["id"]: row for row in new.select(shared).to_pylist()}
    return TableChanges(
        added=len(after.keys() - before.keys()),
        removed=len(before.keys() - after.keys()),
        changed=sum(1 for key in after.keys() & before.keys() if after[key] != before[key]),
    )


def release_changes(previous: Path, tables: dict[str, pa.Table]) -> dict[str, TableChanges]:
    """Changes of every table since the release in folder ``previous``."""
    result = {}
    for name, table in tables.items():
        path = previous / table_file(name, "parquet")
        old = pq.read_table(path) if path.is_file() else table.slice(0, 0)
        result[name] = table_changes(old, table)
    return result
