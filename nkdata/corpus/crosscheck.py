"""The cross-check stage: rules that span fields, files or the text.

- :func:`check_article` needs one article and its text only (ids, folder name, quotes, figures,
  date order), so it can run in parallel, one article per worker;
- :func:`check_registries` and :func:`check_references` need the shared registries.

Each returns problems; :func:`check_article` also returns the offsets it found.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import pairwise

from nkdata.corpus.problems import Problem, Rule
from nkdata.corpus.quotes import MAX_MATCHES, Finder, closest_passage, find_all, pick
from nkdata.corpus.text import line_column
from nkdata.corpus.yamlreader import Path, YamlDocument, format_path
from nkdata.schema.characters import first_invisible
from nkdata.schema.corpus_files import (
    ArticleFile,
    ClaimEntry,
    ExclusionEntry,
    NonBodyEntry,
    QuantitiesFile,
    SourcesFile,
)
from nkdata.schema.fields import is_slug, parse_date_span, parse_partial_date, slug_error
from nkdata.schema.relations import affiliation_cycles, claim_after_article
from nkdata.schema.vocab import DateBasis


@dataclass(slots=True)
class ParsedArticle:
    """An article after the models stage, with what later stages need.

    ``model`` is None when the file has model errors; ``claims``, ``non_body`` and
    ``exclusions`` then still hold every entry (with its index) whose spans can be placed, so
    that its quote and references are checked too.
    """

    folder: str
    file: str
    doc: YamlDocument
    model: ArticleFile | None
    claims: list[tuple[int, ClaimEntry]]
    text_file: str
    text: str | None
    non_body: list[tuple[int, NonBodyEntry]] = field(default_factory=list)
    exclusions: list[tuple[int, ExclusionEntry]] = field(default_factory=list)


@dataclass(slots=True)
class Spans:
    """Offsets found in the text: claim id → (start, end); (claim id, figure id) → (start, end);
    the non-body parts and the exclusions, by their index in article.yaml → (start, end)."""

    claims: dict[str, tuple[int, int]] = field(default_factory=dict)
    figures: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    non_body: dict[int, tuple[int, int]] = field(default_factory=dict)
    exclusions: dict[int, tuple[int, int]] = field(default_factory=dict)


MAX_HINTS = 10
"""Quotes not found in one text that get a closest-passage hint (each costs a fuzzy search)."""
SHOWN_LINES = 5
"""Lines listed for a quote found more than once."""


class _Reporter:
    """Collects problems located in one YAML document."""

    def __init__(self, file: str, doc: YamlDocument) -> None:
        self.file, self.doc, self.problems = file, doc, list[Problem]()
        self.hints_left = MAX_HINTS

    def add(self, code: Rule, path: Path, message: str, hint: str = "") -> None:
        line, column = self.doc.position(path) or (None, None)
        self.problems.append(
            Problem(
                code=code,
                message=message,
                file=self.file,
                line=line,
                column=column,
                path=format_path(path),
                hint=hint,
            )
        )


def check_article(article: ParsedArticle) -> tuple[Spans, list[Problem]]:
    """Article-local rules; the offsets of every quote and figure that could be placed."""
    report = _Reporter(article.file, article.doc)
    if article.model is not None:
        _check_header(report, article.folder, article.model)
        _claims_dated_after_the_article(report, article.model)
    _duplicates(
        report,
        (("claims", i, "id") for i, _ in article.claims),
        [claim.id for _, claim in article.claims],
        "claim",
    )
    spans = Spans()
    previous: tuple[str, int] | None = None
    finder = None if article.text is None else Finder(article.text, _quotes(article))
    for index, claim in article.claims:
        path: Path = ("claims", index)
        _duplicates(
            report,
            ((*path, "figures", i, "id") for i in range(len(claim.figures))),
            [figure.id for figure in claim.figures],
            "figure",
        )
        if finder is not None and article.text is not None:
            span = _place_quote(report, finder, claim.quote, claim.occurrence, path)
            if span is not None:
                spans.claims[claim.id] = span
                _place_figures(report, claim, span, path, spans)
                _in_text_order(report, article.text, previous, (claim.id, span[0]), path)
                previous = (claim.id, span[0])
    if finder is not None:
        _place_parts(report, article, finder, spans)
    return spans, report.problems


def _quotes(article: ParsedArticle) -> list[str]:
    """Every quote to find in the article's text."""
    quotes = [claim.quote for _, claim in article.claims]
    quotes += [part.quote for _, part in article.non_body if part.quote is not None]
    return quotes + [exclusion.quote for _, exclusion in article.exclusions]


