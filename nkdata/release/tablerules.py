"""The rules a release's tables obey, checked on the Arrow tables themselves.

``nkdata build`` checks them on the tables it is about to write and ``nkdata verify`` on the
tables of a release folder, so a release that verify refuses is never written. Nothing here is
a second copy of a corpus rule:

- column rules (required, vocabulary, pattern, length, minimum, finite, reserved ids, dates
  not in the future) are generated from the models (:mod:`nkdata.schema.columns`);
- the models' own row rules are read from their definitions: a figure's qualifier shapes
  (:data:`nkdata.models.QUALIFIER_SHAPES`), a source's description rule (its validator);
- texts and values obey :func:`nkdata.corpus.text.check_text` and
  :func:`nkdata.schema.characters.is_invisible`, as corpus files do;
- rules between rows (:mod:`nkdata.schema.relations`) and the spans the build derived (a quote
  is ``text[quote_start:quote_end]``, a figure lies inside its claim's quote, page parts do not
  overlap) are checked on the joined tables.

Each problem names the table's Parquet file, the column, and the first few ids.

A release has hundreds of thousands of rows, so rules run on whole columns, and Python is asked
only about what the columns cannot answer: each distinct value of a column of short values,
each distinct character of a text column (:mod:`nkdata.release.textbytes`), each distinct EDTF
date, and the texts that may break a text rule. Tests hold both forms to the same answers.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from nkdata.corpus.problems import Problem, Rule
from nkdata.corpus.text import check_text
from nkdata.models import QUALIFIER_RULES, QUALIFIER_SHAPES, Need, Row, Source
from nkdata.release.spans import TextSpans
from nkdata.release.textbytes import Utf8, Values, booleans, mask, one_chunk
from nkdata.schema.arrow import arrow_pattern, boolean, integer, strings
from nkdata.schema.characters import is_invisible
from nkdata.schema.columns import Column, columns, table_models
from nkdata.schema.fields import parse_date_span, parse_partial_date
from nkdata.schema.relations import affiliation_cycles

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

SHOWN = 5
"""Ids listed in a problem; the rest are counted."""


SAMPLE = 4096
"""Rows of a column of short texts (at most 64 bytes on average) looked at to judge whether it
repeats its values (references, vocabularies, dates): if at most half of them are distinct,
each distinct value is checked once."""


def _not_space() -> str:
    """An RE2 class of the ASCII characters that are not white space to :meth:`str.isspace`:
    a text holding one is not blank."""
    return (
        "[" + "".join(f"\\x{{{code:x}}}" for code in range(0x80) if not chr(code).isspace()) + "]"
    )


_NOT_SPACE = _not_space()


def table_problems(tables: dict[str, pa.Table]) -> list[Problem]:
    """Every rule broken by the tables given (a missing table skips the rules that need it):
    the column rules of each table, its own row rules, then the rules between tables."""
    models = [(tables[name], model) for name, model in table_models().items() if name in tables]
    problems = [p for table, model in models for p in column_problems(table, model)]
    problems += [
        p for name, rule in _ROW_RULES.items() if name in tables for p in rule(tables[name])
    ]
    return problems + cross_problems(tables)


def own_problems(table: pa.Table, model: type[Row]) -> list[Problem]:
    """The rules of one table on its own, its columns' and its rows': a caller may check each
    table as soon as it is read, side by side."""
    return column_problems(table, model) + row_problems(table, model)


def row_problems(table: pa.Table, model: type[Row]) -> list[Problem]:
    """The rules of one table's rows (:func:`own_problems` less the column rules)."""
    rule = _ROW_RULES.get(model.table)
    return rule(table) if rule is not None else []


Task = Callable[[], list[Problem]]
Mapper = Callable[[Callable[[Task], list[Problem]], Iterable[Task]], Iterable[list[Problem]]]


