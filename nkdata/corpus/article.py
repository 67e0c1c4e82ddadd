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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from nkdata.corpus.checkcache import References
from nkdata.corpus.layout import (
    ArticleBytes,
    read_article,
    read_article_bytes,
    settled_signature,
)
from nkdata.corpus.problems import Problem

if TYPE_CHECKING:
    import pyarrow as pa
    from pydantic import BaseModel

    from nkdata.corpus.crosscheck import ParsedArticle, Spans
    from nkdata.corpus.resolve import Row
    from nkdata.schema.corpus_files import ClaimEntry, ExclusionEntry, NonBodyEntry

E = TypeVar("E", bound="BaseModel")

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
    settled_ns: int | None = None
    """Metadata of files last changed before this time may be recorded; None: record none."""


@dataclass(frozen=True, slots=True)
class Pending:
    """An article folder to look at, with what the check cache knows of it."""

    folder: str
    signature: bytes | None = None
    """Its metadata when its files had settled, taken before they are read: recorded with it.
    None: taken when they are read, if the context records metadata."""
    recorded_key: str | None = None
    """The content key under which it passed before, when its references all exist now: with
    the same bytes it is not parsed again."""


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
    """Its bytes are those recorded under ``key``: not parsed, its references as recorded."""
    signature: bytes | None = None
    """The folder's metadata, when its files had settled; recorded with ``key``."""


@dataclass(slots=True)
class CheckedChunk:
    """Consecutive articles after every check, and their table parts when rows were wanted."""

    articles: list[CheckedArticle]
    parts: dict[str, pa.Table] | None = None


def check_articles(context: ArticleContext, folders: Sequence[Pending]) -> CheckedChunk:
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


def check_one_article(context: ArticleContext, pending: Pending) -> CheckedArticle:
    """Check one article folder, its references included; from the cache when it may be."""
    signature = pending.signature
    if signature is None and context.settled_ns is not None:
        signature = settled_signature(context.root, pending.folder, context.settled_ns)
    raw = read_article_bytes(context.root, pending.folder)
    key = raw.content_key()
    if key is not None and not raw.problems and key == pending.recorded_key:
        checked = CheckedArticle([], key, cached=True)
    else:
        checked = _check_in_full(context, raw, key)
    checked.signature = signature
    return checked


@dataclass(slots=True)
class LocalCheck:
    """One article after its own stages (read, models, cross-checks, numbers): what the
    reference check, the build and ``nkdata show``/``nkdata numbers`` need."""

    problems: list[Problem]
    parsed: ParsedArticle | None = None
    """None when article.yaml does not parse as YAML."""
    spans: Spans | None = None


def check_locally(raw: ArticleBytes) -> LocalCheck:
    """Run the article-local stages on an article folder's bytes; every problem is collected."""
    from nkdata.corpus.crosscheck import ParsedArticle, check_article
    from nkdata.corpus.numbercheck import unaccounted
    from nkdata.corpus.typecheck import parse_model
    from nkdata.schema.corpus_files import ArticleFile, ClaimEntry, ExclusionEntry, NonBodyEntry

    read, problems = read_article(raw)
    if read.yaml.doc is None:
        return LocalCheck(problems)
    model, model_problems = parse_model(read.yaml, ArticleFile)
    problems += model_problems
    data = read.yaml.doc.data
    parsed = ParsedArticle(
        raw.folder,
        read.yaml.file,
        read.yaml.doc,
        model,
        list(enumerate(model.claims)) if model else _checkable(data, "claims", ClaimEntry, _claim),
        read.text_file,
        read.text,
        list(enumerate(model.non_body))
        if model
        else _checkable(data, "non_body", NonBodyEntry, _part),
        list(enumerate(model.exclusions))
        if model
        else _checkable(data, "exclusions", ExclusionEntry, _exclusion),
    )
    spans, check_problems = check_article(parsed)
    problems += check_problems
    if read.text is not None and _all_placed(data, spans):
        problems += unaccounted(read.text, spans, read.text_file)
    return LocalCheck(problems, parsed, spans)


