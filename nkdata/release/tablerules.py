"""The rules a release's tables obey, checked on the Arrow tables themselves.

``nkdata build`` checks them on the tables it is about to write and ``nkdata verify`` on the
tables of a release folder, so a release that verify refuses is never written. Nothing here is
a second copy of a corpus rule:

- column rules (required, vocabulary, pattern, length, minimum, finite, reserved ids, dates
  not in the future) are generated from the models (:mod:`nkdata.schema.columns`);
- the models' own row rules are read from their definitions: a figure's qualifier shapes
  (:data:`nkdata.models.QUALIFIER_SHAPES`), a source's description rule (its validator);
- texts and values obey :func:`nkdata.corpus.text.check_text` and
  :func:`nkdata.schema.characters.first_invisible`, as corpus files do;
- rules between rows (:mod:`nkdata.schema.relations`) and the spans the build derived (a quote
  is ``text[quote_start:quote_end]``, a figure lies inside its claim's quote, page parts do not
  overlap) are checked on the joined tables.

Each problem names the table's Parquet file, the column, and the first few ids.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from itertools import pairwise
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from nkdata.corpus.problems import Problem, Rule
from nkdata.corpus.text import check_text
from nkdata.models import QUALIFIER_RULES, QUALIFIER_SHAPES, Need, Row, Source
from nkdata.schema.arrow import arrow_pattern, boolean, integer, strings
from nkdata.schema.characters import first_invisible, is_invisible
from nkdata.schema.columns import Column, columns, table_models
from nkdata.schema.fields import parse_date_span, parse_partial_date
from nkdata.schema.relations import affiliation_cycles, claim_after_article

SHOWN = 5
"""Ids listed in a problem; the rest are counted."""


def _beyond_visible(last: int = 0x3000) -> str:
    """An RE2 class of every character that is not a visible one below ``last``, derived from
    :func:`is_invisible` itself: a value that matches holds a character that may be invisible,
    and only such values are looked at one by one."""
    ranges, start = [], None
    for code in range(last + 1):
        visible = code < last and not is_invisible(chr(code)) and code not in (0x0A, 0x09)
        if visible and start is None:
            start = code
        elif not visible and start is not None:
            ranges.append(f"\\x{{{start:x}}}-\\x{{{code - 1:x}}}")
            start = None
    return f"[^{''.join(ranges)}\\n\\t]"


_MAYBE_INVISIBLE = _beyond_visible()


def table_problems(tables: dict[str, pa.Table]) -> list[Problem]:
    """Every rule broken by the tables given (a missing table skips the rules that need it)."""
    problems: list[Problem] = []
    for name, model in table_models().items():
        if name in tables:
            problems += column_problems(tables[name], model)
    return problems + row_problems(tables)


def row_problems(tables: dict[str, pa.Table]) -> list[Problem]:
    """The rules of rows and between rows and tables (:func:`table_problems` less the column
    rules, which a caller may check table by table, in parallel)."""
    return [problem for rule in _ROW_RULES for problem in rule(tables)]


def _shown(ids: list[Any]) -> str:
    more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
    return ", ".join(map(str, ids[:SHOWN])) + more


def _problem(code: Rule, table: str, column: str, ids: list[Any], message: str) -> Problem:
    return Problem(
        code=code,
        message=f"{len(ids)} row(s) {message}: {_shown(ids)}",
        file=f"{table}.parquet",
        path=column,
    )


def _ids_where(table: pa.Table, mask: pa.ChunkedArray | pa.Array, key: str = "id") -> list[Any]:
    return table.filter(pc.fill_null(mask, boolean(False))).column(key).to_pylist()  # type: ignore[no-any-return]


# ---- column rules, generated from the models ------------------------------------------------


def column_problems(table: pa.Table, model: type[Row]) -> list[Problem]:
    """Required values, the column's constraints, and a unique primary key."""
    problems = []
    for column in columns(model):
        values = table.column(column.name)
        if not column.nullable and values.null_count:
            ids = _ids_where(table, values.is_null(), model.primary_key)
            problems.append(
                _problem(Rule.RELEASE_REQUIRED, model.table, column.name, ids, "have no value")
            )
        flat = pc.list_flatten(values) if column.kind == "list" else values
        owners = _list_owners(table, values, model) if column.kind == "list" else None
        for code, broken, what in _column_checks(flat, column):
            mask = pc.and_kleene(broken, pc.is_valid(flat))
            if pc.any(mask).as_py():
                ids = _ids_where(owners if owners is not None else table, mask)
                problems.append(_problem(code, model.table, column.name, ids, what))
    problems += _repeated_keys(table, model)
    return problems


