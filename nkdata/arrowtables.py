"""Arrow schemas generated from the models, and Arrow tables built from resolved rows.

Types follow the column contract: ``string`` (not ``large_string``), ``int64`` offsets,
``float64`` figures, ``date32`` dates and ``list<string>`` for authors. Tables are sorted by
primary key and held in one chunk, so that writing them is deterministic.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from nkdata.columns import Column, columns
from nkdata.models import Row

_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "list": pa.list_(pa.string()),
}


def arrow_field(column: Column) -> pa.Field:
    """The Arrow field of a column; its description is kept in the field metadata."""
    return pa.field(
        column.name,
        _TYPES[column.kind],
        nullable=column.nullable,
        metadata={"description": column.description},
    )


def arrow_schema(model: type[Row]) -> pa.Schema:
    """The Arrow schema of a release table, with the table name in the schema metadata."""
    return pa.schema(
        [arrow_field(column) for column in columns(model)], metadata={"nkdata.table": model.table}
    )


def build_table(model: type[Row], rows: list[dict[str, Any]]) -> pa.Table:
    """An Arrow table of ``rows``, sorted by primary key, in a single chunk."""
    key = model.primary_key
    ordered = sorted(rows, key=lambda row: row[key])
    schema = arrow_schema(model)
    arrays = [pa.array([row[field.name] for row in ordered], type=field.type) for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)
