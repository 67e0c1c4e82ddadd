"""The figure ledger: every figure of one quantity, who stated it, when and on whose authority.

Other datasets keep one best estimate per quantity; nkdata keeps every attributed figure, so
that competing estimates stand side by side. A ledger lists them in time: by the publication
date of their article, then by figure id.

Echoes. A figure repeats an earlier one through a relay, rather than estimating anew, when
it has the same quantity, the same value, low, high and qualifier, and the same original
source (its claim's ``source_id``); when it reached its article through a relay (its claim has a
``via_id``, or its article has one); and when a figure with all those already came before it
in the ledger. It is then marked as an echo of the first such figure (``echo_of``), so that
independent estimates can be told from repetitions.

Everything here is pure data, computed with pyarrow from the release tables: the Python entry
point is :func:`ledger`; :func:`ledgers` gives every quantity's at once for the site and the data
card.

>>> import nkdata
>>> rows = ledger(nkdata.load(), "troops-deployed-to-russia")
>>> [(row.amount, row.source_name) for row in rows][:2]
[('10,000 to 12,000', 'U.S. officials'), ('2,000 to 9,999 (vague)', 'South Korean intelligence')]
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from nkdata.errors import NkdataError
from nkdata.view.records import shared_values

if TYPE_CHECKING:
    import pyarrow as pa

    from nkdata.loading import Dataset

COLUMNS = {
    "sources": ("id", "name"),
    "quantities": ("id", "label", "unit"),
    "articles": ("id", "title", "via_id", "published", "published_edtf"),
    "claims": ("id", "article_id", "source_id", "via_id", "framing"),
    "figures": (
        *("id", "claim_id", "quantity_id", "text", "text_start", "text_end", "value", "low"),
        *("high", "qualifier", "unit", "as_of", "as_of_precision", "as_of_edtf"),
    ),
}
"""The columns a ledger reads, by table: only those are decoded (not the texts), and checked by
name, so that pydantic is not imported."""

_SYMBOLS = {
    "approximately": "≈ ",
    "more_than": "> ",
    "at_least": "≥ ",
    "less_than": "< ",
    "at_most": "≤ ",
}


class UnknownQuantityError(NkdataError, LookupError):
    """The release has no quantity with the id asked for."""


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One figure of a quantity, with its claim's source and relay and its article's date."""

    figure_id: str
    quantity_id: str
    text: str
    """The words of the article, such as ``4-5 million``."""
    text_start: int
    text_end: int
    """Where ``text`` is in the article text (code points, end exclusive)."""
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    unit: str
    as_of: date | None
    """When the number held, where the text says (first day of the period)."""
    as_of_precision: str | None
    as_of_edtf: str | None
    source_id: str
    source_name: str
    via_id: str | None
    """Who relayed the claim: the claim's relay, else the relay of the whole article."""
    via_name: str | None
    framing: str
    claim_id: str
    article_id: str
    article_title: str
    published: date
    """The earliest day the article can have been published."""
    published_edtf: str
    echo_of: str | None
    """The id of the figure this one repeats through a relay, or None for a first appearance."""

    @property
    def amount(self) -> str:
        """The value or bounds in a few characters: ``10,000 to 12,000``, ``> 50,000``, ``≈ 2``."""
        if self.low is not None and self.high is not None:
            shown = f"{_number(self.low)} to {_number(self.high)}"
            vague = " (vague)" if self.qualifier == "vague" else ""
            return f"{shown}{vague}" if self.value is None else f"{_number(self.value)} ({shown})"
        number = next(n for n in (self.value, self.low, self.high) if n is not None)
        if self.qualifier == "vague":
            return f"{'≥ ' if self.low is not None else '≤ '}{_number(number)} (vague)"
        return _SYMBOLS.get(self.qualifier, "") + _number(number)

    @property
    def when(self) -> date:
        """The date a chart places the figure at: ``as_of`` where known, else publication."""
        return self.as_of or self.published


def _number(number: float) -> str:
    return f"{number:,.0f}" if number == int(number) else f"{number:,g}"


def ledger(data: Dataset, quantity_id: str) -> list[LedgerRow]:
    """Every figure of ``quantity_id`` in the release ``data``, in time, echoes marked.

    Raises :class:`UnknownQuantityError` (an :class:`~nkdata.errors.NkdataError`) naming the
    closest ids when the release has no such quantity.
    """
    tables = arrow_tables(data, COLUMNS)
    check_quantity(tables["quantities"], quantity_id)
    return ledgers(tables, quantity_id).get(quantity_id, [])


