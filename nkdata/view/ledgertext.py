"""The figure ledger for the terminal (``nkdata figures``): an aligned table, or JSON lines.

>>> import nkdata
>>> from nkdata.view.ledger import ledger
>>> lines = ledger_table(ledger(nkdata.load(), "troops-deployed-to-russia"))
>>> lines[0].split()[:4]
['published', 'as', 'of', 'figure']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date

from nkdata.view.ledger import LedgerRow

WIDEST = 36
"""Characters a cell of the text table may take; longer names are cut with an ellipsis."""
HEADER = ("published", "as of", "figure", "words", "source", "via", "framing", "id", "echo of")


def ledger_table(rows: Sequence[LedgerRow]) -> list[str]:
    """The rows as an aligned text table, a header first."""
    cells = [HEADER] + [
        (
            row.published_edtf,
            row.as_of_edtf or "",
            row.amount,
            _cut(f'"{row.text}"'),
            _cut(row.source_name),
            _cut(row.via_name or ""),
            row.framing,
            row.figure_id,
            row.echo_of or "",
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADER))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells
    ]


def ledger_json_lines(rows: Sequence[LedgerRow]) -> list[str]:
    """One JSON object per row: every field of :class:`LedgerRow`, and its ``amount``."""
    return [
        json.dumps({**asdict(row), "amount": row.amount}, default=_iso, ensure_ascii=False)
        for row in rows
    ]


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _cut(cell: str) -> str:
    return cell if len(cell) <= WIDEST else cell[: WIDEST - 1] + "…"