def _list_owners(table: pa.Table, values: pa.ChunkedArray, model: type[Row]) -> pa.Table:
    """One row per list item, holding the id of the row the item belongs to."""
    parents = pc.list_parent_indices(values)
    return pa.table({"id": table.column(model.primary_key).take(parents)})


Check = tuple[Rule, pa.ChunkedArray | pa.Array, str]


def _column_checks(values: pa.ChunkedArray | pa.Array, column: Column) -> Iterable[Check]:
    """(rule, true where a value breaks it, what it breaks) for each constraint of a column."""
    text = column.kind in {"string", "list"}
    if column.enum:
        yield (
            Rule.RELEASE_CONSTRAINT,
            pc.invert(pc.is_in(values, strings(column.enum))),
            (f"hold a value outside {column.vocabulary or 'the vocabulary'}"),
        )
    if column.pattern and text:
        matched = pc.match_substring_regex(values, arrow_pattern(column.pattern))
        yield Rule.RELEASE_CONSTRAINT, pc.invert(matched), f"do not match {column.pattern}"
    if column.min_length is not None and text:
        short = pc.less(pc.utf8_length(values), integer(column.min_length))
        yield Rule.RELEASE_CONSTRAINT, short, f"are shorter than {column.min_length}"
    if column.max_length is not None and text:
        long = pc.greater(pc.utf8_length(values), integer(column.max_length))
        yield Rule.RELEASE_CONSTRAINT, long, f"are longer than {column.max_length}"
    if column.forbidden:
        yield (
            Rule.ID_FORMAT,
            pc.is_in(values, strings(column.forbidden)),
            "are Windows device names",
        )
    if column.kind == "number":
        yield Rule.RELEASE_CONSTRAINT, pc.invert(pc.is_finite(values)), "are not finite"
    if column.minimum is not None and column.kind == "number":  # the sign bit: -0.0 too
        bits = pc.cast(values, pa.float64()).combine_chunks().view(pa.int64())
        yield Rule.RELEASE_CONSTRAINT, pc.less(bits, integer(0)), "are negative (or -0.0)"
    elif column.minimum is not None:
        yield (
            Rule.RELEASE_CONSTRAINT,
            pc.less(values, integer(column.minimum)),
            (f"are less than {column.minimum}"),
        )
    if column.not_future:
        days = (date.today() - date(1970, 1, 1)).days  # a date32 is days since 1970-01-01
        today = pa.Array.from_buffers(pa.date32(), 1, [None, pa.py_buffer(array("i", [days]))])[0]
        yield Rule.DATE_FUTURE, pc.greater(values, today), "are dated in the future"
    if text and column.name != "text":  # article texts get every text rule, below
        yield Rule.TEXT_CONTROL_CHAR, _invisible(values), "hold an invisible character"


def _invisible(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """True where a value holds an invisible character: a vectorised pass finds the values
    with a character that may be one, :func:`first_invisible` decides for those."""
    maybe = pc.fill_null(pc.match_substring_regex(values, _MAYBE_INVISIBLE), boolean(False))
    positions = pc.indices_nonzero(maybe)
    if not len(positions):
        return maybe
    found = pc.filter(values, maybe).to_pylist()
    bad = [
        at
        for at, value in zip(positions.to_pylist(), found, strict=True)
        if first_invisible(value) is not None
    ]
    every = pa.Array.from_buffers(
        pa.uint64(), len(values), [None, pa.py_buffer(array("Q", range(len(values))))]
    )
    chosen = pa.Array.from_buffers(pa.uint64(), len(bad), [None, pa.py_buffer(array("Q", bad))])
    return pc.is_in(every, value_set=chosen)


def _repeated_keys(table: pa.Table, model: type[Row]) -> list[Problem]:
    counts = pc.value_counts(table.column(model.primary_key))
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), integer(1)))
    if not len(repeated):
        return []
    return [
        _problem(
            Rule.RELEASE_PRIMARY_KEY,
            model.table,
            model.primary_key,
            repeated.to_pylist(),
            "are ids used more than once",
        )
    ]


# ---- row and cross-table rules ---------------------------------------------------------------


Tables = dict[str, pa.Table]


def _columns(table: pa.Table, *names: str) -> list[list[Any]]:
    return [table.column(name).to_pylist() for name in names]


