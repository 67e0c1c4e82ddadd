"""Property-based tests: small valid corpora, generated, built and read back for real.

Hypothesis draws a corpus (sources, quantities, articles whose texts hold any printable Unicode,
claims whose quotes are sampled from the texts, figures inside the quotes, numbers that fit
their qualifiers), writes it as corpus files in a temporary folder and runs `nkdata build` on
it. The invariants are checked through readers that share no code with the writer: pyarrow's
Parquet reader, Python's csv module and the loader.

- every quote equals ``text[quote_start:quote_end]``; every figure lies inside its claim and
  equals its span (``text_start``, ``text_end``);
- CSV and Parquet hold the same values;
- the corpus round-trips unchanged: every value read back is the value written;
- a build is a pure function of the corpus (not of paths, file order or times).

Example counts come from the hypothesis profile in tests/conftest.py (derandomized in CI).
"""

from __future__ import annotations

import calendar
import csv
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml
from hypothesis import given
from hypothesis import strategies as st

import nkdata
from nkdata.corpus.numberfinder import find_numbers
from nkdata.corpus.quotes import find_all
from nkdata.models import TABLES, Row
from nkdata.schema.characters import is_invisible
from nkdata.schema.fields import parse_date_span, parse_partial_date
from nkdata.schema.relations import claim_after_article
from nkdata.schema.vocab import ClaimMode, DateBasis, Framing, Qualifier, SourceKind, Topic
from tests.conftest import tree, typed_rows

VERSION = "1.2.3"
INVISIBLE = ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")
"""Categories no corpus text holds; the few look-alikes of other categories that
schema.characters.is_invisible also refuses are filtered out one by one."""
CSV_SENSITIVE = "=+-@\",\t'\\\u2019é\u0301\u00a0"
"""Characters that spreadsheets, CSV writers or normalisation treat specially, drawn often."""

# ---------------------------------------------------------------- strategies

slugs = st.from_regex(r"[a-z][a-z0-9]{0,5}(?:-[a-z0-9]{1,3}){0,2}", fullmatch=True)
chars = st.one_of(
    st.characters(blacklist_categories=INVISIBLE).filter(lambda char: not is_invisible(char)),
    st.sampled_from(CSV_SENSITIVE),
    st.sampled_from("abc de"),
)


def _line(raw: str) -> str:
    return raw.replace("\n", " ").strip()


lines = st.text(chars, min_size=1, max_size=30).map(_line).filter(bool)
"""One line without leading or trailing white space (the `Line` field type)."""
prose = st.text(st.one_of(chars, st.just("\n")), min_size=1, max_size=60).filter(str.strip)
WORDS = [
    "North",
    "Korea",
    "internet",
    "=SUM(A1)",
    "+1",
    "-2",
    "@x",
    "4-5 million",
    "\u2019s",
    "\u00a0",
]
texts = (
    st.lists(
        st.one_of(st.sampled_from(WORDS), st.text(chars, max_size=12)),
        min_size=1,
        max_size=60,
    )
    .flatmap(lambda words: st.sampled_from([" ", "\n", ""]).map(lambda sep: sep.join(words)))
    .map(lambda raw: unicodedata.normalize("NFC", raw))
    .filter(str.strip)
)
"""Article texts: NFC, LF, no invisible character, not empty; words repeat, so that quotes
occur more than once and need an ``occurrence``."""
numbers = st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2020, 12, 31))


@st.composite
def partial_dates(draw: st.DrawFn) -> str:
    day = draw(days)
    return draw(st.sampled_from([day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]]))


@st.composite
def date_spans(draw: st.DrawFn) -> str:
    """A publication date in EDTF: a day, month or year, or an interval of two of them (the
    second not before the first) or open at its end (``2017/..``)."""
    first = draw(partial_dates())
    shape = draw(st.sampled_from(["date", "open", "closed"]))
    if shape == "date":
        return first
    if shape == "open":
        return f"{first}/.."
    last = draw(partial_dates().filter(lambda text: period(text)[1] >= period(first)[1]))
    return f"{first}/{last}"