def arrow_tables(data: Dataset, columns: Mapping[str, Iterable[str]]) -> dict[str, pa.Table]:
    """The ``columns`` of each table, as Arrow; each file is checked against its hash, and a
    release without them (of another schema) is a :class:`~nkdata.errors.ReleaseError`."""
    return {name: getattr(data, name).to_arrow(list(needed)) for name, needed in columns.items()}


def check_quantity(quantities: pa.Table, quantity_id: str) -> None:
    """Raise :class:`UnknownQuantityError` unless ``quantity_id`` is a quantity's id."""
    known = quantities.column("id").to_pylist()
    if quantity_id in known:
        return
    close = difflib.get_close_matches(quantity_id, known, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownQuantityError(f"no quantity {quantity_id!r} in this release{hint}")


def ledgers(tables: Mapping[str, pa.Table], only: str | None = None) -> dict[str, list[LedgerRow]]:
    """The ledger of every quantity that has figures (or of the quantity ``only``).

    ``tables`` maps table names to the release's Arrow tables; joins are vectorised, so that
    the ledger of one quantity of a large release costs little more than reading its files.
    """
    import pyarrow.compute as pc

    figures = tables["figures"]
    if only is not None:  # compared with an Arrow value: a Python one would import pandas
        ids = tables["quantities"]["id"]
        figures = figures.filter(pc.equal(figures["quantity_id"], ids[ids.to_pylist().index(only)]))
    by_claim = _picked(
        figures["claim_id"], tables["claims"], ("article_id", "source_id", "via_id", "framing")
    )
    by_article = _picked(
        by_claim["article_id"],
        tables["articles"],
        ("title", "via_id", "published", "published_edtf"),
    )
    claims = {name: shared_values(by_claim[name]) for name in by_claim.column_names}
    articles = {name: shared_values(by_article[name]) for name in by_article.column_names}
    names = dict(
        zip(tables["sources"]["id"].to_pylist(), tables["sources"]["name"].to_pylist(), strict=True)
    )
    columns = {name: shared_values(figures[name]) for name in figures.column_names}
    rows = []
    for i, figure_id in enumerate(columns["id"]):
        via = claims["via_id"][i] or articles["via_id"][i]
        rows.append(
            LedgerRow(
                figure_id=figure_id,
                quantity_id=columns["quantity_id"][i],
                text=columns["text"][i],
                text_start=columns["text_start"][i],
                text_end=columns["text_end"][i],
                value=columns["value"][i],
                low=columns["low"][i],
                high=columns["high"][i],
                qualifier=columns["qualifier"][i],
                unit=columns["unit"][i],
                as_of=columns["as_of"][i],
                as_of_precision=columns["as_of_precision"][i],
                as_of_edtf=columns["as_of_edtf"][i],
                source_id=claims["source_id"][i],
                source_name=names[claims["source_id"][i]],
                via_id=via,
                via_name=names[via] if via else None,
                framing=claims["framing"][i],
                claim_id=columns["claim_id"][i],
                article_id=claims["article_id"][i],
                article_title=articles["title"][i],
                published=articles["published"][i],
                published_edtf=articles["published_edtf"][i],
                echo_of=None,
            )
        )
    return _grouped(_with_echoes(sorted(rows, key=lambda row: (row.published, row.figure_id))))


def _picked(keys: Any, table: pa.Table, names: tuple[str, ...]) -> pa.Table:
    """The columns ``names`` of the rows of ``table`` whose ids are ``keys``, in that order.

    The table is first cut to the rows asked for (a set of the few keys, probed by every id),
    so that one quantity's ledger never hashes all of a large table's ids.
    """
    import pyarrow.compute as pc

    rows = table.select(["id", *names]).filter(pc.is_in(table["id"], value_set=keys))
    return rows.select(list(names)).take(pc.index_in(keys, value_set=rows["id"]))


def _with_echoes(rows: list[LedgerRow]) -> list[LedgerRow]:
    """``rows`` (in ledger order) with ``echo_of`` set by the rule of the module docstring."""
    first: dict[tuple[object, ...], str] = {}
    marked = []
    for row in rows:
        key = (row.quantity_id, row.value, row.low, row.high, row.qualifier, row.source_id)
        earlier = first.setdefault(key, row.figure_id)
        echo = earlier != row.figure_id and row.via_id is not None
        marked.append(replace(row, echo_of=earlier) if echo else row)
    return marked


def _grouped(rows: list[LedgerRow]) -> dict[str, list[LedgerRow]]:
    """Rows by quantity, each list in ledger order."""
    grouped: dict[str, list[LedgerRow]] = {}
    for row in rows:
        grouped.setdefault(row.quantity_id, []).append(row)
    return grouped
