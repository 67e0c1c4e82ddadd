"""The figure ledger: every figure of a quantity in time, echoes marked, from Python and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from typing import Any

import pyarrow as pa
import pytest

from nkdata import load
from nkdata.view.ledger import UnknownQuantityError, ledger, ledgers

TROOPS = "troops-deployed-to-russia"


def test_ledger_of_the_bundled_release_in_time_with_its_provenance() -> None:
    data = load()
    rows = ledger(data, TROOPS)
    expected = sorted(
        (f for f in data.figures if f.quantity_id == TROOPS),
        key=lambda f: (data.articles[data.claims[f.claim_id].article_id].published, f.id),
    )
    assert [row.figure_id for row in rows] == [f.id for f in expected]
    first = rows[0]
    claim = data.claims[first.claim_id]
    article = data.articles[claim.article_id]
    assert (first.source_id, first.source_name) == (
        claim.source_id,
        data.sources[claim.source_id].name,
    )
    assert (first.article_title, first.published_edtf) == (article.title, article.published_edtf)
    for row in rows:  # the numbers are the figure's, shown with their bounds
        figure = data.figures[row.figure_id]
        numbers = (figure.value, figure.low, figure.high, figure.qualifier)
        assert (row.value, row.low, row.high, row.qualifier) == numbers
        shown = [n for n in (figure.low, figure.high) if n is not None] or [figure.value]
        assert all(f"{n:,.0f}" in row.amount for n in shown if n is not None), row.amount


def test_the_ledger_needs_neither_pydantic_nor_matplotlib() -> None:
    """So that `nkdata figures` answers quickly: Arrow tables in, plain rows out."""
    code = (
        "import sys, nkdata; from nkdata.view.ledger import ledger; "
        f"rows = ledger(nkdata.load(), {TROOPS!r}); "
        "print(len(rows), [m for m in ('pydantic', 'matplotlib', 'jinja2') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    figures = load().figures.to_arrow().column("quantity_id").to_pylist().count(TROOPS)
    assert done.stdout.split(" ", 1) == [str(figures), "[]\n"]


def test_unknown_quantity_names_the_closest() -> None:
    with pytest.raises(UnknownQuantityError, match="did you mean troops-deployed-to-russia"):
        ledger(load(), "troops-to-russia")


# A release in miniature: the columns the ledger reads.
def tables(figures: list[dict[str, Any]], claims: list[dict[str, Any]]) -> dict[str, pa.Table]:
    articles = [
        {"id": f"a{year}", "title": f"Article of {year}", "published": date(year, 1, 1)}
        | {"published_edtf": str(year), "via_id": "relay" if year == 2021 else None}
        for year in (2018, 2019, 2020, 2021)
    ]
    sources = [{"id": s, "name": s.title()} for s in ("original", "other", "relay")]
    return {
        "sources": pa.Table.from_pylist(sources),
        "quantities": pa.Table.from_pylist([{"id": "phones"}]),
        "articles": pa.Table.from_pylist(articles),
        "claims": pa.Table.from_pylist(claims),
        "figures": pa.Table.from_pylist(figures),
    }


def claim(article: str, source: str = "original", via: str | None = None) -> dict[str, Any]:
    return {
        "id": f"{article}:c1",
        "article_id": article,
        "source_id": source,
        "via_id": via,
        "framing": "attributed",
    }


def figure(article: str, value: float = 3e6) -> dict[str, Any]:
    return {
        "id": f"{article}:c1:f1",
        "claim_id": f"{article}:c1",
        "quantity_id": "phones",
        "text": "3 million",
        "text_start": 0,
        "text_end": 9,
        "value": value,
        "low": None,
        "high": None,
        "qualifier": "approximately",
        "unit": "phones",
        "as_of": None,
        "as_of_precision": None,
        "as_of_edtf": None,
    }


def echoes(claims: list[dict[str, Any]], values: dict[str, float] | None = None) -> list[Any]:
    values = values or {}
    figures = [figure(c["article_id"], values.get(c["article_id"], 3e6)) for c in claims]
    rows = ledgers(tables(figures, claims))["phones"]
    return [(row.article_id, row.echo_of) for row in rows]


def test_a_relayed_repetition_is_an_echo_of_the_first_appearance() -> None:
    claims = [claim("a2020", via="relay"), claim("a2018"), claim("a2019", via="relay")]
    assert echoes(claims) == [
        ("a2018", None),
        ("a2019", "a2018:c1:f1"),
        ("a2020", "a2018:c1:f1"),
    ]


def test_the_article_relay_counts_as_a_relay() -> None:
    assert echoes([claim("a2018"), claim("a2021")]) == [("a2018", None), ("a2021", "a2018:c1:f1")]


def test_what_is_not_an_echo() -> None:
    # The same source again, first-hand: a restatement, not a relay.
    assert echoes([claim("a2018"), claim("a2019")]) == [("a2018", None), ("a2019", None)]
    # Another number through a relay: a new figure.
    relayed = [claim("a2018"), claim("a2019", via="relay")]
    assert echoes(relayed, {"a2019": 4e6}) == [("a2018", None), ("a2019", None)]
    # The same number from another source: an independent estimate.
    other = [claim("a2018"), claim("a2019", source="other", via="relay")]
    assert echoes(other) == [("a2018", None), ("a2019", None)]
    # The first appearance is never an echo, even when relayed; a later first-hand one neither.
    assert echoes([claim("a2018", via="relay"), claim("a2019")]) == [
        ("a2018", None),
        ("a2019", None),
    ]


def test_cli_prints_the_ledger(nkdata) -> None:
    run = nkdata("figures", TROOPS)
    assert run.exit_code == 0, run.stderr
    header, *lines = run.stdout.splitlines()
    assert header.split()[:4] == ["published", "as", "of", "figure"]
    ids = [row.figure_id for row in ledger(load(), TROOPS)]
    assert [next(i for i in ids if i in line) for line in lines] == ids
    first = ledger(load(), TROOPS)[0]
    assert first.source_name[:20] in lines[0] and f'"{first.text}"' in lines[0]


def test_cli_json_lines(nkdata) -> None:
    run = nkdata("figures", TROOPS, "--format", "json")
    assert run.exit_code == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [row["amount"] for row in rows] == [row.amount for row in ledger(load(), TROOPS)]
    assert {"echo_of", "source_name", "via_name", "published", "as_of_edtf"} <= set(rows[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["troops-to-russia"], "did you mean troops-deployed-to-russia"),
        ([TROOPS, "1.x"], "is not a version"),
    ],
)
def test_cli_usage_errors(nkdata, args: list[str], message: str) -> None:
    run = nkdata("figures", *args)
    assert run.exit_code == 2
    assert message in run.stderr
    assert run.stdout == ""
