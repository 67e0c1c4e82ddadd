"""Write one Arrow table as Parquet and as CSV, with fixed options so that bytes are reproducible.

Parquet: zstd level 9, one row group, dictionary encoding, statistics, format 2.6, no pandas
metadata (tables are built from rows, never from a DataFrame). The writer's version string
(``parquet-cpp-arrow version …``) is part of the bytes, which is why pyarrow is pinned.

CSV: UTF-8, LF, a header row, comma delimiter, fields quoted only where needed, null as an empty
cell and the empty string as ``""``. Lists are joined with ``,`` as the Data Package ``list``
type declares; list items are ids, which never contain a comma.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from nkdata.schema.arrow import strings
from nkdata.schema.export import LIST_DELIMITER

PARQUET_OPTIONS: dict[str, object] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "store_schema": True,
}
CSV_DIALECT: dict[str, object] = {
    "$schema": "https://datapackage.org/profiles/2.0/tabledialect.json",
    "header": True,
    "delimiter": ",",
    "lineTerminator": "\n",
    "quoteChar": '"',
    "doubleQuote": True,
}


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write ``table`` as one row group with the fixed options."""
    pq.write_table(table, path, row_group_size=max(table.num_rows, 1), **PARQUET_OPTIONS)


def csv_ready(table: pa.Table) -> pa.Table:
    """``table`` with list columns joined into text, the form its CSV cells take."""
    for index, field in enumerate(table.schema):
        if pa.types.is_list(field.type):
            joined = pc.binary_join(table.column(index), strings([LIST_DELIMITER])[0])
            table = table.set_column(index, pa.field(field.name, pa.string()), joined)
    return table


def write_csv(table: pa.Table, path: Path) -> None:
    """Write ``table`` as CSV in the dialect that the descriptor declares."""
    options = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
    pacsv.write_csv(csv_ready(table), path, write_options=options)
