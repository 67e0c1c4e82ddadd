"""Rows of Arrow tables as light Python objects, for the pages that hold a whole release at once.

``pyarrow.Table.to_pylist`` makes a dict per row and a new object per value. The 199,421 claims of
the P10k benchmark release take 244 MiB that way. Here a row is a tuple whose fields are read by
name, and equal values of a column are one object (the article id that each of an article's claims
repeats, a source's name in every ledger row of its figures). The same claims then take 123 MiB,
which keeps ``nkdata site`` within its memory budget (docs/performance.md).

>>> import pyarrow as pa
>>> rows = records(pa.table({"id": ["a:c01", "a:c02"], "article_id": ["a", "a"]}))
>>> rows[1]["id"], rows[1].article_id, rows[0]["article_id"] is rows[1]["article_id"]
('a:c02', 'a', True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    import pyarrow as pa


class ByName(Protocol):
    """A row whose fields are read by name: a :class:`Record`, or a dict."""

    def __getitem__(self, name: str, /) -> Any: ...


class Record(tuple[Any, ...]):
    """One row: ``row["id"]`` in Python, ``row.id`` in a template; immutable, like the release."""

    __slots__ = ()
    positions: ClassVar[dict[str, int]] = {}
    """Column name → position in the row; set on the subclass made for each table."""

    def __getitem__(self, name: str) -> Any:  # type: ignore[override]  # by name, not position
        return tuple.__getitem__(self, self.positions[name])

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={self[name]!r}" for name in self.positions)
        return f"{type(self).__name__}({shown})"


_TAKEN = frozenset(dir(Record))
"""Names a column may not have: ``row.count`` would be the tuple's method, not the column."""


def records(table: pa.Table) -> list[Record]:
    """Every row of ``table``, in order, as a :class:`Record` with its column names.

    Raises ValueError for a column named like an attribute of a tuple (``count``, ``index``).
    """
    names = table.column_names
    hidden = sorted(_TAKEN.intersection(names))
    if hidden:
        raise ValueError(f"column(s) {', '.join(hidden)} would be hidden by a tuple's attributes")
    row_type = type(
        "Row", (Record,), {"__slots__": (), "positions": {n: i for i, n in enumerate(names)}}
    )
    columns = [shared_values(table.column(name)) for name in names]
    return [row_type(values) for values in zip(*columns, strict=True)]


def shared_values(column: pa.ChunkedArray) -> list[Any]:
    """The values of ``column`` as Python objects; equal strings or dates are one object."""
    import pyarrow as pa

    kind = column.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_date(kind)):
        return list(column.to_pylist())
    encoded = column.combine_chunks().dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    return [None if index is None else distinct[index] for index in encoded.indices.to_pylist()]
