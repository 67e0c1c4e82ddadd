"""Run the pipeline's checking stages over a corpus: read → models → cross-checks → resolved rows.

:func:`validate_corpus` is what ``nkdata validate`` and ``nkdata build`` call. It collects every
problem of every stage; rows are resolved only when there are none. Articles are checked
independently of each other, on every core (:mod:`nkdata.corpus.pool`,
:mod:`nkdata.corpus.article`); articles and registries that passed their checks before, with the
same bytes and the same code, are not parsed again (:mod:`nkdata.corpus.checkcache`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nkdata.corpus import checkcache, pool
from nkdata.corpus.article import (
    ARTICLE_TABLES,
    ArticleContext,
    CheckedArticle,
    CheckedChunk,
    check_articles,
    references_exist,
)
from nkdata.corpus.checkcache import Recorded, References
from nkdata.corpus.layout import ReadCorpus, read_layout
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
    layout = read_layout(root)
    problems = list(layout.problems)
    if only is not None:
        problems = [p for p in problems if not p.file.startswith("articles/")]
    resolve = resolve and only is None
    recorded = checkcache.load(root) if cache else Recorded()
    registries = _registries(layout, None if resolve else recorded)
    problems += registries.problems
    folders = layout.article_folders if only is None else [only]
    units = None
    if resolve and registries.models is not None:
        units = {quantity.id: quantity.unit for quantity in registries.models[2].quantities}
    trusted = frozenset() if resolve else _trusted(recorded, registries)
    context = ArticleContext(
        root,
        registries.source_ids,
        registries.quantity_ids,
        units,
        trusted,
        _unchanged(recorded, trusted),
        time.time_ns() - int(checkcache.SETTLE_SECONDS * 1e9) if cache else None,
    )
    chunks = pool.map_chunks(check_articles, context, folders)
    checked = [article for chunk in chunks for article in chunk.articles]
    for article in checked:
        problems += article.problems
    if cache:
        _record(
            root,
            dict(zip(folders, checked, strict=True)),
            registries,
            recorded,
            keep=only is not None,
        )
    problems = sorted_problems(problems)
    if problems or registries.models is None or not resolve:
        return Outcome(problems, None, len(folders))
    return Outcome([], _resolve(registries.models, chunks), len(folders))


def _trusted(recorded: Recorded, registries: Registries) -> frozenset[str]:
    """Keys of recorded articles whose references all exist in the registries as they are."""
    if registries.passed is not None and recorded.verified == registries.passed:
        return frozenset(recorded.entries)  # the registries in which they were all found
    sources, quantities = registries.source_ids, registries.quantity_ids
    return frozenset(
        key
        for key, references in recorded.entries.items()
        if references_exist(references, sources, quantities)
    )


def _unchanged(recorded: Recorded, trusted: frozenset[str]) -> frozenset[str]:
    """``"<folder>/<signature>"`` of every recorded folder whose content key is trusted."""
    if len(trusted) == len(recorded.entries):
        return frozenset(recorded.signatures)
    return frozenset(name for name, key in recorded.signatures.items() if key in trusted)


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
    checked: dict[str, CheckedArticle],
    registries: Registries,
    recorded: Recorded,
    *,
    keep: bool,
) -> None:
    """Save what passed: the registries, and every article that passed its own checks with its
    folder's signature (beside what was recorded before if ``keep``). A cache that would not
    change is not rewritten."""
    entries: dict[str, References] = {}
    signatures: dict[str, str] = {}
    found = True  # every entry's references are in the registries as they are now
    if keep:
        entries = dict(recorded.entries)
        signatures = {
            name: key
            for name, key in recorded.signatures.items()
            if name.partition("/")[0] not in checked
        }
        found = recorded.verified is not None and recorded.verified == registries.passed
    for folder, article in checked.items():
        if article.cached and article.key is None:  # not even read: as recorded
            name = f"{folder}/{article.signature}"
            key = signatures[name] = recorded.signatures[name]
            entries[key] = recorded.entries[key]
            continue
        if article.key is None:
            continue
        references = recorded.entries[article.key] if article.cached else article.references
        if references is None:
            continue
        entries[article.key] = references
        if article.signature is not None:
            signatures[f"{folder}/{article.signature}"] = article.key
        found = found and not article.problems
    passed = None
    if registries.passed is not None:
        assert registries.source_ids is not None and registries.quantity_ids is not None
        ids = checkcache.pack(sorted(registries.source_ids), sorted(registries.quantity_ids))
        passed = (registries.passed, ids)
    new = Recorded(entries, passed, signatures, registries.passed if found else None)
    if new != recorded:
        checkcache.save(root, new)


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
