"""Arrow schemas generated from the models, Arrow tables built from resolved rows, and Arrow
values built from Python values without pyarrow's conversion.

Types follow the column contract: ``string`` (not ``large_string``), ``int64`` offsets,
``float64`` figures, ``date32`` dates and ``list<string>`` for authors. Tables are sorted by
primary key and held in one chunk, so that writing them is deterministic.

pyarrow imports pandas, when it is installed, on its first conversion of a Python value
(``pa.scalar``, ``pa.array``, or a plain ``1`` passed to a compute function), to ask whether the
value is a pandas object. That costs a quarter of a second, a sixth of ``nkdata verify`` on a
large release, which needs only a few constants: :func:`strings` and :func:`integer` build them
from their bytes instead.

>>> strings(["a", "bc"]).to_pylist()
['a', 'bc']
>>> integer(7).as_py()
7
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nkdata.models import Row
from nkdata.schema.columns import Column, columns

_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
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
    return combine(model, [table_part(model, rows)])


def table_part(model: type[Row], rows: Sequence[dict[str, Any]]) -> pa.Table:
    """The rows of one part of a table, in their order; parts are joined by :func:`combine`.

    Parts let worker processes turn their rows into Arrow, which travels between processes far
    more cheaply than Python objects.
    """
    schema = arrow_schema(model)
    arrays = [pa.array([row[field.name] for row in rows], type=field.type) for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def combine(model: type[Row], parts: Sequence[pa.Table]) -> pa.Table:
    """The parts of a table as one, sorted by primary key (code-point order, as Python sorts
    text: UTF-8 bytes compare in that order), in a single chunk."""
    table = pa.concat_tables(parts) if parts else table_part(model, [])
    order = pc.sort_indices(table, sort_keys=[(model.primary_key, "ascending")])
    return table.take(order).combine_chunks()


def strings(texts: Sequence[str]) -> pa.StringArray:
    """``texts`` as an Arrow string array."""
    data = [text.encode("utf-8") for text in texts]
    offsets = array("i", accumulate(map(len, data), initial=0))
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    return pa.Array.from_buffers(pa.string(), len(data), buffers)


def integer(value: int) -> pa.Int64Scalar:
    """``value`` as an Arrow 64-bit integer scalar."""
    return pa.Array.from_buffers(pa.int64(), 1, [None, pa.py_buffer(array("q", [value]))])[0]


_SPACE = r"\pZ\t-\r\x{85}"
"""Unicode White_Space as RE2 spells it: the Z categories, TAB to CR, NEXT LINE."""


def arrow_pattern(pattern: str) -> str:
    """A model's pattern (Python and pydantic read ``\\s`` as Unicode white space) for Arrow's
    RE2, which reads ``\\s`` as ASCII only: a title starting with U+3000 must not pass.

    >>> arrow_pattern(r"^\\S(?:.*\\S)?$")
    '^[^\\\\pZ\\\\t-\\\\r\\\\x{85}](?:.*[^\\\\pZ\\\\t-\\\\r\\\\x{85}])?$'
    >>> arrow_pattern(r"[^\\s]+[\\s\\S]")
    '[^\\\\pZ\\\\t-\\\\r\\\\x{85}]+[\\\\pZ\\\\t-\\\\r\\\\x{85}\\\\PZ\\\\t-\\\\r\\\\x{85}]'
    """
    out, in_class, at = [], False, 0
    while at < len(pattern):
        char = pattern[at]
        pair = pattern[at : at + 2]
        if pair == "\\s":
            out.append(_SPACE if in_class else f"[{_SPACE}]")
        elif pair == "\\S":
            # inside a class, only beside \s (the pair means "any character"): \PZ plus
            # the controls that \s holds and \PZ lacks covers everything with it
            out.append(r"\PZ\t-\r\x{85}" if in_class else f"[^{_SPACE}]")
        elif char == "\\":
            out.append(pair)
        else:
            in_class = (in_class or char == "[") and char != "]"
            out.append(char)
            at += 1
            continue
        at += 2
    return "".join(out)


def schema_difference(found: pa.Schema, model: type[Row]) -> str:
    """How the columns of ``found`` differ from the model's (names, order, types); "" if not."""
    from nkdata.schema.characters import escaped

    expected = arrow_schema(model)
    if found.names == expected.names and all(
        f.type.equals(e.type) for f, e in zip(found, expected, strict=True)
    ):
        return ""
    types = {f.name: f.type for f in found}
    wrong = [
        f"column {e.name} ({types.get(e.name, 'missing')}, expected {e.type})"
        for e in expected
        if e.name not in types or not types[e.name].equals(e.type)
    ]
    wrong += [f"unexpected column {escaped(name)}" for name in types if name not in expected.names]
    if len(set(found.names)) != len(found.names):
        wrong.append("a column name is repeated")
    if not wrong:
        order = ", ".join(found.names)
        wrong.append(f"columns in the order {order}, expected {', '.join(expected.names)}")
    return "; ".join(wrong)


def boolean(value: bool) -> pa.BooleanScalar:
    """``value`` as an Arrow boolean scalar (without pyarrow's conversion, see above)."""
    return pa.Array.from_buffers(pa.bool_(), 1, [None, pa.py_buffer(bytes([value]))])[0]
