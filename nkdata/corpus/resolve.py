"""The resolve stage: turn checked corpus models into release rows.

Derives what contributors never write: global claim and figure ids, offsets, date precisions,
units and text hashes. Runs only on a corpus without problems, so every lookup succeeds.
Rows are plain dicts keyed by column name, in the order of the table models.
"""

from __future__ import annotations

import hashlib
from typing import Any

from nkdata.corpus.crosscheck import Spans
from nkdata.models import Quantity, Source
from nkdata.schema.corpus_files import ArticleFile, ClaimEntry, FigureEntry, NonBodyEntry
from nkdata.schema.fields import parse_date_span, parse_partial_date

Row = dict[str, Any]


def claim_id(article_id: str, claim: str) -> str:
    """Global claim id: ``<article-id>:<claim-id>``."""
    return f"{article_id}:{claim}"


def _partial(text: str | None) -> tuple[Any, str | None]:
    if text is None:
        return None, None
    day, precision = parse_partial_date(text)
    return day, precision.value


def article_row(model: ArticleFile, text: str) -> Row:
    published = parse_date_span(model.published)
    return {
        "id": model.id,
        "title": model.title,
        "publisher_id": model.publisher_id,
        "via_id": model.via_id,
        "authors": list(model.authors),
        "url": model.url,
        "published": published.earliest,
        "published_latest": published.latest,
        "published_precision": published.precision.value,
        "published_basis": model.published_basis.value,
        "published_edtf": published.edtf,
        "retrieved": _partial(model.retrieved)[0],
        "language": model.language,
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "rights": model.rights,
        "notes": model.notes,
    }


def claim_row(article_id: str, claim: ClaimEntry, span: tuple[int, int]) -> Row:
    day, precision = _partial(claim.claim_date)
    return {
        "id": claim_id(article_id, claim.id),
        "article_id": article_id,
        "source_id": claim.source_id,
        "via_id": claim.via_id,
        "quote": claim.quote,
        "quote_start": span[0],
        "quote_end": span[1],
        "statement": claim.statement,
        "mode": claim.mode.value,
        "framing": claim.framing.value,
        "topic": claim.topic.value,
        "claim_date": day,
        "claim_date_precision": precision,
        "claim_date_edtf": claim.claim_date,
    }


def figure_row(claim: str, figure: FigureEntry, span: tuple[int, int], unit: str) -> Row:
    as_of, precision = _partial(figure.as_of)
    return {
        "id": f"{claim}:{figure.id}",
        "claim_id": claim,
        "quantity_id": figure.quantity_id,
        "text": figure.text,
        "text_start": span[0],
        "text_end": span[1],
        "value": figure.value,
        "low": figure.low,
        "high": figure.high,
        "qualifier": figure.qualifier.value,
        "unit": unit,
        "as_of": as_of,
        "as_of_precision": precision,
        "as_of_edtf": figure.as_of,
        "place": figure.place,
    }


def part_row(article_id: str, part: NonBodyEntry, span: tuple[int, int]) -> Row:
    return {
        "id": f"{article_id}:{span[0]}-{span[1]}",
        "article_id": article_id,
        "kind": part.kind.value,
        "part_start": span[0],
        "part_end": span[1],
    }


def article_rows(
    model: ArticleFile, text: str, spans: Spans, units: dict[str, str]
) -> dict[str, list[Row]]:
    """The rows of one article folder, by table: the article, its claims, figures, page parts."""
    claims, figures = [], []
    for claim in model.claims:
        cid = claim_id(model.id, claim.id)
        claims.append(claim_row(model.id, claim, spans.claims[claim.id]))
        figures += [
            figure_row(cid, figure, spans.figures[(claim.id, figure.id)], units[figure.quantity_id])
            for figure in claim.figures
        ]
    parts = [part_row(model.id, part, spans.non_body[i]) for i, part in enumerate(model.non_body)]
    return {
        "articles": [article_row(model, text)],
        "claims": claims,
        "figures": figures,
        "page_parts": parts,
    }


def registry_rows(items: list[Source] | list[Quantity]) -> list[Row]:
    """Sources or quantities as rows; they are written in the corpus exactly as rows."""
    return [item.model_dump(mode="json") for item in items]