def _check_in_full(context: ArticleContext, raw: ArticleBytes, key: str | None) -> CheckedArticle:
    from nkdata.corpus.crosscheck import check_references, referenced_ids
    from nkdata.corpus.resolve import article_rows

    local = check_locally(raw)
    problems, parsed, spans = local.problems, local.parsed, local.spans
    if parsed is None or spans is None:
        return CheckedArticle(problems)
    references = referenced_ids(parsed) if not problems else None
    problems += check_references(parsed, context.source_ids, context.quantity_ids)
    rows = None
    if context.units is not None and not problems:
        assert parsed.model is not None and parsed.text is not None
        rows = article_rows(parsed.model, parsed.text, spans, context.units)
    return CheckedArticle(problems, key, references, rows)


def _checkable(
    data: object, key: str, model: type[E], partial: Callable[[dict[str, Any]], E | None]
) -> list[tuple[int, E]]:
    """The entries of list ``key`` of an invalid article file, as far as they can be checked.

    An entry valid on its own is kept whole; an invalid one keeps the fields that place it in
    the text (quote, occurrence, lines, ids and references, where they have the right type), so
    that its quote, its figures' texts and its references are still checked, and the numbers it
    covers are not reported as unaccounted. Its own errors come from the whole-file validation.
    """
    from pydantic import ValidationError

    items = data.get(key) if isinstance(data, dict) else None
    found = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            found.append((index, model.model_validate(item)))
        except ValidationError:
            entry = partial(item) if isinstance(item, dict) else None
            if entry is not None:
                found.append((index, entry))
    return found


def _all_placed(data: object, spans: Spans) -> bool:
    """Whether every claim, figure, non-body part and exclusion of the file was found in the
    text: only then is a number that none covers unaccounted, rather than a consequence of
    another problem (a quote not found, a malformed entry, a file that is no mapping)."""
    if not isinstance(data, dict):
        return False
    entries = {key: _entries(data, key) for key in ("claims", "non_body", "exclusions")}
    figures = sum(len(_entries(claim, "figures")) for claim in entries["claims"])
    return (len(spans.claims), len(spans.figures), len(spans.non_body), len(spans.exclusions)) == (
        len(entries["claims"]),
        figures,
        len(entries["non_body"]),
        len(entries["exclusions"]),
    )


def _entries(data: object, key: str) -> list[object]:
    items = data.get(key) if isinstance(data, dict) else None
    return items if isinstance(items, list) else []


def _texts(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The ``keys`` of ``item`` whose values are non-empty text; None for the others."""
    return {k: v if isinstance(v := item.get(k), str) and v.strip() else None for k in keys}


def _occurrence(item: dict[str, Any]) -> int | None:
    occurrence = item.get("occurrence")
    return occurrence if isinstance(occurrence, int) and occurrence > 0 else None


def _claim(item: dict[str, Any]) -> ClaimEntry | None:
    """What of an invalid claim places it: id, quote, references, and its figures' texts."""
    from nkdata.schema.corpus_files import ClaimEntry, FigureEntry

    fields = _texts(item, "id", "quote", "source_id", "via_id")
    if fields["id"] is None or fields["quote"] is None:
        return None  # an empty quote "occurs" everywhere; it is reported as empty
    figures = item.get("figures")
    placeable = [
        FigureEntry.model_construct(
            **_texts(figure, "id", "text", "quantity_id"), occurrence=_occurrence(figure)
        )
        for figure in (figures if isinstance(figures, list) else [])
        if isinstance(figure, dict) and None not in _texts(figure, "id", "text").values()
    ]
    return ClaimEntry.model_construct(**fields, occurrence=_occurrence(item), figures=placeable)


def _part(item: dict[str, Any]) -> NonBodyEntry | None:
    """What of an invalid non-body part places it: its quote, or its lines."""
    from nkdata.schema.corpus_files import NonBodyEntry

    quote = _texts(item, "quote")["quote"]
    lines = item.get("lines")
    placed = {"quote": quote, "lines": lines, "occurrence": _occurrence(item)}
    entry = NonBodyEntry.model_construct(**placed)
    if quote is None:
        try:
            entry.line_range()
        except ValueError:
            return None  # no lines either: nothing to place
    return entry


def _exclusion(item: dict[str, Any]) -> ExclusionEntry | None:
    """What of an invalid exclusion places it: its quote."""
    from nkdata.schema.corpus_files import ExclusionEntry

    quote = _texts(item, "quote")["quote"]
    if quote is None:
        return None
    return ExclusionEntry.model_construct(**{"quote": quote, "occurrence": _occurrence(item)})
