"""The table rules that ``nkdata build`` and ``nkdata verify`` check are the corpus's own: on the
same values they find what :func:`check_text` and :mod:`nkdata.schema.relations` find, however
the whole-column checks reach their answer."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest

from nkdata.corpus.problems import Rule
from nkdata.corpus.text import check_text
from nkdata.release.tablerules import table_problems
from nkdata.schema.relations import claim_after_article
from tests.support.smallrelease import small_corpus

Tables = dict[str, pa.Table]


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Tables:
    from nkdata.corpus.validate import validate_corpus

    corpus = validate_corpus(small_corpus(tmp_path_factory.mktemp("agree"), 3)).corpus
    assert corpus is not None and table_problems(corpus.arrow) == []
    return corpus.arrow


def with_cells(table: pa.Table, row: int, **cells: object) -> pa.Table:
    for column, value in cells.items():
        values = table.column(column).to_pylist()
        values[row] = value
        field = table.schema.field(column)
        table = table.set_column(
            table.column_names.index(column), field, pa.array(values, field.type)
        )
    return table


ODD_TEXTS = {
    "only em spaces": "\u2003\u2003",
    "only separators Python calls space": "\x1c\x1d\n",
    "only no-break spaces": " \xa0 ",
    "a byte-order mark": "\ufeffA text.",
    "CR LF line ends": "A\r\ntext.\r\n",
    "a decomposed letter": "A cafe\u0301.",
    "a Hangul syllable and a trailing jamo": "A \uac00\u11a8.",
    "a singleton (ANGSTROM SIGN)": "\u212b",
    "marks out of canonical order": "x\u0301\u0316",
    "a zero-width space": "zero\u200bwidth",
    "a Hangul filler": "\u3164",
    "a usual text": "It’s 25,000 — “Señor” Kim’s 북한.\n",
}


@pytest.mark.parametrize("name", ODD_TEXTS)
def test_an_article_text_breaks_the_text_rules_check_text_finds(tables: Tables, name: str) -> None:
    text = ODD_TEXTS[name]
    articles = with_cells(tables["articles"], 0, text=text)
    article = articles.column("id")[0].as_py()
    found = [
        (p.code, p.message)
        for p in table_problems(tables | {"articles": articles})
        if (p.file, p.path) == ("articles.parquet", "text")
    ]
    expected = [
        (
            p.code,
            f"article {article}: {p.message}"
            + (f" at line {p.line}, column {p.column}" if p.line else "")
            + " of its text",
        )
        for p in check_text(text, "text")
    ]
    assert found == expected


LATEST = date(2020, 6, 30)


@pytest.mark.parametrize("latest", [LATEST, None])
@pytest.mark.parametrize("offset", [-1, 0, 1, None])
def test_a_claim_after_its_article_is_what_relations_says(
    tables: Tables, latest: date | None, offset: int | None
) -> None:
    claims = tables["claims"]
    article_id = claims.column("article_id")[0].as_py()
    row = tables["articles"].column("id").to_pylist().index(article_id)
    articles = with_cells(tables["articles"], row, published_latest=latest)
    day = None if offset is None else LATEST + timedelta(days=offset)
    claims = with_cells(claims, 0, claim_date=day)
    found = [
        p
        for p in table_problems(tables | {"articles": articles, "claims": claims})
        if p.code == Rule.DATE_AFTER_ARTICLE
    ]
    assert bool(found) == (day is not None and claim_after_article(day, latest))