def _figure_shapes(tables: Tables) -> list[Problem]:
    """Every figure's value, low and high in order and shaped as its qualifier needs."""
    figures = tables.get("figures")
    if figures is None:
        return []
    given = {name: figures.column(name) for name in ("value", "low", "high")}
    problems = []
    order = pc.or_kleene(
        pc.or_kleene(
            pc.greater(given["low"], given["value"]), pc.greater(given["value"], given["high"])
        ),
        pc.greater(given["low"], given["high"]),
    )
    if ids := _ids_where(figures, order):
        problems.append(
            _problem(
                Rule.FIGURE_BOUNDS, "figures", "value", ids, "have low, value, high out of order"
            )
        )
    for qualifier, needs in QUALIFIER_SHAPES.items():
        chosen = pc.equal(figures.column("qualifier"), strings([qualifier.value])[0])
        for name, need in needs.items():
            wrong = pc.and_kleene(chosen, pc.invert(_need_holds(need, name, given)))
            if ids := _ids_where(figures, wrong):
                problems.append(
                    _problem(
                        Rule.FIGURE_QUALIFIER,
                        "figures",
                        name,
                        ids,
                        f"of qualifier '{qualifier.value}' break its rule: "
                        f"{QUALIFIER_RULES[qualifier]}",
                    )
                )
    return problems


def _need_holds(need: Need, name: str, given: dict[str, pa.ChunkedArray]) -> pa.ChunkedArray:
    """:meth:`Need.holds` for a whole column."""
    number = given[name]
    if need.kind == "set":
        return pc.is_valid(number)
    if need.kind == "unset":
        return pc.is_null(number)
    if need.kind == "equals":
        return pc.fill_null(pc.equal(number, given[need.other]), boolean(False))
    if need.kind == "some":
        return pc.or_(
            pc.or_(pc.is_valid(given["value"]), pc.is_valid(given["low"])),
            pc.is_valid(given["high"]),
        )
    return pc.or_(pc.is_valid(number), pc.is_null(number))


def _sources(tables: Tables) -> list[Problem]:
    """The description rule of each source (the model's own validator), and no affiliation
    cycles."""
    sources = tables.get("sources")
    if sources is None:
        return []
    problems, undescribed = [], []
    for row in sources.to_pylist():
        try:
            Source.model_validate(row)
        except ValidationError as exc:
            if any(error["type"] == Rule.SOURCE_DESCRIPTION for error in exc.errors()):
                undescribed.append(row["id"])
    if undescribed:
        problems.append(
            _problem(
                Rule.SOURCE_DESCRIPTION,
                "sources",
                "named",
                undescribed,
                "are unnamed kinds marked named, or unnamed without a description",
            )
        )
    ids, affiliations = _columns(sources, "id", "affiliation_id")
    cycles = affiliation_cycles(dict(zip(ids, affiliations, strict=True)))
    if cycles:
        problems.append(
            _problem(
                Rule.AFFILIATION_CYCLE,
                "sources",
                "affiliation_id",
                [" → ".join([*cycle, cycle[0]]) for cycle in cycles],
                "of affiliations go round in a circle",
            )
        )
    return problems


def _articles(tables: Tables) -> list[Problem]:
    """Text rules, the text's hash, and the publication dates against each other."""
    articles = tables.get("articles")
    if articles is None:
        return []
    problems: list[Problem] = []
    found: dict[tuple[Rule, str, str], list[str]] = defaultdict(list)
    rows = zip(
        *_columns(
            articles,
            "id",
            "text",
            "text_sha256",
            "published",
            "published_latest",
            "published_precision",
            "published_edtf",
            "retrieved",
        ),
        strict=True,
    )
    for article, text, sha, earliest, latest, precision, edtf, retrieved in rows:
        if text is None:
            continue
        for problem in check_text(text, "text"):
            at = f" at line {problem.line}, column {problem.column}" if problem.line else ""
            problems.append(
                Problem(
                    code=problem.code,
                    message=f"article {article}: {problem.message}{at} of its text",
                    file="articles.parquet",
                    path="text",
                )
            )
        if hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() != sha:
            found[
                (Rule.RELEASE_DERIVED, "text_sha256", "do not hold the SHA-256 of their text")
            ].append(article)
        if not _edtf_matches(edtf, earliest, latest, precision):
            found[
                (
                    Rule.RELEASE_DERIVED,
                    "published_edtf",
                    "disagree with published, published_latest or published_precision",
                )
            ].append(article)
        if retrieved is not None and earliest is not None and retrieved < earliest:
            found[
                (Rule.DATE_INVALID, "retrieved", "were retrieved before they were published")
            ].append(article)
    return problems + _grouped("articles", found)


def _edtf_matches(
    edtf: str | None, earliest: date | None, latest: date | None, precision: str | None
) -> bool:
    try:
        span = parse_date_span(edtf or "")
    except (ValueError, IndexError):
        return False
    return (span.earliest, span.latest, span.precision.value) == (earliest, latest, precision)


