"""Run the pipeline's checking stages over a corpus: read → models → cross-checks → resolved rows.

:func:`validate_corpus` is what ``nkdata validate`` and ``nkdata build`` call. It collects every
problem of every stage; rows are resolved only when there are none. Articles are checked
independently of each other, on every core (:mod:`nkdata.corpus.pool`,
:mod:`nkdata.corpus.article`); articles and registries that passed their checks before, with the
same bytes and the same code, are not parsed again (:mod:`nkdata.corpus.checkcache`).
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nkdata.corpus import checkcache, pool, unchanged
from nkdata.corpus.article import (
    ARTICLE_TABLES,
    ArticleContext,
    CheckedArticle,
    CheckedChunk,
    Pending,
    check_articles,
)
from nkdata.corpus.checkcache import Recorded
from nkdata.corpus.layout import ReadCorpus, read_layout, settled
from nkdata.corpus.problems import Problem, sorted_problems

if TYPE_CHECKING:
    import pyarrow as pa

    from nkdata.corpus.resolve import Row
    from nkdata.schema.corpus_files import DatasetFile, QuantitiesFile, SourcesFile


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


@dataclass(slots=True)
class Registries:
    """The shared registries after their checks: their ids, and their models when parsed."""

    problems: list[Problem] = field(default_factory=list)
    source_ids: frozenset[str] | None = None
    quantity_ids: frozenset[str] | None = None
    models: tuple[DatasetFile, SourcesFile, QuantitiesFile] | None = None
    """Set when they were parsed (not taken from the cache) and are valid."""
    passed: str | None = None
    """Their key (``ReadCorpus.registries_key``) when they passed every check."""


def validate_corpus(
    root: Path, only: str | None = None, *, resolve: bool = True, cache: bool = False
) -> Outcome:
    """Validate the corpus at ``root``; with ``only``, one article folder against the rest.

    ``resolve`` builds the tables of a valid corpus (``Outcome.corpus``); ``cache`` uses and
    updates the check cache of :mod:`nkdata.corpus.checkcache` (with ``resolve``, it only records
    what passed: every article is parsed, since every row is needed).
    """
    settled_ns = time.time_ns() - int(checkcache.SETTLE_SECONDS * 1e9) if cache else None
    recorded = checkcache.load(root) if cache else Recorded()
    layout = read_layout(root, (recorded.listing, recorded.folders) if recorded.folders else None)
    problems = list(layout.problems)
    if only is not None:
        problems = [p for p in problems if not p.file.startswith("articles/")]
    resolve = resolve and only is None
    registries = _registries(layout, None if resolve else recorded)
    problems += registries.problems
    folders = layout.article_folders if only is None else [only]
    units = None
    if resolve and registries.models is not None:
        units = {quantity.id: quantity.unit for quantity in registries.models[2].quantities}
    context = ArticleContext(
        root, registries.source_ids, registries.quantity_ids, units, settled_ns
    )
    if cache and not resolve and recorded.folders:
        untrusted = recorded.untrusted(registries.source_ids, registries.quantity_ids)
        found = unchanged.scan(context, folders, recorded, untrusted)
        chunks = pool.map_chunks(check_articles, context, [p for _, p in found.pending])
        rest = [article for chunk in chunks for article in chunk.articles]
        changed = [*found.checked, *zip((i for i, _ in found.pending), rest, strict=True)]
        checked = {folders[index]: article for index, article in changed}
    else:
        chunks = pool.map_chunks(check_articles, context, [Pending(f) for f in folders])
        articles = (article for chunk in chunks for article in chunk.articles)
        checked = dict(zip(folders, articles, strict=True))
    for article in checked.values():
        problems += article.problems
    if cache:
        _record(root, recorded, layout, only, checked, registries, settled_ns)
    problems = sorted_problems(problems)
    if problems or registries.models is None or not resolve:
        return Outcome(problems, None, len(folders))
    return Outcome([], _resolve(registries.models, chunks), len(folders))


def _registries(layout: ReadCorpus, recorded: Recorded | None) -> Registries:
    """The registries' ids: from ``recorded`` when their bytes passed before, else parsed."""
    key = layout.registries_key()
    if key is not None and recorded is not None and recorded.registries is not None:
        passed, ids = recorded.registries
        if passed == key:
            source_ids, quantity_ids = checkcache.unpack(ids)
            return Registries([], frozenset(source_ids), frozenset(quantity_ids), None, key)
    from nkdata.corpus.crosscheck import check_registries
    from nkdata.corpus.typecheck import parse_model
    from nkdata.schema.corpus_files import DatasetFile, QuantitiesFile, SourcesFile

    files, problems = layout.parse_registries()
    dataset, found = parse_model(files["dataset.yaml"], DatasetFile)
    problems += found
    sources, found = parse_model(files["sources.yaml"], SourcesFile)
    problems += found
    quantities, found = parse_model(files["quantities.yaml"], QuantitiesFile)
    problems += found
    source_doc, quantity_doc = files["sources.yaml"].doc, files["quantities.yaml"].doc
    problems += check_registries(
        ("sources.yaml", source_doc, sources) if sources and source_doc else None,
        ("quantities.yaml", quantity_doc, quantities) if quantities and quantity_doc else None,
    )
    valid = dataset is not None and sources is not None and quantities is not None
    return Registries(
        problems,
        frozenset(source.id for source in sources.sources) if sources else None,
        frozenset(quantity.id for quantity in quantities.quantities) if quantities else None,
        (dataset, sources, quantities) if dataset and sources and quantities else None,
        key if valid and not problems else None,
    )


