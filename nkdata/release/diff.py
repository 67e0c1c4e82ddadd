"""What changed between two releases, row by row and cell by cell.

``nkdata diff``, the data card's Changes section, the CHANGELOG entry and the bump check of
``nkdata release`` are all rendered from one :class:`ReleaseDiff`. Rows are matched by ``id``;
a changed row lists the cells that differ among the columns both sides hold with one type.
Columns or tables only one side holds, or whose type changed, are schema changes, reported once.
Released sides are read through :mod:`nkdata.loading`, so every file is hash-checked first.

>>> import pyarrow as pa
>>> old = {"quantities": pa.table({"id": ["a", "b"], "label": ["A", "B"]})}
>>> new = {"quantities": pa.table({"id": ["b", "c"], "label": ["Bee", "C"]})}
>>> change = compare("0.1.0", old, "0.2.0", new).tables["quantities"]
>>> change.added, change.removed, change.changed[0].cells
(('c',), ('a',), (Cell(column='label', old='B', new='Bee'),))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nkdata.schema.releasefolder import Index, is_version, version_key

if TYPE_CHECKING:
    import pyarrow as pa

    from nkdata.loading import Dataset

FIGURE_VALUES = ("value", "low", "high")
"""The columns of a figure that hold its number."""
_WIDE = 72
"""Characters of a cell shown in text and Markdown; JSON always holds the whole value."""


class Bump(StrEnum):
    """The kinds of version bump, smallest first (semantic versioning for data)."""

    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"

    @property
    def rank(self) -> int:
        return list(Bump).index(self)

    def of(self, version: str) -> str:
        """``version`` bumped: ``Bump.MINOR.of("0.1.3") == "0.2.0"``."""
        major, minor, patch = version_key(version)
        if self is Bump.MAJOR:
            return f"{major + 1}.0.0"
        if self is Bump.MINOR:
            return f"{major}.{minor + 1}.0"
        return f"{major}.{minor}.{patch + 1}"


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell that differs: its column, the value before and after."""

    column: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class RowChange:
    """A row whose id both sides hold, with the cells that differ."""

    id: str
    cells: tuple[Cell, ...]
    quote: str | None = None
    """The claim's quote, for a claim or a figure: what a reader recognises the row by."""


@dataclass(frozen=True, slots=True)
class TableDiff:
    """One table's rows added, removed and changed, and its schema changes."""

    name: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[RowChange, ...] = ()
    new_table: bool = False
    dropped_table: bool = False
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()
    columns_retyped: tuple[tuple[str, str, str], ...] = ()
    """(column, old type, new type)."""

    @property
    def breaking(self) -> bool:
        """Whether a user's code may break: a table or column gone, or a type changed."""
        return self.dropped_table or bool(self.columns_removed or self.columns_retyped)

    @property
    def additive(self) -> bool:
        return self.new_table or bool(self.columns_added)


@dataclass(frozen=True, slots=True)
class FigureChange:
    """A figure whose number changed."""

    id: str
    quantity_id: str
    quote: str | None
    old: dict[str, Any]
    new: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReleaseDiff:
    """Everything that changed from release ``old`` to ``new``."""

    old: str
    new: str
    tables: dict[str, TableDiff]
    figure_values: dict[str, tuple[FigureChange, ...]] = field(default_factory=dict)
    """Quantity id → the figures of that quantity whose value, low or high changed."""

    @property
    def empty(self) -> bool:
        return not any(
            t.added or t.removed or t.changed or t.breaking or t.additive
            for t in self.tables.values()
        )

    def needed_bump(self, base: str) -> tuple[Bump | None, str]:
        """The smallest bump from version ``base`` that fits these changes, and why.

        A breaking schema change needs major from 1.0.0 on (minor before: 0.x may break);
        new columns, tables or rows, or rows removed, need minor; changed cells only, patch.
        """
        breaking = [t.name for t in self.tables.values() if t.breaking]
        additive = [t.name for t in self.tables.values() if t.additive]
        added = [t.name for t in self.tables.values() if t.added]
        removed = [t.name for t in self.tables.values() if t.removed]
        changed = [t.name for t in self.tables.values() if t.changed]
        if breaking:
            kind = Bump.MAJOR if version_key(base)[0] >= 1 else Bump.MINOR
            return kind, f"columns or tables were removed, renamed or retyped in {_and(breaking)}"
        if additive:
            return Bump.MINOR, f"columns or tables were added in {_and(additive)}"
        if added or removed:
            rows = [
                f"rows were {verb} in {_and(names)}"
                for verb, names in (("added", added), ("removed", removed))
                if names
            ]
            return Bump.MINOR, " and ".join(rows)
        if changed:
            return Bump.PATCH, f"only cells of existing rows changed, in {_and(changed)}"
        return None, "nothing changed"


def _and(names: list[str]) -> str:
    return ", ".join(names)