def period(text: str) -> tuple[date, date]:
    """The first and last day of a partial date (``2018-02`` → 1 and 28 February 2018)."""
    parts = [int(part) for part in text.split("-")]
    if len(parts) == 3:
        return date(*parts), date(*parts)
    if len(parts) == 2:
        year, month = parts
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def published_days(text: str) -> tuple[date, date | None]:
    """The earliest and latest day an EDTF date or interval allows (None: open-ended)."""
    first, _, last = text.partition("/")
    if last == "..":
        return period(first)[0], None
    return period(first)[0], period(last or first)[1]


@st.composite
def spans(draw: st.DrawFn, text: str) -> tuple[int, int] | None:
    """A span of ``text`` that is a valid one-line quote, or None when the text has none."""
    starts = [i for i, char in enumerate(text) if not char.isspace()]
    if not starts:
        return None
    start = draw(st.sampled_from(starts))
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    ends = [i + 1 for i in range(start, line_end) if not text[i].isspace()]
    short = draw(st.booleans())  # short spans repeat, and need an occurrence
    return start, draw(st.sampled_from(ends[:3] if short else ends))


def occurrence(text: str, part: str, start: int) -> int | None:
    """The ``occurrence`` a contributor writes for the match at ``start`` (None if unique)."""
    matches = find_all(text, part)
    return matches.index(start) + 1 if len(matches) > 1 else None


@st.composite
def figure_numbers(draw: st.DrawFn) -> dict[str, Any]:
    qualifier = draw(st.sampled_from(Qualifier))
    a, b, c = sorted(draw(st.lists(numbers, min_size=3, max_size=3)))
    maybe = st.booleans()
    shapes: dict[Qualifier, dict[str, float | None]] = {
        Qualifier.EXACT: {"value": b, "low": None, "high": None},
        Qualifier.APPROXIMATELY: {
            "value": b,
            "low": a if draw(maybe) else None,
            "high": c if draw(maybe) else None,
        },
        Qualifier.MORE_THAN: {"value": a, "low": a, "high": None},
        Qualifier.AT_LEAST: {"value": a, "low": a, "high": None},
        Qualifier.LESS_THAN: {"value": c, "low": None, "high": c},
        Qualifier.AT_MOST: {"value": c, "low": None, "high": c},
        Qualifier.RANGE: {"value": b if draw(maybe) else None, "low": a, "high": c},
        Qualifier.VAGUE: {"value": b, "low": a if draw(maybe) else None, "high": None},
    }
    return {**shapes[qualifier], "qualifier": qualifier.value}


@st.composite
def claims(draw: st.DrawFn, text: str, sources: list[str], quantities: list[str]) -> list[dict]:
    result = []
    for claim_id in draw(st.lists(slugs, max_size=4, unique=True)):
        span = draw(spans(text))
        if span is None:
            break
        quote = text[span[0] : span[1]]
        figures = []
        for figure_id in draw(st.lists(slugs, max_size=2, unique=True)):
            inner = draw(spans(quote))
            assert inner is not None
            figures.append(
                {
                    "id": figure_id,
                    "quantity_id": draw(st.sampled_from(quantities)),
                    "text": quote[inner[0] : inner[1]],
                    "occurrence": occurrence(quote, quote[inner[0] : inner[1]], inner[0]),
                    **draw(figure_numbers()),
                    "as_of": draw(st.none() | partial_dates()),
                    "place": draw(st.sampled_from([None, "KP", "RU"])),
                    "_span": (span[0] + inner[0], span[0] + inner[1]),
                }
            )
        result.append(
            {
                "id": claim_id,
                "source_id": draw(st.sampled_from(sources)),
                "via_id": draw(st.none() | st.sampled_from(sources)),
                "quote": quote,
                "occurrence": occurrence(text, quote, span[0]),
                "statement": draw(lines),
                "mode": draw(st.sampled_from(ClaimMode)).value,
                "framing": draw(st.sampled_from(Framing)).value,
                "topic": draw(st.sampled_from(Topic)).value,
                "claim_date": draw(st.none() | partial_dates()),
                "figures": figures,
                "_span": span,
            }
        )
    return sorted(result, key=lambda claim: claim["_span"][0])  # claims in text order


