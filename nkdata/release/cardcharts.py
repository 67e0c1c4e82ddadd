"""The data card's charts: the figures over time of every quantity that has more than one.

They are drawn from the tables of the release being built, with the charts of the site
(:mod:`nkdata.view.charts`; a mark links to the figure's row of the site's ledger, which the
site reuses these files for), on every core (in fresh worker processes: forked ones would
each count the whole build's memory again), and written beside the card as
``chart-<quantity>.svg`` (the release-folder format has no sub-folders), listed in the
descriptor so that downloads and ``nkdata verify`` check them like every other file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from nkdata.corpus.pool import map_chunks
from nkdata.extras import require
from nkdata.view.charts import chart_svg, ledger_link
from nkdata.view.ledger import LedgerRow

MIN_FIGURES = 2
"""A quantity gets a chart from this many figures: one figure is a fact, not a comparison."""


@dataclass(frozen=True, slots=True)
class CardChart:
    """One chart of the card: the quantity it shows and the SVG bytes."""

    quantity_id: str
    label: str
    svg: bytes


Job = tuple[str, dict[str, str], list[LedgerRow]]
"""One chart to draw: the quantity's id, its row and its ledger (each travels to one worker)."""


def charted(tables: dict[str, pa.Table]) -> dict[str, str]:
    """The quantities that get a chart (id → label, in id order): those with enough figures.
    ``nkdata verify`` expects exactly these charts in a release."""
    counts = Counter(tables["figures"].column("quantity_id").to_pylist())
    quantities = tables["quantities"]
    ids, names = quantities.column("id").to_pylist(), quantities.column("label").to_pylist()
    labels = dict(zip(ids, names, strict=True))
    return {q: labels[q] for q in sorted(counts) if counts[q] >= MIN_FIGURES and q in labels}


def card_charts(
    tables: dict[str, pa.Table], by_quantity: dict[str, list[LedgerRow]]
) -> list[CardChart]:
    """The charts of the card, in quantity-id order; ``by_quantity`` are the ledgers of
    ``tables`` (:func:`nkdata.view.ledger.ledgers`, which the card's text uses too)."""
    if charted(tables):
        require("nkdata build (the data card's charts)", "site", "matplotlib")
    quantities = {row["id"]: row for row in tables["quantities"].to_pylist()}
    jobs = [
        (quantity_id, quantities[quantity_id], by_quantity[quantity_id])
        for quantity_id in charted(tables)
    ]
    chunks = map_chunks(_draw, None, jobs, fresh=True)
    return [chart for chunk in chunks for chart in chunk]


def _draw(_: None, jobs: Sequence[Job]) -> list[CardChart]:
    """The charts of a chunk of quantities (in a worker process, for a large release)."""
    return [
        CardChart(
            quantity_id,
            quantity["label"],
            chart_svg(quantity["label"], quantity["unit"], rows, ledger_link),
        )
        for quantity_id, quantity, rows in jobs
    ]