def _record(
    root: Path,
    recorded: Recorded,
    layout: ReadCorpus,
    only: str | None,
    checked: dict[str, CheckedArticle],
    registries: Registries,
    settled_ns: int | None,
) -> None:
    """Record every folder of the corpus, with the content key, the references and the metadata
    (when its files had settled) of each that passed its own checks; the listing's metadata,
    when it had settled; and the registries if they passed. A run on one article (``only``)
    keeps the other folders as recorded. A few changed rows that name what they named are
    appended to the cache file as a patch; anything else rewrites it."""
    folders, listing = layout.article_folders, layout.listing
    if only is not None:
        folders, listing = sorted({*recorded.folders, only}), None
    listing = settled(listing, settled_ns)  # else too recent to vouch for its entries later
    passed = recorded.registries
    if registries.passed is None:
        passed = None
    elif passed is None or passed[0] != registries.passed:
        assert registries.source_ids is not None and registries.quantity_ids is not None
        ids = checkcache.pack(sorted(registries.source_ids), sorted(registries.quantity_ids))
        passed = (registries.passed, ids)
    builder = checkcache.Builder(recorded)
    if folders != recorded.folders:
        for folder in folders:
            _add(builder, folder, recorded.rows.get(folder), checked.get(folder))
        checkcache.save(root, builder.build(listing, passed))
        return
    rows = {bisect.bisect_left(folders, folder): article for folder, article in checked.items()}
    if (listing, passed) == (recorded.listing, recorded.registries):  # the usual case
        patch = recorded.patch([_change(row, article) for row, article in rows.items()])
        if patch is not None:
            checkcache.append(root, patch)  # nothing when no row changed
            return
    at = 0
    for row in sorted(rows):
        builder.keep_rows(at, row)
        _add(builder, folders[row], row, rows[row])
        at = row + 1
    builder.keep_rows(at, len(folders))
    checkcache.save(root, builder.build(listing, passed))


def _change(row: int, article: CheckedArticle) -> checkcache.Change:
    """A checked row as a patch records it; what :func:`_add` records, for a recorded row."""
    if article.cached:
        return row, article.signature, article.key, None
    if article.key is not None and article.references is not None:
        return row, article.signature, article.key, article.references
    return row, None, None, ((), ())


def _add(
    builder: checkcache.Builder, folder: str, row: int | None, article: CheckedArticle | None
) -> None:
    """Record one folder: as recorded if not checked now; else with what passed."""
    if article is None:
        if row is not None:
            builder.keep_rows(row, row + 1)
    elif article.cached and row is not None:
        builder.update(row, article.signature)
    elif article.key is not None and article.references is not None:
        builder.add(folder, article.signature, article.key, article.references)
    else:
        builder.add(folder)


def _resolve(
    models: tuple[DatasetFile, SourcesFile, QuantitiesFile], chunks: list[CheckedChunk]
) -> Corpus:
    from nkdata.corpus.resolve import registry_rows
    from nkdata.schema.arrow import build_table, combine
    from nkdata.schema.columns import table_models

    dataset, sources, quantities = models
    tables = table_models()
    arrow = {
        "sources": build_table(tables["sources"], registry_rows(sources.sources)),
        "quantities": build_table(tables["quantities"], registry_rows(quantities.quantities)),
    }
    for name in ARTICLE_TABLES:
        parts = [chunk.parts[name] for chunk in chunks if chunk.parts is not None]
        arrow[name] = combine(tables[name], parts)
    return Corpus(dataset, {name: arrow[name] for name in tables})
