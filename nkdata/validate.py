"""Run the pipeline's checking stages over a corpus: read → models → cross-checks → resolved rows.

:func:`validate_corpus` is what ``nkdata validate`` and ``nkdata build`` call. It collects every
problem of every stage; rows are resolved only when there are none. Articles are checked
independently of each other, on every core (:mod:`nkdata.pool`); an article that passed its
own checks before, with the same bytes and the same code, is not parsed again
(:mod:`nkdata.checkcache`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from nkdata import checkcache, pool
from nkdata.checkcache import References
from nkdata.corpus_format import ArticleFile, ClaimEntry, DatasetFile, QuantitiesFile, SourcesFile
from nkdata.crosscheck import (
    ParsedArticle,
    check_article,
    check_references,
    check_registries,
    referenced_ids,
)
from nkdata.parse import parse_model
from nkdata.problems import Problem, sorted_problems
from nkdata.read import ReadCorpus, read_article, read_article_bytes, read_layout
from nkdata.resolve import Row, article_rows, registry_rows

if TYPE_CHECKING:
    import pyarrow as pa

ARTICLE_TABLES = ("articles", "claims", "figures")


@dataclass(slots=True)
class Corpus:
    """A valid corpus: its dataset metadata and every table, as Arrow (sorted, one chunk)."""

    dataset: DatasetFile
    arrow: dict[str, pa.Table]

    @property
    def tables(self) -> dict[str, list[Row]]:
        """The rows of every table, as Python values."""
        return {name: table.to_pylist() for name, table in self.arrow.items()}


@dataclass(slots=True)
class Outcome:
    """Every problem found, and the resolved corpus when there were none (and it was asked for)."""

    problems: list[Problem]
    corpus: Corpus | None
    articles_checked: int


@dataclass(frozen=True, slots=True)
class ArticleContext:
    """What checking one article needs besides its folder; handed to each worker once."""

    root: Path
    source_ids: frozenset[str] | None
    quantity_ids: frozenset[str] | None
    units: dict[str, str] | None
    """Unit of each quantity when rows are wanted (``nkdata build``), else None."""
    known: dict[str, References]
    """Cache entries: content key → references of an article that passed its own checks."""


@dataclass(slots=True)
class CheckedArticle:
    """One article after every check: its problems, and what the cache and the build keep."""

    problems: list[Problem]
    key: str | None = None
    references: References | None = None
    """Set when the article passed its own checks (its references may still be unknown)."""
    rows: tuple[Row, list[Row], list[Row]] | None = None


@dataclass(slots=True)
class CheckedChunk:
    """Consecutive articles after every check, and their table parts when rows were wanted."""

    articles: list[CheckedArticle]
    parts: dict[str, pa.Table] | None = None


def check_articles(context: ArticleContext, folders: Sequence[str]) -> CheckedChunk:
    """Check article folders one by one (a chunk of work for :func:`nkdata.pool.map_chunks`).

    When every article of the chunk gave rows, they are returned as Arrow table parts instead.
    """
    with _no_cycle_collection():
        articles = [check_one_article(context, folder) for folder in folders]
        rows = [article.rows for article in articles]
        if context.units is None or any(row is None for row in rows):
            return CheckedChunk(articles)
        from nkdata.arrowtables import table_part
        from nkdata.columns import table_models

        models = table_models()
        found: dict[str, list[Row]] = {name: [] for name in ARTICLE_TABLES}
        for article in articles:
            assert article.rows is not None
            row, claims, figures = article.rows
            found["articles"].append(row)
            found["claims"] += claims
            found["figures"] += figures
            article.rows = None
        parts = {name: table_part(models[name], found[name]) for name in ARTICLE_TABLES}
        return CheckedChunk(articles, parts)


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
    """Read, parse and check one article folder, its references included."""
    raw = read_article_bytes(context.root, folder)
    key = raw.content_key()
    if key is not None and not raw.problems and context.units is None:
        known = context.known.get(key)
        if known is not None and _references_exist(known, context):
            return CheckedArticle([], key, known)
    read, problems = read_article(raw)
    if read.yaml.doc is None:
        return CheckedArticle(problems)
    model, model_problems = parse_model(read.yaml, ArticleFile)
    problems += model_problems
    claims = list(enumerate(model.claims)) if model else _valid_claims(read.yaml.doc.data)
    parsed = ParsedArticle(
        folder, read.yaml.file, read.yaml.doc, model, claims, read.text_file, read.text
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


def _references_exist(references: References, context: ArticleContext) -> bool:
    sources, quantities = checkcache.unpack(references)
    known_sources, known_quantities = context.source_ids, context.quantity_ids
    return (known_sources is None or all(map(known_sources.__contains__, sources))) and (
        known_quantities is None or all(map(known_quantities.__contains__, quantities))
    )


def _valid_claims(data: object) -> list[tuple[int, ClaimEntry]]:
    """The claims of an invalid article file, as far as they can still be checked.

    A claim valid on its own is kept whole; an invalid one keeps its id, quote and source
    references (when they are text) so that its quote and references are still checked. Its
    own errors are already reported by the whole-file validation.
    """
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
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "quote")):
        return None
    occurrence = item.get("occurrence")
    fields: dict[str, Any] = {
        "id": item["id"],
        "quote": item["quote"],
        "figures": [],
        "occurrence": occurrence if isinstance(occurrence, int) and occurrence > 0 else None,
        **{k: v if isinstance(v := item.get(k), str) else None for k in ("source_id", "via_id")},
    }
    return ClaimEntry.model_construct(**fields)


def validate_corpus(
    root: Path, only: str | None = None, *, resolve: bool = True, cache: bool = False
) -> Outcome:
    """Validate the corpus at ``root``; with ``only``, one article folder against the rest.

    ``resolve`` builds the rows of a valid corpus (``Outcome.corpus``); ``cache`` uses and
    updates the check cache of :mod:`nkdata.checkcache` (a build records entries but never
    skips an article, since it needs every row).
    """
    layout = read_layout(root)
    problems = list(layout.problems)
    dataset, sources, quantities = _registries(layout, problems)
    folders = layout.article_folders if only is None else [only]
    if only is not None:
        problems = [p for p in problems if not p.file.startswith("articles/")]
    resolve = resolve and only is None
    known = checkcache.load(root) if cache and (only is not None or not resolve) else {}
    context = ArticleContext(
        root,
        frozenset(s.id for s in sources.sources) if sources else None,
        frozenset(q.id for q in quantities.quantities) if quantities else None,
        {q.id: q.unit for q in quantities.quantities} if resolve and quantities else None,
        known,
    )
    chunks = pool.map_chunks(check_articles, context, folders)
    checked = [article for chunk in chunks for article in chunk.articles]
    for article in checked:
        problems += article.problems
    if cache:
        _record(root, checked, known, keep=only is not None)
    problems = sorted_problems(problems)
    if problems or dataset is None or sources is None or quantities is None or not resolve:
        return Outcome(problems, None, len(folders))
    return Outcome([], _resolve(dataset, sources, quantities, chunks), len(folders))


def _record(
    root: Path, checked: list[CheckedArticle], known: dict[str, References], *, keep: bool
) -> None:
    """Save every article that passed its own checks, beside the ``known`` entries if ``keep``;
    a cache that would not change is not written again."""
    entries = dict(known) if keep else {}
    entries.update(
        (article.key, article.references)
        for article in checked
        if article.key is not None and article.references is not None
    )
    if entries != known:
        checkcache.save(root, entries)


def _registries(
    layout: ReadCorpus, problems: list[Problem]
) -> tuple[DatasetFile | None, SourcesFile | None, QuantitiesFile | None]:
    dataset, found = parse_model(layout.registries["dataset.yaml"], DatasetFile)
    problems += found
    sources, found = parse_model(layout.registries["sources.yaml"], SourcesFile)
    problems += found
    quantities, found = parse_model(layout.registries["quantities.yaml"], QuantitiesFile)
    problems += found
    source_doc = layout.registries["sources.yaml"].doc
    quantity_doc = layout.registries["quantities.yaml"].doc
    problems += check_registries(
        ("sources.yaml", source_doc, sources) if sources and source_doc else None,
        ("quantities.yaml", quantity_doc, quantities) if quantities and quantity_doc else None,
    )
    return dataset, sources, quantities


def _resolve(
    dataset: DatasetFile,
    sources: SourcesFile,
    quantities: QuantitiesFile,
    chunks: list[CheckedChunk],
) -> Corpus:
    from nkdata.arrowtables import build_table, combine
    from nkdata.columns import table_models

    models = table_models()
    arrow = {
        "sources": build_table(models["sources"], registry_rows(sources.sources)),
        "quantities": build_table(models["quantities"], registry_rows(quantities.quantities)),
    }
    for name in ARTICLE_TABLES:
        parts = [chunk.parts[name] for chunk in chunks if chunk.parts is not None]
        arrow[name] = combine(models[name], parts)
    return Corpus(dataset, {name: arrow[name] for name in models})