def cross_problems(tables: dict[str, pa.Table], each: Mapper = map) -> list[Problem]:
    """The rules between tables (:func:`table_problems` less :func:`own_problems`), in order.
    ``each`` maps a function over them, as :func:`map` does: ``pool.map`` checks them side by
    side."""
    texts = TextSpans(tables["articles"].column("text")) if "articles" in tables else None
    rules = [
        partial(_claims, tables, texts),
        partial(_figures, tables, texts),
        partial(_page_parts, tables),
        partial(_foreign_keys, tables),
    ]
    return [problem for found in each(_call, rules) for problem in found]


def _call(rule: Task) -> list[Problem]:
    return rule()


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
        owners = _list_owners(table, values, model) if column.kind == "list" else table
        checked, spread = _distinct(flat, column, model)
        for code, broken, what in _column_checks(checked, column):
            mask = pc.and_kleene(broken, pc.is_valid(checked))
            if pc.any(mask).as_py():
                ids = _ids_where(owners, spread(mask))
                problems.append(_problem(code, model.table, column.name, ids, what))
    problems += _repeated_keys(table, model)
    return problems


def _distinct(
    values: Values, column: Column, model: type[Row]
) -> tuple[Values, Callable[[Values], Values]]:
    """The values to check, and how a mask of them maps back to the rows: each distinct value
    once in a text column that repeats its values (see :data:`SAMPLE`)."""
    if column.kind not in {"string", "list"} or column.name == model.primary_key:
        return values, lambda mask: mask
    whole = one_chunk(values)
    sample = whole[:SAMPLE]
    if whole.nbytes > 64 * len(whole) or 2 * len(pc.unique(sample)) > len(sample):
        return values, lambda mask: mask
    encoded = pc.dictionary_encode(whole)
    return encoded.dictionary, lambda mask: pc.take(mask, encoded.indices)


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


def _invisible(values: Values) -> pa.BooleanArray:
    """True where a value holds a character :func:`is_invisible` refuses."""
    return booleans(Utf8.of(values).holding(is_invisible))


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


def _figure_shapes(figures: pa.Table) -> list[Problem]:
    """Every figure's value, low and high in order and shaped as its qualifier needs."""
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


def _sources(sources: pa.Table) -> list[Problem]:
    """The description rule of each source (the model's own validator), and no affiliation
    cycles."""
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


def _articles(articles: pa.Table) -> list[Problem]:
    """Text rules, the text's hash, and the publication dates against each other (of the
    articles that have a text: one without is reported as such)."""
    texts = articles.column("text")
    utf8 = Utf8.of(texts)
    problems: list[Problem] = []
    suspects = articles.filter(booleans(_may_break_text_rules(texts, utf8)))
    for article, text in zip(*_columns(suspects, "id", "text"), strict=True):
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
    has_text = booleans(utf8.valid)
    published = ("published_edtf", "published", "published_latest", "published_precision")
    broken: dict[tuple[Rule, str, str], Values] = {
        (Rule.RELEASE_DERIVED, "text_sha256", "do not hold the SHA-256 of their text"): (
            _hashes_differ(utf8, articles.column("text_sha256"))
        ),
        (
            Rule.RELEASE_DERIVED,
            "published_edtf",
            "disagree with published, published_latest or published_precision",
        ): pc.and_(has_text, _unlike_their_edtf(articles, published, _edtf_matches)),
        (Rule.DATE_INVALID, "retrieved", "were retrieved before they were published"): (
            pc.and_(has_text, pc.less(articles.column("retrieved"), articles.column("published")))
        ),
    }
    first = {
        rule: pc.index(pc.fill_null(rows, boolean(False)), boolean(True)).as_py()
        for rule, rows in broken.items()
    }
    found = {
        rule: _ids_where(articles, broken[rule]) for rule in sorted(broken, key=first.__getitem__)
    }
    return problems + _grouped("articles", found)