def _in_text_order(
    report: _Reporter, text: str, before: tuple[str, int] | None, claim: tuple[str, int], path: Path
) -> None:
    """A claim whose quote starts before that of the claim listed before it is out of order."""
    if before is None or before[1] <= claim[1]:
        return
    line, earlier = line_column(text, claim[1])[0], line_column(text, before[1])[0]
    report.add(
        Rule.CLAIM_ORDER,
        (*path, "id"),
        f"claim {claim[0]} (text.txt line {line}) is listed after {before[0]} (line {earlier}) "
        "but comes before it in the text",
        "List the claims in the order of their quotes in text.txt; ids may keep their numbers.",
    )


def _place_parts(report: _Reporter, article: ParsedArticle, finder: Finder, spans: Spans) -> None:
    """Find the non-body parts (lines or quotes) and the exclusions' quotes in the text."""
    text = finder.text
    line_starts: list[int] = []
    for index, part in article.non_body:
        path: Path = ("non_body", index)
        if part.quote is None and not text.strip():
            continue  # an empty text has no lines; text-empty says so
        if part.quote is None:  # the model requires lines or quote
            line_starts = line_starts or [0, *(m.end() for m in re.finditer("\n", text))]
            span = _line_span(report, line_starts, len(text), part.line_range(), path)
        else:
            span = _place_quote(report, finder, part.quote, part.occurrence, path)
        if span is not None:
            spans.non_body[index] = span
    _overlapping_parts(report, spans.non_body)
    for index, exclusion in article.exclusions:
        path = ("exclusions", index)
        span = _place_quote(report, finder, exclusion.quote, exclusion.occurrence, path)
        if span is not None:
            spans.exclusions[index] = span


def _overlapping_parts(report: _Reporter, parts: dict[int, tuple[int, int]]) -> None:
    ordered = sorted(parts.items(), key=lambda item: item[1])
    for (_, (_, end)), (index, (start, _)) in pairwise(ordered):
        if start < end:
            report.add(
                Rule.PART_OVERLAP,
                ("non_body", index),
                "this part overlaps another part marked non_body",
                "Mark each part of the page once: shorten one of the two.",
            )


def _line_span(
    report: _Reporter, line_starts: list[int], size: int, lines: tuple[int, int], path: Path
) -> tuple[int, int] | None:
    """The offsets of lines ``first``-``last`` (1-based, inclusive), line end included."""
    first, last = lines
    count = len(line_starts) - (line_starts[-1] == size)  # a final LF starts no line
    if first > last or last > count:
        report.add(
            Rule.FIELD_VALUE,
            (*path, "lines"),
            f"lines {first}-{last} are not lines of text.txt, which has {count}",
            "Give the first and the last line, first <= last, as `cat -n text.txt` numbers them.",
        )
        return None
    end = line_starts[last] if last < len(line_starts) else size
    return line_starts[first - 1], end


def _check_header(report: _Reporter, folder: str, model: ArticleFile) -> None:
    if not is_slug(folder):
        report.add(
            Rule.ID_FORMAT,
            ("id",),
            f"folder name {folder!r} is not a valid id: {slug_error(folder)}",
            "Rename the folder to a lower-case slug such as 'rfa-2018-workers-russia'.",
        )
    elif model.id != folder:
        report.add(
            Rule.ID_FOLDER_MISMATCH,
            ("id",),
            f"id '{model.id}' differs from its folder name '{folder}'",
            "Make the id and the folder name the same.",
        )
    if (
        model.retrieved
        and parse_partial_date(model.retrieved)[0] < parse_date_span(model.published).earliest
    ):
        report.add(
            Rule.DATE_INVALID,
            ("retrieved",),
            "retrieved before it was published",
            "Check both dates.",
        )
    if model.published_basis is DateBasis.INFERRED and not model.notes:
        report.add(
            Rule.FIELD_MISSING,
            ("published_basis",),
            "an inferred publication date needs `notes` saying how it was inferred",
            "Add 'notes:' with the evidence, e.g. the latest event the article reports.",
        )


