"""What changed between two releases: rows added, removed and changed per table, by primary key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def version_key(version: str) -> tuple[int, int, int]:
    """Sort key of a MAJOR.MINOR.PATCH version: ``"0.10.0"`` sorts after ``"0.9.1"``."""
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def released_versions(releases: Path) -> list[str]:
    """The versions in a releases folder, oldest first (temporary build folders are skipped).

    A folder counts once its descriptor is in place; the rename that publishes a release moves
    the whole folder, so a version folder without one is not a release.
    """
    if not releases.is_dir():
        return []
    found = [
        p.name
        for p in releases.iterdir()
        if _VERSION.match(p.name) and (p / "datapackage.json").is_file()
    ]
    return sorted(found, key=version_key)


def previous_version(releases: Path, version: str) -> str | None:
    """The newest released version older than ``version``."""
    older = [v for v in released_versions(releases) if version_key(v) < version_key(version)]
    return older[-1] if older else None


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
        path = previous / f"{name}.parquet"
        old = pq.read_table(path) if path.is_file() else table.slice(0, 0)
        result[name] = table_changes(old, table)
    return result