def _partial_matches(edtf: str | None, day: date | None, precision: str | None) -> bool:
    """A claim_date or as_of and its precision are what their EDTF text says (or all null)."""
    if edtf is None:
        return day is None and precision is None
    try:
        parsed, parsed_precision = parse_partial_date(edtf)
    except (ValueError, TypeError):
        return False
    return (parsed, parsed_precision.value) == (day, precision)


def _grouped(table: str, found: dict[tuple[Rule, str, str], list[Any]]) -> list[Problem]:
    return [
        _problem(code, table, column, ids, message)
        for (code, column, message), ids in found.items()
        if ids
    ]


def _texts(tables: Tables) -> dict[str, str]:
    articles = tables["articles"]
    ids, texts = _columns(articles, "id", "text")
    return {article: text for article, text in zip(ids, texts, strict=True) if text is not None}


def _claims(tables: Tables) -> list[Problem]:
    """A claim's id, its quote at its offsets in its article's text, its date's parts, and a
    date no later than its article's last possible publication day."""
    claims, articles = tables.get("claims"), tables.get("articles")
    if claims is None or articles is None:
        return []
    texts = _texts(tables)
    latest = dict(zip(*_columns(articles, "id", "published_latest"), strict=True))
    found: dict[tuple[Rule, str, str], list[str]] = defaultdict(list)
    found[(Rule.RELEASE_DERIVED, "id", "have an id that is not <article_id>:<claim id>")] = (
        _not_local_ids(claims, "article_id")
    )
    found[
        (Rule.RELEASE_DERIVED, "claim_date_edtf", "disagree with claim_date or its precision")
    ] = _dates_unlike_their_edtf(claims, "claim_date", "claim_date_precision", "claim_date_edtf")
    misplaced = found[
        (Rule.QUOTE_NOT_FOUND, "quote", "have a quote that is not text[quote_start:quote_end]")
    ]
    late = found[
        (Rule.DATE_AFTER_ARTICLE, "claim_date", "are dated after their article's last day")
    ]
    rows = _columns(claims, "id", "article_id", "quote", "quote_start", "quote_end", "claim_date")
    for claim, article, quote, start, end, day in zip(*rows, strict=True):
        text = texts.get(article)
        if text is not None and not _spans(text, start, end, quote):
            misplaced.append(claim)
        if day is not None and claim_after_article(day, latest.get(article)):
            late.append(claim)
    return _grouped("claims", found)


def _not_local_ids(table: pa.Table, parent: str) -> list[Any]:
    """Ids of rows whose ``id`` is not ``<parent column>:<a slug>`` (vectorised)."""
    parts = pc.split_pattern(table.column("id"), ":", max_splits=1, reverse=True)
    prefix, local = pc.list_element(parts, integer(0)), pc.list_element(parts, integer(1))
    slug = columns(table_models()["sources"])[0]  # the id column: a slug
    good = pc.and_(
        pc.equal(prefix, table.column(parent)),
        pc.and_(
            pc.match_substring_regex(local, arrow_pattern(slug.pattern or "")),
            pc.invert(pc.is_in(local, strings(slug.forbidden))),
        ),
    )
    return _ids_where(table, pc.invert(pc.fill_null(good, boolean(True))))


def _dates_unlike_their_edtf(table: pa.Table, day: str, precision: str, edtf: str) -> list[Any]:
    """Ids of rows whose date and precision are not what their EDTF text says (each distinct
    combination parsed once, by the corpus's own parser)."""
    parts = [table.column(edtf), pc.cast(table.column(day), pa.string()), table.column(precision)]
    key = pc.binary_join_element_wise(
        *parts, strings(["|"])[0], null_handling="replace", null_replacement=""
    )
    wrong = [k for k in pc.unique(key).to_pylist() if not _key_matches(*k.split("|"))]
    return _ids_where(table, pc.is_in(key, strings(wrong))) if wrong else []


def _key_matches(edtf: str, day: str, precision: str) -> bool:
    """:func:`_partial_matches` for one ``edtf|day|precision`` key ("" for null)."""
    return _partial_matches(
        edtf or None, date.fromisoformat(day) if day else None, precision or None
    )


def _spans(text: str, start: int | None, end: int | None, part: str | None) -> bool:
    """``text[start:end] == part`` with 0 <= start <= end <= len(text)."""
    if start is None or end is None or part is None:
        return True  # reported as an empty value
    return 0 <= start <= end <= len(text) and text[start:end] == part