def _claims_dated_after_the_article(report: _Reporter, model: ArticleFile) -> None:
    latest = parse_date_span(model.published).latest
    for index, claim in enumerate(model.claims):
        if claim.claim_date is None:
            continue
        day = parse_partial_date(claim.claim_date)[0]
        if claim_after_article(day, latest):
            report.add(
                Rule.DATE_AFTER_ARTICLE,
                ("claims", index, "claim_date"),
                f"claim_date {claim.claim_date} is after {latest}, the last day the article "
                f"can have been published ({model.published})",
                "A text reports only what was said by the day it was published: correct the "
                "claim's date or the article's `published`.",
            )


def _duplicates(report: _Reporter, paths: Iterable[Path], ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for path, item in zip(paths, ids, strict=True):
        if item.casefold() in seen:
            report.add(
                Rule.ID_DUPLICATE,
                path,
                f"{what} id '{item}' is used twice",
                f"Give each {what} its own id.",
            )
        seen.add(item.casefold())


def _place_quote(
    report: _Reporter, finder: Finder, quote: str, occurrence: int | None, path: Path
) -> tuple[int, int] | None:
    """The span of ``quote`` (its ``occurrence``-th match) in the text, or its problem."""
    text = finder.text
    starts = finder.find_all(quote)
    start = pick(starts, occurrence)
    where = (*path, "quote")
    if not starts:
        _not_found(report, text, quote, where)
    elif start is None and occurrence is None:
        lines = ", ".join(str(line_column(text, at)[0]) for at in starts[:SHOWN_LINES])
        more = ", ..." if len(starts) > SHOWN_LINES else ""
        report.add(
            Rule.QUOTE_AMBIGUOUS,
            where,
            f"the quote occurs {_times(starts)} in text.txt (lines {lines}{more})",
            "Lengthen the quote until it is unique, or add 'occurrence: N' (1 = first).",
        )
    elif start is None:
        report.add(
            Rule.QUOTE_OCCURRENCE,
            (*path, "occurrence"),
            f"occurrence {occurrence} but the quote occurs {_times(starts)}",
            f"Use a number from 1 to {len(starts)}.",
        )
    return None if start is None else (start, start + len(quote))


def _times(starts: list[int]) -> str:
    """``once``, ``3 times``, ``1000 or more times`` (:func:`find_all` stops counting there)."""
    if len(starts) >= MAX_MATCHES:
        return f"{len(starts)} or more times"
    return "once" if len(starts) == 1 else f"{len(starts)} times"


def _not_found(report: _Reporter, text: str, quote: str, where: Path) -> None:
    """Say why a quote is not in the text: characters no valid text has, or its closest passage."""
    if first_invisible(quote) is not None:
        return  # the YAML reader reported the character, located exactly
    normal = unicodedata.normalize("NFC", quote)
    if normal != quote:
        found = (
            f"; its NFC form occurs at text.txt line {line_column(text, at)[0]}"
            if (at := text.find(normal)) >= 0
            else ""
        )
        report.add(
            Rule.QUOTE_CHARACTERS,
            where,
            f"the quote is not in Unicode NFC, as text.txt is{found}",
            "Copy the quote from text.txt again, or normalise it to NFC "
            "(python: unicodedata.normalize('NFC', quote)).",
        )
        return
    passage, difference = ("", "")
    if report.hints_left > 0:
        report.hints_left -= 1
        passage, difference = closest_passage(text, quote)
    line = line_column(text, text.find(passage))[0] if passage else None
    report.add(
        Rule.QUOTE_NOT_FOUND,
        where,
        "the quote does not occur in text.txt",
        f"Closest passage (text.txt line {line}): {passage!r}; {difference}."
        if passage
        else "Copy the quote from text.txt exactly.",
    )


def _place_figures(
    report: _Reporter, claim: ClaimEntry, span: tuple[int, int], path: Path, spans: Spans
) -> None:
    for index, figure in enumerate(claim.figures):
        where: Path = (*path, "figures", index, "text")
        starts = find_all(claim.quote, figure.text)
        start = pick(starts, figure.occurrence)
        if not starts:
            if first_invisible(figure.text) is None:  # else the YAML reader reported it
                report.add(
                    Rule.FIGURE_NOT_IN_QUOTE,
                    where,
                    f"figure text {figure.text!r} does not occur inside the claim's quote",
                    "Copy the number exactly as the quote writes it, or widen the quote.",
                )
        elif start is None:
            report.add(
                Rule.FIGURE_AMBIGUOUS,
                where,
                f"figure text {figure.text!r} occurs {_times(starts)} in the quote"
                + (f", not {figure.occurrence}" if figure.occurrence else ""),
                f"Add 'occurrence: N' with N from 1 to {len(starts)}.",
            )
        else:
            begin = span[0] + start
            spans.figures[(claim.id, figure.id)] = (begin, begin + len(figure.text))


def check_registries(
    sources: tuple[str, YamlDocument, SourcesFile] | None,
    quantities: tuple[str, YamlDocument, QuantitiesFile] | None,
) -> list[Problem]:
    """Unique ids in both registries, and affiliations that resolve."""
    problems: list[Problem] = []
    if sources is not None:
        file, doc, model = sources
        report = _Reporter(file, doc)
        ids = [source.id for source in model.sources]
        _duplicates(report, (("sources", i, "id") for i in range(len(ids))), ids, "source")
        known = set(ids)
        _affiliation_cycles(report, model)
        for index, source in enumerate(model.sources):
            if source.affiliation_id is not None:
                _reference(
                    report,
                    ("sources", index, "affiliation_id"),
                    source.affiliation_id,
                    known,
                    "source",
                    "sources.yaml",
                )
        problems += report.problems
    if quantities is not None:
        file, doc, qmodel = quantities
        report = _Reporter(file, doc)
        ids = [quantity.id for quantity in qmodel.quantities]
        _duplicates(report, (("quantities", i, "id") for i in range(len(ids))), ids, "quantity")
        problems += report.problems
    return problems


def _affiliation_cycles(report: _Reporter, model: SourcesFile) -> None:
    index = {source.id: i for i, source in enumerate(model.sources)}
    for cycle in affiliation_cycles({s.id: s.affiliation_id for s in model.sources}):
        chain = " → ".join([*cycle, cycle[0]])
        report.add(
            Rule.AFFILIATION_CYCLE,
            ("sources", index[cycle[0]], "affiliation_id"),
            f"source '{cycle[0]}' is affiliated with itself"
            if len(cycle) == 1
            else f"affiliations go round in a circle: {chain}",
            "affiliation_id names the organisation a source speaks for; break the circle.",
        )


def check_references(
    article: ParsedArticle,
    sources: AbstractSet[str] | None,
    quantities: AbstractSet[str] | None,
) -> list[Problem]:
    """Every source and quantity an article names exists (skipped if a registry is unreadable)."""
    report = _Reporter(article.file, article.doc)
    if sources is not None:
        for path, ref in _source_references(article):
            _reference(report, path, ref, sources, "source", "sources.yaml")
    if quantities is not None:
        for path, ref in _quantity_references(article):
            _reference(report, path, ref, quantities, "quantity", "quantities.yaml")
    return report.problems


def referenced_ids(article: ParsedArticle) -> tuple[list[str], list[str]]:
    """The source ids and quantity ids an article names, each once, sorted.

    An article whose own checks pass is valid as long as these exist in the registries; the
    check cache stores them in place of the article.
    """
    sources = sorted({ref for _, ref in _source_references(article)})
    return sources, sorted({ref for _, ref in _quantity_references(article)})


def _source_references(article: ParsedArticle) -> list[tuple[Path, str]]:
    model = article.model
    refs: list[tuple[Path, str | None]] = []
    if model is not None:
        refs += [(("publisher_id",), model.publisher_id), (("via_id",), model.via_id)]
        refs += [(("authors", i), author) for i, author in enumerate(model.authors)]
    for i, claim in article.claims:
        refs += [
            (("claims", i, "source_id"), claim.source_id),
            (("claims", i, "via_id"), claim.via_id),
        ]
    return [(path, ref) for path, ref in refs if ref is not None]


def _quantity_references(article: ParsedArticle) -> list[tuple[Path, str]]:
    return [
        (("claims", i, "figures", j, "quantity_id"), figure.quantity_id)
        for i, claim in article.claims
        for j, figure in enumerate(claim.figures)
    ]


def _reference(
    report: _Reporter, path: Path, ref: str, known: AbstractSet[str], what: str, registry: str
) -> None:
    if ref in known or not is_slug(ref):
        return  # an id that is no slug (or empty) has its own problem from the field check
    close = difflib.get_close_matches(ref, sorted(known), n=1, cutoff=0.6)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    report.add(
        Rule.REF_UNKNOWN,
        path,
        f"unknown {what} '{ref}'",
        f"{hint}Add it to {registry} or correct the id.",
    )