def compare(
    old_version: str, old: dict[str, pa.Table], new_version: str, new: dict[str, pa.Table]
) -> ReleaseDiff:
    """The diff of two releases given as tables by name."""
    names = [*old, *(name for name in new if name not in old)]
    tables = {name: _table_diff(name, old.get(name), new.get(name), old, new) for name in names}
    figures = new.get("figures")
    quantities = {}
    if figures is not None and "quantity_id" in figures.column_names:
        ids = figures.column("id").to_pylist()
        quantities = dict(zip(ids, figures.column("quantity_id").to_pylist(), strict=True))
    values = _figure_values(tables.get("figures"), quantities)
    return ReleaseDiff(old_version, new_version, tables, values)


def _table_diff(
    name: str,
    old: pa.Table | None,
    new: pa.Table | None,
    old_tables: dict[str, pa.Table],
    new_tables: dict[str, pa.Table],
) -> TableDiff:
    if old is None:
        assert new is not None
        return TableDiff(name, added=tuple(sorted(new.column("id").to_pylist())), new_table=True)
    if new is None:
        removed = tuple(sorted(old.column("id").to_pylist()))
        return TableDiff(name, removed=removed, dropped_table=True)
    old_types = {f.name: _type(f.type) for f in old.schema}
    new_types = {f.name: _type(f.type) for f in new.schema}
    shared = [c for c in new.column_names if old_types.get(c) == new_types[c]]
    before = {row["id"]: row for row in old.select(shared).to_pylist()}
    after = {row["id"]: row for row in new.select(shared).to_pylist()}
    quotes = _quotes(name, new_tables, old_tables)
    changed = []
    for key in sorted(after.keys() & before.keys()):
        cells = tuple(
            Cell(column, before[key][column], after[key][column])
            for column in shared
            if before[key][column] != after[key][column]
        )
        if cells:
            changed.append(RowChange(key, cells, quotes(after[key])))
    return TableDiff(
        name,
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        changed=tuple(changed),
        columns_added=tuple(c for c in new.column_names if c not in old_types),
        columns_removed=tuple(c for c in old.column_names if c not in new_types),
        columns_retyped=tuple(
            (c, old_types[c], new_types[c])
            for c in new.column_names
            if c in old_types and old_types[c] != new_types[c]
        ),
    )


def _type(arrow_type: pa.DataType) -> str:
    """An Arrow type as text, without the name of a list's item field (Parquet writes
    ``element`` where Arrow says ``item``: the same type)."""
    return re.sub(r"list<\w+: ", "list<", str(arrow_type))


def _quotes(name: str, *sides: dict[str, pa.Table]) -> Any:
    """A function giving a row's claim quote: its own for a claim, its claim's for a figure."""
    if name == "claims":
        return lambda row: row.get("quote")
    if name != "figures":
        return lambda row: None
    by_claim: dict[str, str] = {}
    for tables in reversed(sides):  # the newer side wins
        claims = tables.get("claims")
        if claims is not None and "quote" in claims.column_names:
            ids, quotes = claims.column("id").to_pylist(), claims.column("quote").to_pylist()
            by_claim.update(zip(ids, quotes, strict=True))
    return lambda row: by_claim.get(row.get("claim_id", ""))


def _figure_values(
    figures: TableDiff | None, quantities: dict[str, str]
) -> dict[str, tuple[FigureChange, ...]]:
    """The changed figures whose number changed, grouped by their (new) quantity."""
    grouped: dict[str, list[FigureChange]] = {}
    for row in figures.changed if figures else ():
        numbers = [cell for cell in row.cells if cell.column in FIGURE_VALUES]
        if not numbers:
            continue
        change = FigureChange(
            row.id,
            quantities.get(row.id, "?"),
            row.quote,
            {cell.column: cell.old for cell in numbers},
            {cell.column: cell.new for cell in numbers},
        )
        grouped.setdefault(change.quantity_id, []).append(change)
    return {quantity: tuple(grouped[quantity]) for quantity in sorted(grouped)}


def dataset_tables(dataset: Dataset) -> dict[str, pa.Table]:
    """Every table of a loaded release, each file's hash checked as it is read."""
    return {name: dataset.table(name).to_arrow() for name in dataset.table_names()}


def open_release(spec: str, releases: Path | None = None) -> Dataset:
    """The release ``spec`` names, ready to be read with every hash checked.

    ``spec`` is a version or a release folder. A version is taken from ``releases`` when that
    folder's index lists it, else wherever :func:`nkdata.load` finds it (bundled, cached,
    downloaded). A folder whose parent's index lists it is held to the descriptor hash that
    index pins; any other folder to its own descriptor. A missing, damaged or altered file
    raises :class:`~nkdata.errors.NkdataError`.
    """
    import nkdata
    from nkdata.loading import load_pinned

    if is_version(spec):
        folder = releases / spec if releases is not None else None
        if folder is None or not folder.is_dir():
            return nkdata.load(spec)
    else:
        path = Path(spec)
        folder = path.parent if path.name == "datapackage.json" else path
    entry = Index.read(folder.parent).versions.get(folder.name)
    if entry is None:
        return nkdata.load(path=folder)
    return load_pinned(folder, entry)