@st.composite
def sources(draw: st.DrawFn, ids: list[str]) -> list[dict[str, Any]]:
    result = []
    for index, source_id in enumerate(ids):
        kind = draw(st.sampled_from(SourceKind))
        earlier = st.sampled_from(ids[:index]) if index else st.none()  # no affiliation cycle
        named = kind not in (SourceKind.ANONYMOUS, SourceKind.GROUP) and draw(st.booleans())
        result.append(
            {
                "id": source_id,
                "name": draw(lines),
                "kind": kind.value,
                "named": named,
                "description": draw(st.none() | prose) if named else draw(prose),
                "affiliation_id": draw(st.none() | earlier),
                "country": draw(st.sampled_from([None, "KP", "KR", "US"])),
                "url": draw(st.sampled_from([None, "https://example.org/a?b=c"])),
                "wikidata": draw(st.sampled_from([None, "Q42"])),
            }
        )
    return result


@dataclass
class Drawn:
    """A generated corpus: the values as written, and the spans it was built from."""

    sources: list[dict[str, Any]]
    quantities: list[dict[str, Any]]
    articles: list[dict[str, Any]]


@st.composite
def corpora(draw: st.DrawFn) -> Drawn:
    source_ids = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    quantity_ids = draw(st.lists(slugs, min_size=1, max_size=2, unique=True))
    quantities = [
        {"id": q, "label": draw(lines), "unit": draw(slugs), "description": draw(prose)}
        for q in quantity_ids
    ]
    articles = []
    for article_id in draw(st.lists(slugs, min_size=1, max_size=3, unique=True)):
        text = draw(texts)
        basis = draw(st.sampled_from(DateBasis))
        published = draw(date_spans())
        drawn_claims = draw(claims(text, source_ids, quantity_ids))
        latest = parse_date_span(published).latest
        for claim in drawn_claims:  # a claim is never dated after its article
            day = claim["claim_date"] and parse_partial_date(claim["claim_date"])[0]
            if day and claim_after_article(day, latest):
                claim["claim_date"] = None
        articles.append(
            {
                "id": article_id,
                "title": draw(lines),
                "publisher_id": draw(st.sampled_from(source_ids)),
                "via_id": draw(st.none() | st.sampled_from(source_ids)),
                "authors": draw(st.lists(st.sampled_from(source_ids), max_size=2)),
                "url": None,
                "published": published,
                "published_basis": basis.value,
                "retrieved": draw(st.sampled_from([None, "2024-01-31"])),
                "language": "en",
                "rights": draw(prose),
                "notes": draw(prose if basis is DateBasis.INFERRED else st.none() | prose),
                "claims": drawn_claims,
                "_text": text,
            }
        )
    return Drawn(draw(sources(source_ids)), quantities, articles)


# ---------------------------------------------------------------- writing and building


class _Dumper(yaml.SafeDumper):
    """Every string double-quoted: the emitter escapes what needs escaping, and no string can
    be read back as a number, a date or a boolean."""


_Dumper.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)


def dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1 << 30)


def public(entry: dict[str, Any]) -> dict[str, Any]:
    """The keys a contributor writes (the generator's own ``_span`` and ``_text`` left out)."""
    return {k: public(v) if isinstance(v, dict) else v for k, v in entry.items() if k[0] != "_"}


def exclusions(article: dict[str, Any]) -> list[dict[str, Any]]:
    """An exclusion for every number of the text that no figure covers, so that the drawn
    corpus accounts for every number as a contributor must (reason: a name)."""
    text = article["_text"]
    figures = [f["_span"] for c in article["claims"] for f in c["figures"]]
    return [
        {"quote": n.text, "occurrence": occurrence(text, n.text, n.start), "reason": "name"}
        for n in find_numbers(text)
        if not any(a <= n.start and n.end <= b for a, b in figures)
    ]