def _may_break_text_rules(texts: pa.ChunkedArray, utf8: Utf8) -> NDArray[np.bool_]:
    """True where :func:`check_text` may find a problem in a text (never for a null one): one
    holding an invisible character (a CR and a BOM are), no ASCII character but white space,
    or maybe not NFC. Only those texts become Python strings."""
    blank = ~mask(pc.match_substring_regex(texts, _NOT_SPACE)) & utf8.valid
    return blank | utf8.holding(is_invisible) | utf8.maybe_not_nfc()


def _hashes_differ(texts: Utf8, hashes: pa.ChunkedArray) -> pa.ChunkedArray:
    """True where a text is not null and its SHA-256 is not the hash given (a null hash
    included)."""
    digests = strings([digest or "" for digest in texts.sha256()])
    return pc.and_(
        booleans(texts.valid), pc.fill_null(pc.not_equal(digests, hashes), boolean(True))
    )


def _edtf_matches(edtf: str, earliest: str, latest: str, precision: str) -> bool:
    """A publication date's EDTF text gives its earliest and latest days and precision (one
    key of :func:`_unlike_their_edtf`: "" for null)."""
    try:
        span = parse_date_span(edtf)
    except (ValueError, IndexError):
        return False
    parsed = (str(span.earliest), str(span.latest or ""), span.precision.value)
    return parsed == (earliest, latest, precision)


def _partial_matches(edtf: str, day: str, precision: str) -> bool:
    """A claim_date or as_of and its precision are what their EDTF text says (or all null;
    one key of :func:`_unlike_their_edtf`: "" for null)."""
    if not edtf:
        return not day and not precision
    try:
        parsed, parsed_precision = parse_partial_date(edtf)
    except (ValueError, TypeError):
        return False
    return (str(parsed), parsed_precision.value) == (day, precision)


def _unlike_their_edtf(
    table: pa.Table, names: tuple[str, ...], matches: Callable[..., bool]
) -> Values:
    """True for the rows whose dates and precision are not what their EDTF text says: each distinct
    combination of the columns ``names`` (as text, "" for null) parsed once, by the corpus's
    own parser. No valid value holds "|", so a key that splits otherwise fails."""
    parts = [pc.cast(table.column(name), pa.string()) for name in names]
    key = pc.binary_join_element_wise(
        *parts, strings(["|"])[0], null_handling="replace", null_replacement=""
    )
    wrong = [
        k
        for k in pc.unique(key).to_pylist()
        if len(split := k.split("|")) != len(names) or not matches(*split)
    ]
    return pc.is_in(key, strings(wrong))


def _grouped(table: str, found: dict[tuple[Rule, str, str], list[Any]]) -> list[Problem]:
    return [
        _problem(code, table, column, ids, message)
        for (code, column, message), ids in found.items()
        if ids
    ]


def _last_row(keys: Values, ids: Values) -> pa.Array:
    """The row of the last of ``ids`` equal to each key (null for none), as a dictionary of
    the rows would find it."""
    count = len(ids)
    backwards = array("q", range(count - 1, -1, -1))
    reversed_ids = ids.take(
        pa.Array.from_buffers(pa.int64(), count, [None, pa.py_buffer(backwards)])
    )
    return pc.subtract(integer(count - 1), pc.index_in(keys, value_set=reversed_ids))