def _figures(tables: Tables) -> list[Problem]:
    """A figure's id, its text at its offsets inside its claim's quote, its unit (the
    quantity's), and its date's parts."""
    figures, claims = tables.get("figures"), tables.get("claims")
    if figures is None or claims is None or "articles" not in tables:
        return []
    texts = _texts(tables)
    rows = _columns(claims, "id", "article_id", "quote_start", "quote_end")
    spans = {claim: (texts.get(article), a, b) for claim, article, a, b in zip(*rows, strict=True)}
    found: dict[tuple[Rule, str, str], list[str]] = defaultdict(list)
    found[(Rule.RELEASE_DERIVED, "id", "have an id that is not <claim_id>:<figure id>")] = (
        _not_local_ids(figures, "claim_id")
    )
    found[(Rule.RELEASE_DERIVED, "as_of_edtf", "disagree with as_of or as_of_precision")] = (
        _dates_unlike_their_edtf(figures, "as_of", "as_of_precision", "as_of_edtf")
    )
    if "quantities" in tables:
        quantities = tables["quantities"]
        at = pc.index_in(figures.column("quantity_id"), value_set=quantities.column("id"))
        wrong = pc.not_equal(figures.column("unit"), quantities.column("unit").take(at))
        found[(Rule.RELEASE_DERIVED, "unit", "have another unit than their quantity")] = _ids_where(
            figures, wrong
        )
    outside = found[
        (Rule.FIGURE_NOT_IN_QUOTE, "text", "are not at text_start:text_end inside their quote")
    ]
    rows = _columns(figures, "id", "claim_id", "text", "text_start", "text_end")
    for figure, claim, surface, start, end in zip(*rows, strict=True):
        text, quote_start, quote_end = spans.get(claim, (None, None, None))
        if text is not None and not (
            _spans(text, start, end, surface)
            and (start is None or quote_start is None or quote_start <= start)
            and (end is None or quote_end is None or end <= quote_end)
        ):
            outside.append(figure)
    return _grouped("figures", found)


def _page_parts(tables: Tables) -> list[Problem]:
    """A part's id (its article and offsets), inside its article's text, not overlapping."""
    parts = tables.get("page_parts")
    if parts is None or "articles" not in tables:
        return []
    texts = _texts(tables)
    found: dict[tuple[Rule, str, str], list[str]] = defaultdict(list)
    placed: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for part, article, start, end in zip(
        *_columns(parts, "id", "article_id", "part_start", "part_end"), strict=True
    ):
        if part != f"{article}:{start}-{end}":
            found[
                (
                    Rule.RELEASE_DERIVED,
                    "id",
                    "have an id that is not <article_id>:<part_start>-<part_end>",
                )
            ].append(part)
        text = texts.get(article)
        if text is not None and start is not None and end is not None:
            if 0 <= start < end <= len(text):
                placed[article].append((start, end, part))
            else:
                found[
                    (
                        Rule.RELEASE_DERIVED,
                        "part_end",
                        "are not a non-empty span of their article's text",
                    )
                ].append(part)
    for spans in placed.values():
        spans.sort()
        found[(Rule.PART_OVERLAP, "part_start", "overlap the part before them")] += [
            part for (_, end, _), (start, _, part) in pairwise(spans) if start < end
        ]
    return _grouped("page_parts", found)


def _foreign_keys(tables: Tables) -> list[Problem]:
    """Every reference names a row of the table it references."""
    problems = []
    for name, table in tables.items():
        for column in columns(table_models()[name]):
            if column.references is None or column.references not in tables:
                continue
            values = table.column(column.name)
            flat = pc.list_flatten(values) if column.kind == "list" else values
            known = tables[column.references].column("id")
            missing = pc.and_kleene(pc.invert(pc.is_in(flat, value_set=known)), pc.is_valid(flat))
            owners = (
                _list_owners(table, values, table_models()[name])
                if column.kind == "list"
                else table
            )
            if ids := _ids_where(owners, missing):
                unknown = sorted(
                    set(pc.filter(flat, pc.fill_null(missing, boolean(False))).to_pylist())
                )
                problems.append(
                    _problem(
                        Rule.RELEASE_FOREIGN_KEY,
                        name,
                        column.name,
                        ids,
                        f"name {column.references} not in {column.references}.id "
                        f"({_shown(unknown)})",
                    )
                )
    return problems


_ROW_RULES: tuple[Callable[[Tables], list[Problem]], ...] = (
    _figure_shapes,
    _sources,
    _articles,
    _claims,
    _figures,
    _page_parts,
    _foreign_keys,
)
