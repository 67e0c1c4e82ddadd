"""What each page of the site shows, gathered from a release's tables (no HTML here).

:class:`Release` reads the tables once and indexes them: claims by article, figures by claim,
and for every source the claims it made or relayed and the chains of relays its claims took.
Each ``*_page`` function returns the variables of one page's template; rows are the release's
rows as light tuples read by name (:mod:`nkdata.view.records`; the files were checked against
their hashes when read).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nkdata.models import TABLES
from nkdata.schema.releasefolder import CITATION_KEY, TEXT_RIGHTS_KEY
from nkdata.schema.vocab import MEANINGS
from nkdata.view.articletext import Part, article_html
from nkdata.view.ledger import LedgerRow, arrow_tables, ledgers
from nkdata.view.records import Record, records

if TYPE_CHECKING:
    import pyarrow as pa

    from nkdata.loading import Dataset

Row = Record
Chain = tuple[str, ...]
VOCABULARIES = {
    "mode": "ClaimMode",
    "framing": "Framing",
    "topic": "Topic",
    "kind": "SourceKind",
    "qualifier": "Qualifier",
    "published_basis": "DateBasis",
}
"""Column → the vocabulary whose meanings explain its values on the pages."""


def local_id(claim_id: str) -> str:
    """A claim's id within its article, its anchor on the article page: ``c07``."""
    return claim_id.rsplit(":", 1)[1]


def chain_of(claim: Row, article: Row) -> Chain:
    """Who a claim passed through, from its source to the article's publisher, each once."""
    chain: list[str] = []
    for who in (claim["source_id"], claim["via_id"], article["via_id"], article["publisher_id"]):
        if who and who not in chain:
            chain.append(who)
    return tuple(chain)


@dataclass
class SourceFacts:
    """Everything the page of one source lists."""

    made: list[Row] = field(default_factory=list)
    relayed: list[Row] = field(default_factory=list)
    published: list[Row] = field(default_factory=list)
    chains: Counter[Chain] = field(default_factory=Counter)


@dataclass
class Release:
    """A release's tables, indexed for the pages."""

    version: str
    descriptor: dict[str, Any]
    sources: dict[str, Row]
    quantities: dict[str, Row]
    articles: dict[str, Row]
    claims: dict[str, list[Row]]
    """Article id → its claims, in text order."""
    figures: dict[str, list[LedgerRow]]
    """Claim id → its figures, as ledger rows."""
    ledgers: dict[str, list[LedgerRow]]
    parts: dict[str, list[Part]]
    """Article id → the parts of its text that are not the body."""
    facts: dict[str, SourceFacts]

    @classmethod
    def of(cls, data: Dataset) -> Release:
        """Read and index every table of ``data``."""
        tables = arrow_tables(data, {model.table: model.model_fields for model in TABLES})
        by_quantity = ledgers(tables)
        articles = {row["id"]: row for row in records(tables["articles"])}
        claims = _claims_by_article(records(tables["claims"]))
        sources = {row["id"]: row for row in records(tables["sources"])}
        return cls(
            version=data.version,
            descriptor=data.descriptor,
            sources=sources,
            quantities={row["id"]: row for row in records(tables["quantities"])},
            articles=articles,
            claims=claims,
            figures=_figures_by_claim(by_quantity),
            ledgers=by_quantity,
            parts=_parts_by_article(tables["page_parts"]),
            facts=_source_facts(sources, articles, claims),
        )

    def name(self, source_id: str | None) -> str | None:
        """A source's name, or None for no source."""
        return self.sources[source_id]["name"] if source_id else None


def _parts_by_article(page_parts: pa.Table) -> dict[str, list[Part]]:
    """The parts of each article's text that are not its body."""
    grouped: dict[str, list[Part]] = defaultdict(list)
    for row in page_parts.to_pylist():
        grouped[row["article_id"]].append((row["part_start"], row["part_end"], row["kind"]))
    return dict(grouped)


def _claims_by_article(claims: list[Row]) -> dict[str, list[Row]]:
    """Claims grouped by article, each article's in the order of the text."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for claim in claims:
        grouped[claim["article_id"]].append(claim)
    for rows in grouped.values():
        rows.sort(key=lambda claim: (claim["quote_start"], -claim["quote_end"], claim["id"]))
    return dict(grouped)


def _figures_by_claim(by_quantity: dict[str, list[LedgerRow]]) -> dict[str, list[LedgerRow]]:
    """Ledger rows grouped by claim, each claim's in id order."""
    grouped: dict[str, list[LedgerRow]] = defaultdict(list)
    for rows in by_quantity.values():
        for row in rows:
            grouped[row.claim_id].append(row)
    for rows in grouped.values():
        rows.sort(key=lambda row: row.figure_id)
    return dict(grouped)


