"""Check one article folder: read → models → cross-checks → references → rows, or the cache.

Articles are independent of each other once the registries' ids are known, so
:func:`check_articles` is the unit of work that :mod:`nkdata.corpus.pool` spreads over worker
processes. An article whose bytes passed its own checks before, under the same code, is taken
from the check cache (:mod:`nkdata.corpus.checkcache`): read and hashed, never parsed. The models
(pydantic) are imported only where an article is parsed, so that re-validating an unchanged
corpus never pays for them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nkdata.corpus import checkcache
from nkdata.corpus.checkcache import References
from nkdata.corpus.layout import ArticleBytes, article_signature, read_article, read_article_bytes
from nkdata.corpus.problems import Problem

if TYPE_CHECKING:
    import pyarrow as pa

    from nkdata.corpus.resolve import Row
    from nkdata.schema.corpus_files import ClaimEntry

ARTICLE_TABLES = ("articles", "claims", "figures", "page_parts")
"""The tables whose rows come from article folders."""


@dataclass(frozen=True, slots=True)
class ArticleContext:
    """What checking one article needs besides its folder; handed to each worker once."""

    root: Path
    source_ids: frozenset[str] | None
    """Ids of sources.yaml; None when it is unreadable (references are then not checked)."""
    quantity_ids: frozenset[str] | None
    """Ids of quantities.yaml; None when it is unreadable."""
    units: dict[str, str] | None
    """Unit of each quantity when rows are wanted (``nkdata build``), else None."""
    trusted: frozenset[str]
    """Content keys of articles that passed their own checks before and whose references all
    exist now (a set, not the entries: looking a key up in it writes to no shared page)."""
    unchanged: frozenset[str]
    """``"<folder>/<signature>"`` of trusted articles whose files need not be read (see
    :class:`nkdata.corpus.layout.Signature`)."""
    settled_ns: int | None
    """Signatures of files changed before this time may be recorded; None: record none."""


@dataclass(slots=True)
class CheckedArticle:
    """One article after every check: its problems, and what the cache and the build keep."""

    problems: list[Problem]
    key: str | None = None
    references: References | None = None
    """Set when the article passed its own checks (its references may still be unknown)."""
    rows: dict[str, list[Row]] | None = None
    """The article's rows by table (:data:`ARTICLE_TABLES`), when rows were wanted."""
    cached: bool = False
    """Taken from the cache: not parsed; its references are those recorded under ``key``, or,
    when ``key`` is None, under the key recorded with its folder's signature (not even read)."""
    signature: str | None = None
    """The folder's signature, when its files had settled; recorded with ``key``."""


@dataclass(slots=True)
class CheckedChunk:
    """Consecutive articles after every check, and their table parts when rows were wanted."""

    articles: list[CheckedArticle]
    parts: dict[str, pa.Table] | None = None


def check_articles(context: ArticleContext, folders: Sequence[str]) -> CheckedChunk:
    """Check article folders one by one (a chunk of work for :func:`nkdata.corpus.pool.map_chunks`).

    When every article of the chunk gave rows, they are returned as Arrow table parts, which
    travel between processes far more cheaply than Python objects.
    """
    with _no_cycle_collection():
        articles = [check_one_article(context, folder) for folder in folders]
        if context.units is None or any(article.rows is None for article in articles):
            return CheckedChunk(articles)
        from nkdata.schema.arrow import table_part
        from nkdata.schema.columns import table_models

        models = table_models()
        found: dict[str, list[Row]] = {name: [] for name in ARTICLE_TABLES}
        for article in articles:
            for name, rows in (article.rows or {}).items():
                found[name] += rows
            article.rows = None
        return CheckedChunk(articles, {n: table_part(models[n], found[n]) for n in ARTICLE_TABLES})


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector: checking makes millions of objects, none in cycles, and
    repeated full collections would cost a fifth of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_one_article(context: ArticleContext, folder: str) -> CheckedArticle:
    """Check one article folder, its references included; from the cache when it may be."""
    signature = None
    if context.settled_ns is not None:
        signature = article_signature(context.root, folder)
        if signature is not None and f"{folder}/{signature.text}" in context.unchanged:
            return CheckedArticle([], cached=True, signature=signature.text)
        if signature is not None and signature.latest_ns >= context.settled_ns:
            signature = None  # changed too recently for its metadata to be trusted later
    raw = read_article_bytes(context.root, folder)
    key = raw.content_key()
    if key is not None and not raw.problems and key in context.trusted:
        checked = CheckedArticle([], key, cached=True)
    else:
        checked = _check_in_full(context, raw, key)
    checked.signature = signature.text if signature is not None else None
    return checked


def references_exist(
    references: References, sources: frozenset[str] | None, quantities: frozenset[str] | None
) -> bool:
    """Whether every id of ``references`` is in the registries (None: not checked)."""
    source_refs, quantity_refs = checkcache.unpack(references)
    return (sources is None or all(map(sources.__contains__, source_refs))) and (
        quantities is None or all(map(quantities.__contains__, quantity_refs))
    )


def _check_in_full(context: ArticleContext, raw: ArticleBytes, key: str | None) -> CheckedArticle:
    from nkdata.corpus.crosscheck import (
        ParsedArticle,
        check_article,
        check_references,
        referenced_ids,
    )
    from nkdata.corpus.resolve import article_rows
    from nkdata.corpus.typecheck import parse_model
    from nkdata.schema.corpus_files import ArticleFile

    read, problems = read_article(raw)
    if read.yaml.doc is None:
        return CheckedArticle(problems)
    model, model_problems = parse_model(read.yaml, ArticleFile)
    problems += model_problems
    claims = list(enumerate(model.claims)) if model else _valid_claims(read.yaml.doc.data)
    parsed = ParsedArticle(
        raw.folder, read.yaml.file, read.yaml.doc, model, claims, read.text_file, read.text
    )
    spans, check_problems = check_article(parsed)
    problems += check_problems
    references = checkcache.pack(*referenced_ids(parsed)) if not problems else None
    problems += check_references(parsed, context.source_ids, context.quantity_ids)
    rows = None
    if context.units is not None and not problems:
        assert model is not None and read.text is not None
        rows = article_rows(model, read.text, spans, context.units)
    return CheckedArticle(problems, key, references, rows)


def _valid_claims(data: object) -> list[tuple[int, ClaimEntry]]:
    """The claims of an invalid article file, as far as they can still be checked.

    A claim valid on its own is kept whole; an invalid one keeps its id, quote and source
    references (when they are text) so that its quote and references are still checked. Its
    own errors are already reported by the whole-file validation.
    """
    from pydantic import ValidationError

    from nkdata.schema.corpus_files import ClaimEntry

    items = data.get("claims") if isinstance(data, dict) else None
    claims = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            claims.append((index, ClaimEntry.model_validate(item)))
        except ValidationError:
            partial = _checkable_part(item)
            if partial is not None:
                claims.append((index, partial))
    return claims


def _checkable_part(item: object) -> ClaimEntry | None:
    from nkdata.schema.corpus_files import ClaimEntry

    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "quote")):
        return None
    if not item["quote"].strip():
        return None  # reported as empty; an empty quote "occurs" everywhere
    occurrence = item.get("occurrence")
    fields: dict[str, Any] = {
        "id": item["id"],
        "quote": item["quote"],
        "figures": [],
        "occurrence": occurrence if isinstance(occurrence, int) and occurrence > 0 else None,
        **{k: v if isinstance(v := item.get(k), str) else None for k in ("source_id", "via_id")},
    }
    return ClaimEntry.model_construct(**fields)
