"""Ready-joined views of a release: one row per figure or per claim, with everything a reader
asks about it (who said it, through whom, in which article, when) in uniquely named columns.

The tables are normalised, so `id`, `text` and `via_id` appear in several of them; a view names
each column for what it holds (`claim_quote`, `source_name`, `via_name`, `published_edtf`, ...)
and keeps the EDTF dates, which cannot be misread. Views are built with Arrow joins in the order
of :data:`VIEWS` and sorted by the base table's id.

>>> import nkdata
>>> figures = nkdata.load().figures.joined().to_arrow()
>>> {"figure_text", "claim_quote", "source_name", "article_title"} <= set(figures.column_names)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True, slots=True)
class Lookup:
    """Columns taken from ``table`` for the row whose id is in the view's column ``key``."""

    key: str
    table: str
    columns: dict[str, str]
    """Their column → the view's column."""


@dataclass(frozen=True, slots=True)
class View:
    """A base table's columns (renamed) and the lookups that join the rest to it."""

    base: str
    columns: dict[str, str]
    lookups: tuple[Lookup, ...]


_CLAIM_CONTEXT = (
    Lookup(
        "source_id",
        "sources",
        {"name": "source_name", "kind": "source_kind", "named": "source_named"},
    ),
    Lookup("via_id", "sources", {"name": "via_name"}),
    Lookup(
        "article_id",
        "articles",
        {
            "title": "article_title",
            "publisher_id": "publisher_id",
            "via_id": "article_via_id",
            "published_edtf": "published_edtf",
            "published": "published",
            "published_basis": "published_basis",
            "url": "article_url",
        },
    ),
    Lookup("publisher_id", "sources", {"name": "publisher_name"}),
)
_CLAIM_COLUMNS = {
    "quote": "claim_quote",
    "statement": "claim_statement",
    "mode": "mode",
    "framing": "framing",
    "topic": "topic",
    "claim_date_edtf": "claim_date_edtf",
    "source_id": "source_id",
    "via_id": "via_id",
    "article_id": "article_id",
}

VIEWS: dict[str, View] = {
    "figures": View(
        "figures",
        {
            "id": "figure_id",
            "text": "figure_text",
            "value": "value",
            "low": "low",
            "high": "high",
            "qualifier": "qualifier",
            "unit": "unit",
            "quantity_id": "quantity_id",
            "as_of_edtf": "as_of_edtf",
            "place": "place",
            "claim_id": "claim_id",
        },
        (
            Lookup("quantity_id", "quantities", {"label": "quantity_label"}),
            Lookup("claim_id", "claims", _CLAIM_COLUMNS),
            *_CLAIM_CONTEXT,
        ),
    ),
    "claims": View("claims", {"id": "claim_id", **_CLAIM_COLUMNS}, _CLAIM_CONTEXT),
}
"""The joined views, by the table they have one row per."""


def joined(view: View, tables: dict[str, pa.Table]) -> pa.Table:
    """The view built from ``tables`` (table name → Arrow table)."""
    import pyarrow.compute as pc

    base = tables[view.base]
    result = base.select(list(view.columns)).rename_columns(list(view.columns.values()))
    for lookup in view.lookups:
        right = tables[lookup.table].select(["id", *lookup.columns])
        right = right.rename_columns(["__id", *lookup.columns.values()])
        result = result.join(right, keys=lookup.key, right_keys="__id", join_type="left outer")
    first = next(iter(view.columns.values()))
    order = pc.sort_indices(result, sort_keys=[(first, "ascending")])
    return result.take(order).combine_chunks()