def write_corpus(drawn: Drawn, root: Path, *, reverse: bool = False) -> Path:
    """Write the corpus files under ``root/corpus``; ``reverse`` writes them in the opposite
    order with other modification times, which must not change the release."""
    corpus = root / "corpus"
    files: dict[str, str] = {
        "dataset.yaml": dump(
            {
                "name": "generated",
                "title": "A generated corpus",
                "version": VERSION,
                "released": "2024-02-29",
                "description": "Drawn by hypothesis.",
                "homepage": "https://example.org/generated",
                "license": {
                    "name": "CC-BY-4.0",
                    "path": "https://creativecommons.org/licenses/by/4.0/",
                    "title": "Creative Commons Attribution 4.0 International",
                },
                "text_rights": "Generated.",
                "contributors": [{"title": "hypothesis", "roles": ["creator"]}],
                "citation": f"Generated, version {VERSION}.",
            }
        ),
        "sources.yaml": dump({"sources": drawn.sources}),
        "quantities.yaml": dump({"quantities": drawn.quantities}),
    }
    for article in drawn.articles:
        entry = public(article)
        entry["claims"] = [
            {**public(c), "figures": [public(f) for f in c["figures"]]} for c in article["claims"]
        ]
        entry["exclusions"] = exclusions(article)
        files[f"articles/{article['id']}/article.yaml"] = dump(entry)
        files[f"articles/{article['id']}/text.txt"] = article["_text"]
    for index, (name, content) in enumerate(sorted(files.items(), reverse=reverse)):
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="\n")
        if reverse:
            os.utime(path, (1_000_000 + index, 1_000_000 + index))
    return corpus


def build(nkdata_run, corpus: Path) -> Path:
    """Build the corpus with the CLI; the release folder."""
    result = nkdata_run("build", corpus, "--quiet", "--format", "json")
    assert result.exit_code == 0, result.stderr + result.stdout
    return corpus.parent / "releases" / VERSION


def run_cli(*args: object):
    from typer.testing import CliRunner

    from nkdata.cli import app

    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)


# ---------------------------------------------------------------- readers


def parquet_rows(folder: Path, table: str) -> list[dict[str, Any]]:
    return pq.read_table(folder / f"{table}.parquet").to_pylist()


def csv_rows(folder: Path, model: type[Row]) -> list[dict[str, Any]]:
    """Rows of a release CSV read with the csv module, typed by the Table Schema's kinds."""
    with (folder / f"{model.table}.csv").open(encoding="utf-8", newline="") as handle:
        return typed_rows(csv.DictReader(handle), model)


# ---------------------------------------------------------------- the properties


@given(corpora())
def test_release_invariants_and_round_trip(drawn: Drawn) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = build(run_cli, write_corpus(drawn, Path(scratch)))
        check_offsets(folder)
        for model in TABLES:
            assert csv_rows(folder, model) == parquet_rows(folder, model.table), model.table
        check_round_trip(drawn, folder)


@given(corpora())
def test_build_is_a_pure_function_of_the_corpus(drawn: Drawn) -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        build(run_cli, write_corpus(drawn, Path(one)))
        build(run_cli, write_corpus(drawn, Path(two) / "elsewhere" / "deeper", reverse=True))
        assert tree(Path(one)) == tree(Path(two) / "elsewhere" / "deeper")


def check_offsets(folder: Path) -> None:
    texts = {row["id"]: row["text"] for row in parquet_rows(folder, "articles")}
    claims = {row["id"]: row for row in parquet_rows(folder, "claims")}
    for claim in claims.values():
        text = texts[claim["article_id"]]
        assert text[claim["quote_start"] : claim["quote_end"]] == claim["quote"]
    for figure in parquet_rows(folder, "figures"):
        claim = claims[figure["claim_id"]]
        start, end = figure["text_start"], figure["text_end"]
        assert claim["quote_start"] <= start < end <= claim["quote_end"]
        assert texts[claim["article_id"]][start:end] == figure["text"]