def _source_facts(
    sources: dict[str, Row], articles: dict[str, Row], claims: dict[str, list[Row]]
) -> dict[str, SourceFacts]:
    """For every source: the claims it made and relayed, the articles it published, its chains."""
    facts = {source_id: SourceFacts() for source_id in sources}
    for article in articles.values():
        facts[article["publisher_id"]].published.append(article)
    for article_id, rows in claims.items():
        article = articles[article_id]
        for claim in rows:
            chain = chain_of(claim, article)
            facts[claim["source_id"]].made.append(claim)
            for who in chain[1:-1]:
                facts[who].relayed.append(claim)
            for who in chain:
                facts[who].chains[chain] += 1
    return facts


def meaning(column: str, value: str | None) -> str:
    """What a vocabulary value means, for a tooltip; empty for other columns."""
    vocabulary = VOCABULARIES.get(column)
    return MEANINGS[vocabulary].get(value or "", "") if vocabulary else ""


def index_page(release: Release) -> dict[str, Any]:
    """The dataset, its tables and counts, licences, citation, and the lists of pages."""
    descriptor = release.descriptor
    counts = {
        "articles": len(release.articles),
        "sources": len(release.sources),
        "claims": sum(len(rows) for rows in release.claims.values()),
        "figures": sum(len(rows) for rows in release.figures.values()),
        "quantities": len(release.quantities),
        "page_parts": sum(len(parts) for parts in release.parts.values()),
    }
    articles = sorted(release.articles.values(), key=lambda a: (a["published"], a["id"]))
    return {
        "descriptor": descriptor,
        "citation": descriptor.get(CITATION_KEY),
        "text_rights": descriptor.get(TEXT_RIGHTS_KEY),
        "counts": counts,
        "articles": articles,
        "quantities": sorted(release.quantities.values(), key=lambda q: q["label"].lower()),
        "figure_counts": {q: len(rows) for q, rows in release.ledgers.items()},
        "sources": sorted(release.sources.values(), key=lambda s: s["name"].lower()),
        "claim_counts": {s: len(facts.made) for s, facts in release.facts.items()},
    }


def article_page(release: Release, article_id: str) -> dict[str, Any]:
    """An article's metadata, its text with the claims marked, and a card per claim."""
    article = release.articles[article_id]
    claims = release.claims.get(article_id, [])
    figures = {claim["id"]: release.figures.get(claim["id"], []) for claim in claims}
    parts = release.parts.get(article_id, [])
    return {
        "article": article,
        "claims": claims,
        "figures": figures,
        "parts": parts,
        "text": _markup(article_html(article["text"], claims, figures, parts)),
    }


def source_page(release: Release, source_id: str) -> dict[str, Any]:
    """A source, what it said and relayed, and who relayed whom."""
    facts = release.facts[source_id]
    chains = sorted(facts.chains.items(), key=lambda item: (-item[1], item[0]))
    return {
        "source": release.sources[source_id],
        "affiliated": sorted(
            (s for s in release.sources.values() if s["affiliation_id"] == source_id),
            key=lambda s: s["name"].lower(),
        ),
        "made": facts.made,
        "relayed": facts.relayed,
        "published": sorted(facts.published, key=lambda a: (a["published"], a["id"])),
        "chains": chains,
    }


def quantity_page(release: Release, quantity_id: str) -> dict[str, Any]:
    """A quantity and its ledger (the chart is drawn by the caller)."""
    return {
        "quantity": release.quantities[quantity_id],
        "rows": release.ledgers.get(quantity_id, []),
    }


def search_entries(release: Release) -> Iterator[tuple[str, str, str]]:
    """(kind, text, page) of everything the index page searches: titles, claims, sources."""
    for article_id, article in release.articles.items():
        yield "article", article["title"], f"articles/{article_id}.html"
    for article_id, claims in release.claims.items():
        for claim in claims:
            page = f"articles/{article_id}.html#{local_id(claim['id'])}"
            yield "claim", claim["statement"], page
    for source_id, source in release.sources.items():
        yield "source", source["name"], f"sources/{source_id}.html"
    for quantity_id, quantity in release.quantities.items():
        yield "quantity", quantity["label"], f"quantities/{quantity_id}.html"


def _markup(html: str) -> Any:
    """HTML that the templates insert as it is (it was escaped when built); markupsafe comes
    with jinja2, in the ``site`` extra, so it is imported only when a page is made."""
    from markupsafe import Markup

    return Markup(html)
