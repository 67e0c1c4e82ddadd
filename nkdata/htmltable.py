"""Show a table's first rows as HTML in a notebook (Jupyter calls ``_repr_html_``).

Every cell is escaped: the texts come from the web and may hold markup.

>>> import pyarrow as pa
>>> html = html_table("t", pa.table({"a": ["<b>x</b>"]}), rows=5)
>>> "<td>&lt;b&gt;x&lt;/b&gt;</td>" in html and "<caption>t: 1 row</caption>" in html
True
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

CELL_CHARS = 120
"""Longer cells (article texts) are cut, with an ellipsis: the notebook shows rows, not texts."""


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return escape(text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…")


def html_table(name: str, table: pa.Table, rows: int) -> str:
    """The first ``rows`` rows of ``table`` as an HTML table captioned with its name and size."""
    count = table.num_rows
    caption = f"{escape(name)}: {count:,} row{'s' * (count != 1)}"
    if count > rows:
        caption += f" (first {rows} shown)"
    head = "".join(f"<th>{escape(column)}</th>" for column in table.column_names)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(value)}</td>" for value in row.values()) + "</tr>"
        for row in table.slice(0, rows).to_pylist()
    )
    return (
        f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