def check_round_trip(drawn: Drawn, folder: Path) -> None:
    """Every value read back through the loader is the value the corpus files hold."""
    data = nkdata.load(path=folder)
    by_id = {s["id"]: s for s in drawn.sources}
    assert {s.id: s.model_dump(mode="json") for s in data.sources} == by_id
    by_id = {q["id"]: q for q in drawn.quantities}
    assert {q.id: q.model_dump(mode="json") for q in data.quantities} == by_id
    articles = {a.id: a for a in data.articles}
    claims = {c.id: c for c in data.claims}
    figures = {f.id: f for f in data.figures}
    assert len(articles) == len(drawn.articles)
    assert len(claims) == sum(len(a["claims"]) for a in drawn.articles)
    for written in drawn.articles:
        article = articles[written["id"]]
        assert article.text == written["_text"]
        assert (article.title, article.rights, article.notes, article.authors) == (
            written["title"],
            written["rights"],
            written["notes"],
            written["authors"],
        )
        assert article.published_basis.value == written["published_basis"]
        assert article.published_edtf == written["published"]
        assert (article.published, article.published_latest) == published_days(written["published"])
        for claim_written in written["claims"]:
            claim = claims[f"{written['id']}:{claim_written['id']}"]
            assert (claim.quote, claim.statement) == (
                claim_written["quote"],
                claim_written["statement"],
            )
            assert (claim.quote_start, claim.quote_end) == claim_written["_span"]
            assert claim.claim_date_edtf == claim_written["claim_date"]
            for figure_written in claim_written["figures"]:
                figure = figures[f"{claim.id}:{figure_written['id']}"]
                assert (figure.text_start, figure.text_end) == figure_written["_span"]
                assert figure.as_of_edtf == figure_written["as_of"]
                assert figure.text == figure_written["text"]
                for key in ("value", "low", "high"):
                    assert repr(getattr(figure, key)) == repr(figure_written[key]), key


# ---------------------------------------------------------------- CSV consumers


FORMULAS = ['=HYPERLINK("http://example.org","x")', "+1 million", "-2 percent", "@SUM(A1:A9)"]
FORMULA_SOURCE = "formula-outlet"


def test_cells_that_look_like_formulas_are_kept_byte_for_byte() -> None:
    """A value starting with =, +, - or @ is written as it is: never prefixed with ' or
    otherwise "defused", which would alter the data (SECURITY.md says how to open a CSV
    safely in a spreadsheet)."""
    text = " ".join(FORMULAS) + "\n"
    claims = [
        {
            "id": f"c{index}",
            "source_id": FORMULA_SOURCE,
            "via_id": None,
            "quote": formula,
            "occurrence": None,
            "statement": formula,
            "mode": "assertion",
            "framing": "asserted",
            "topic": "society",
            "claim_date": None,
            "figures": [],
        }
        for index, formula in enumerate(FORMULAS)
    ]
    drawn = Drawn(
        sources=[
            {
                "id": FORMULA_SOURCE,
                "name": "=cmd|' /C calc'!A0",
                "kind": "outlet",
                "named": True,
                "description": "@formula",
                "affiliation_id": None,
                "country": None,
                "url": None,
                "wikidata": None,
            }
        ],
        quantities=[{"id": "q", "label": "+q", "unit": "things", "description": "-q"}],
        articles=[
            {
                "id": "formulas",
                "title": "=1+1",
                "publisher_id": FORMULA_SOURCE,
                "via_id": None,
                "authors": [],
                "url": None,
                "published": "2020",
                "published_basis": "stated",
                "retrieved": None,
                "language": "en",
                "rights": "+rights",
                "notes": "=notes",
                "claims": claims,
                "_text": text,
            }
        ],
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = build(run_cli, write_corpus(drawn, Path(scratch)))
        raw = (folder / "claims.csv").read_bytes()
        for formula in FORMULAS:
            cell = formula.replace('"', '""')
            assert f",{cell}," in raw.decode("utf-8") or f',"{cell}",' in raw.decode("utf-8")
        assert b"'=" not in raw and b"'+" not in raw and b"'@" not in raw
        quotes = [row["quote"] for row in parquet_rows(folder, "claims")]
        assert quotes == FORMULAS
        for model in TABLES:
            assert csv_rows(folder, model) == parquet_rows(folder, model.table), model.table
        sources = (folder / "sources.csv").read_text(encoding="utf-8")
        assert "=cmd|' /C calc'!A0" in sources
