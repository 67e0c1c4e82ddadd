"""The data card's charts: the figures over time of every quantity that has more than one.

They are drawn from the tables of the release being built, with the charts of the site
(:mod:`nkdata.view.charts`), and written beside the card as ``chart-<quantity>.svg`` (the
release-folder format has no sub-folders), listed in the descriptor so that downloads and
``nkdata verify`` check them like every other file.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from nkdata.view.charts import chart_svg
from nkdata.view.ledger import ledgers

MIN_FIGURES = 2
"""A quantity gets a chart from this many figures: one figure is a fact, not a comparison."""


@dataclass(frozen=True, slots=True)
class CardChart:
    """One chart of the card: the quantity it shows and the SVG bytes."""

    quantity_id: str
    label: str
    svg: bytes


def card_charts(tables: dict[str, pa.Table]) -> list[CardChart]:
    """The charts of the card, in quantity-id order."""
    quantities = {row["id"]: row for row in tables["quantities"].to_pylist()}
    return [
        CardChart(
            quantity_id,
            quantities[quantity_id]["label"],
            chart_svg(quantities[quantity_id]["label"], quantities[quantity_id]["unit"], rows),
        )
        for quantity_id, rows in sorted(ledgers(tables).items())
        if len(rows) >= MIN_FIGURES
    ]
