"""Run the pipeline's checking stages over a corpus: read → models → cross-checks → resolved rows.

:func:`validate_corpus` is what ``nkdata validate`` and ``nkdata build`` call. It collects every
problem of every stage; rows are resolved only when there are none.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nkdata.corpus_format import ArticleFile, ClaimEntry, DatasetFile, QuantitiesFile, SourcesFile
from nkdata.crosscheck import (
    ParsedArticle,
    Spans,
    check_article,
    check_references,
    check_registries,
)
from nkdata.parse import parse_model
from nkdata.problems import Problem, sorted_problems
from nkdata.read import ReadCorpus, read_article, read_layout
from nkdata.resolve import Row, article_rows, registry_rows


@dataclass(slots=True)
class Corpus:
    """A valid corpus: its dataset metadata and the rows of every table."""

    dataset: DatasetFile
    tables: dict[str, list[Row]]


@dataclass(slots=True)
class Outcome:
    """Every problem found, and the resolved corpus when there were none."""

    problems: list[Problem]
    corpus: Corpus | None
    articles_checked: int


@dataclass(slots=True)
class CheckedArticle:
    """One article after the article-local stages."""

    parsed: ParsedArticle | None
    spans: Spans
    problems: list[Problem]


def check_one_article(root: Path, folder: str) -> CheckedArticle:
    """Read, parse and check one article folder on its own (no registries needed)."""
    read, problems = read_article(root, folder)
    if read.yaml.doc is None:
        return CheckedArticle(None, Spans(), problems)
    model, model_problems = parse_model(read.yaml, ArticleFile)
    problems += model_problems
    claims = list(enumerate(model.claims)) if model else _valid_claims(read.yaml.doc.data)
    parsed = ParsedArticle(
        folder, read.yaml.file, read.yaml.doc, model, claims, read.text_file, read.text
    )
    spans, check_problems = check_article(parsed)
    return CheckedArticle(parsed, spans, problems + check_problems)


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


def validate_corpus(root: Path, only: str | None = None) -> Outcome:
    """Validate the corpus at ``root``; with ``only``, one article folder against the rest."""
    layout = read_layout(root)
    problems = list(layout.problems)
    dataset, sources, quantities = _registries(layout, problems)
    folders = layout.article_folders if only is None else [only]
    if only is not None:
        problems = [p for p in problems if not p.file.startswith("articles/")]
    checked = [check_one_article(root, folder) for folder in folders]
    source_ids = {s.id for s in sources.sources} if sources else None
    quantity_ids = {q.id for q in quantities.quantities} if quantities else None
    for article in checked:
        problems += article.problems
        if article.parsed is not None:
            problems += check_references(article.parsed, source_ids, quantity_ids)
    problems = sorted_problems(problems)
    if problems or dataset is None or sources is None or quantities is None or only is not None:
        return Outcome(problems, None, len(folders))
    return Outcome([], _resolve(dataset, sources, quantities, checked), len(folders))


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
    checked: list[CheckedArticle],
) -> Corpus:
    units = {quantity.id: quantity.unit for quantity in quantities.quantities}
    tables: dict[str, list[Row]] = {
        "sources": registry_rows(sources.sources),
        "quantities": registry_rows(quantities.quantities),
        "articles": [],
        "claims": [],
        "figures": [],
    }
    for article in checked:
        parsed = article.parsed
        assert parsed is not None and parsed.model is not None and parsed.text is not None
        row, claims, figures = article_rows(parsed.model, parsed.text, article.spans, units)
        tables["articles"].append(row)
        tables["claims"] += claims
        tables["figures"] += figures
    return Corpus(dataset, tables)