def _claims(tables: Tables, texts: TextSpans | None) -> list[Problem]:
    """A claim's id, its quote at its offsets in its article's text, its date's parts, and a
    date no later than its article's last possible publication day."""
    claims, articles = tables.get("claims"), tables.get("articles")
    if claims is None or articles is None or texts is None:
        return []
    article = _last_row(claims.column("article_id"), articles.column("id"))
    misplaced = texts.differ(
        article, claims.column("quote_start"), claims.column("quote_end"), claims.column("quote")
    )
    # relations.claim_after_article for a whole column (a test checks that they agree): a
    # claim is late if its first day is after its article's latest; a null bounds nothing
    latest = articles.column("published_latest").take(article)
    found: dict[tuple[Rule, str, str], list[str]] = {
        (Rule.RELEASE_DERIVED, "id", "have an id that is not <article_id>:<claim id>"): (
            _not_local_ids(claims, "article_id")
        ),
        (
            Rule.RELEASE_DERIVED,
            "claim_date_edtf",
            "disagree with claim_date or its precision",
        ): _ids_where(
            claims,
            _unlike_their_edtf(
                claims, ("claim_date_edtf", "claim_date", "claim_date_precision"), _partial_matches
            ),
        ),
        (
            Rule.QUOTE_NOT_FOUND,
            "quote",
            "have a quote that is not text[quote_start:quote_end]",
        ): _ids_where(claims, misplaced),
        (
            Rule.DATE_AFTER_ARTICLE,
            "claim_date",
            "are dated after their article's last day",
        ): _ids_where(claims, pc.greater(claims.column("claim_date"), latest)),
    }
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


def _figures(tables: Tables, texts: TextSpans | None) -> list[Problem]:
    """A figure's id, its text at its offsets inside its claim's quote, its unit (the
    quantity's), and its date's parts."""
    figures, claims, articles = tables.get("figures"), tables.get("claims"), tables.get("articles")
    if figures is None or claims is None or articles is None or texts is None:
        return []
    claim = _last_row(figures.column("claim_id"), claims.column("id"))
    article = _last_row(claims.column("article_id"), articles.column("id")).take(claim)
    start, end = figures.column("text_start"), figures.column("text_end")
    has_text = pc.fill_null(pc.is_valid(articles.column("text")).take(article), boolean(False))
    before = pc.less(start, claims.column("quote_start").take(claim))
    after = pc.greater(end, claims.column("quote_end").take(claim))
    outside = pc.or_(
        texts.differ(article, start, end, figures.column("text")),
        pc.and_(has_text, pc.fill_null(pc.or_kleene(before, after), boolean(False))),
    )
    found: dict[tuple[Rule, str, str], list[str]] = {
        (Rule.RELEASE_DERIVED, "id", "have an id that is not <claim_id>:<figure id>"): (
            _not_local_ids(figures, "claim_id")
        ),
        (Rule.RELEASE_DERIVED, "as_of_edtf", "disagree with as_of or as_of_precision"): (
            _ids_where(
                figures,
                _unlike_their_edtf(
                    figures, ("as_of_edtf", "as_of", "as_of_precision"), _partial_matches
                ),
            )
        ),
    }
    if "quantities" in tables:
        quantities = tables["quantities"]
        at = pc.index_in(figures.column("quantity_id"), value_set=quantities.column("id"))
        wrong = pc.not_equal(figures.column("unit"), quantities.column("unit").take(at))
        found[(Rule.RELEASE_DERIVED, "unit", "have another unit than their quantity")] = _ids_where(
            figures, wrong
        )
    found[
        (Rule.FIGURE_NOT_IN_QUOTE, "text", "are not at text_start:text_end inside their quote")
    ] = _ids_where(figures, outside)
    return _grouped("figures", found)


def _page_parts(tables: Tables) -> list[Problem]:
    """A part's id (its article and offsets), inside its article's text, not overlapping."""
    parts, articles = tables.get("page_parts"), tables.get("articles")
    if parts is None or articles is None:
        return []
    ids, sizes = articles.column("id").to_pylist(), pc.utf8_length(articles.column("text"))
    known = zip(ids, sizes.to_pylist(), strict=True)
    lengths = {article: size for article, size in known if size is not None}
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
        length = lengths.get(article)
        if length is not None and start is not None and end is not None:
            if 0 <= start < end <= length:
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


_ROW_RULES: dict[str, Callable[[pa.Table], list[Problem]]] = {
    "figures": _figure_shapes,
    "sources": _sources,
    "articles": _articles,
}
