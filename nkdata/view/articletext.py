"""An article's text as the HTML of its page: every claim marked, its figures marked inside it,
and the parts that are not the body dimmed.

A claim's first piece is its permalink (``id="c07"``), focusable, and names the card that
explains it (``aria-details="card-c07"``); every piece carries ``data-c`` so that a script can
light up all of a claim that another one cuts in two.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from nkdata.view.highlight import Span, highlight
from nkdata.view.ledger import LedgerRow
from nkdata.view.records import ByName

Part = tuple[int, int, str]
"""A part of the text that is not the body: start, end (code points) and its kind."""
PART, CLAIM, FIGURE = 0, 1, 2
"""Ranks: of spans with the same extent, a part is outermost and a figure innermost."""


def article_html(
    text: str,
    claims: Sequence[ByName],
    figures: dict[str, list[LedgerRow]],
    parts: Sequence[Part],
) -> str:
    """``text`` escaped, with ``claims`` (rows of the claims table), the ``figures`` of each
    claim (by claim id) and the non-body ``parts`` marked."""
    spans = [_part(start, end, kind) for start, end, kind in parts]
    for claim in claims:
        spans.append(_claim(claim))
        spans += [_figure(row) for row in figures.get(claim["id"], [])]
    return highlight(text, spans)


def _part(start: int, end: int, kind: str) -> Span:
    tag = f'<span class="part" data-kind="{escape(kind)}" title="not the body: {escape(kind)}">'
    return Span(start, end, PART, tag, tag, "</span>")


def _claim(claim: ByName) -> Span:
    local = escape(claim["id"].rsplit(":", 1)[1])
    first = (
        f'<mark class="claim" data-c="{local}" id="{local}" tabindex="0" '
        f'aria-details="card-{local}">'
    )
    again = f'<mark class="claim" data-c="{local}">'
    return Span(claim["quote_start"], claim["quote_end"], CLAIM, first, again, "</mark>")


def _figure(row: LedgerRow) -> Span:
    tag = f'<span class="figure" data-f="{escape(row.figure_id)}">'
    return Span(row.text_start, row.text_end, FIGURE, tag, tag, "</span>")
