"""Light rows for the site (nkdata/view/records.py): read by name, values shared, never
a column hidden behind a tuple's own attributes."""

from __future__ import annotations

import pyarrow as pa
import pytest

from nkdata.view.records import records, shared_values


def test_rows_read_by_name_as_the_table_has_them() -> None:
    table = pa.table({"id": ["a:c01", "a:c02", "b:c01"], "quote_start": [0, 12, None]})
    rows = records(table)
    assert [(row["id"], row.quote_start) for row in rows] == [
        ("a:c01", 0),
        ("a:c02", 12),
        ("b:c01", None),
    ]
    with pytest.raises(AttributeError):
        _ = rows[0].statement


def test_equal_values_are_one_object_and_nulls_stay_null() -> None:
    values = shared_values(pa.chunked_array([["x" * 40, None], ["x" * 40]]))
    assert values == ["x" * 40, None, "x" * 40]
    assert values[0] is values[2]


def test_a_column_named_like_a_tuple_method_is_refused() -> None:
    with pytest.raises(ValueError, match="count"):
        records(pa.table({"id": ["a"], "count": [1]}))
