"""A data user's first hour: joined views, notebook tables, dates that cannot be misread, the
codebook in the release, the path of a release, and the extras that stay optional."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import nkdata
from nkdata.loading import Joined
from nkdata.schema.vocab import MEANINGS
from tests.conftest import REPO


@pytest.fixture(scope="module")
def data() -> nkdata.Dataset:
    return nkdata.load()


def test_joined_figures_answer_who_said_what_when(data: nkdata.Dataset) -> None:
    view = data.figures.joined().to_arrow()
    assert view.num_rows == len(data.figures)
    assert len(set(view.column_names)) == len(view.column_names), "no column name twice"
    assert "end" not in view.column_names and "start" not in view.column_names
    for row in view.to_pylist():
        claim = data.claims[row["claim_id"]]
        article = data.articles[claim.article_id]
        assert row["claim_quote"] == claim.quote
        assert row["source_name"] == data.sources[claim.source_id].name
        assert row["via_name"] == (data.sources[claim.via_id].name if claim.via_id else None)
        assert (row["article_title"], row["published_edtf"]) == (
            article.title,
            article.published_edtf,
        )
        assert row["publisher_name"] == data.sources[article.publisher_id].name


def test_joined_claims_and_tables_without_a_view(data: nkdata.Dataset) -> None:
    claims = data.claims.joined()
    assert isinstance(claims, Joined) and len(claims) == len(data.claims)
    assert claims.to_arrow().column("claim_id").to_pylist() == sorted(
        claim.id for claim in data.claims
    )
    with pytest.raises(nkdata.NkdataError, match="has no joined view"):
        data.sources.joined()


def test_pandas_dates_are_dates_not_objects(data: nkdata.Dataset) -> None:
    frame = data.articles.to_pandas()
    assert str(frame["published"].dtype) == "date32[day][pyarrow]"
    years = frame["published"].dt.year.tolist()
    assert years == [article.published.year for article in data.articles]


def test_notebook_tables_escape_every_cell(data: nkdata.Dataset) -> None:
    html = data.claims._repr_html_()
    assert html.startswith("<table><caption>claims: ") and "(first 10 shown)" in html
    hostile = Joined("t", pa.table({"quote": ['"><img src=x onerror=alert(1)>']}))
    shown = hostile._repr_html_()
    assert "<img" not in shown and "&lt;img" in shown


def test_typed_rows_print_dates_as_written(data: nkdata.Dataset) -> None:
    for article in data.articles:
        assert f"published {article.published_edtf}, " in str(article)
    open_ended = [a for a in data.articles if a.published_latest is None]
    assert open_ended and all(str(a).count("/..") == 1 for a in open_ended)


def test_every_enumerated_column_ships_its_codebook(data: nkdata.Dataset) -> None:
    descriptor = json.loads((data.path / "datapackage.json").read_text(encoding="utf-8"))
    card = (data.path / "README.md").read_text(encoding="utf-8")
    found = 0
    for resource in descriptor["resources"]:
        for field in resource.get("schema", {}).get("fields", []):
            if "enum" in field.get("constraints", {}):
                labels = {c["value"]: c["label"] for c in field["categories"]}
                assert list(labels) == field["constraints"]["enum"], field["name"]
                found += 1
                assert any(labels.items() == MEANINGS[name].items() for name in MEANINGS)
    assert found
    assert "## Codebook" in card and "How vague number words become bounds" in card


def test_nkdata_path_prints_the_installed_release() -> None:
    from typer.testing import CliRunner

    from nkdata.cli import app

    result = CliRunner().invoke(app, ["path"])
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip()) == nkdata.load().path
    assert CliRunner().invoke(app, ["path", "1.2"]).exit_code == 2


def test_optional_extras_are_not_imported_by_the_core() -> None:
    code = (
        "import sys, nkdata; d = nkdata.load(); len(d.claims); list(d.figures)\n"
        "from nkdata.release.verify import verify_release; verify_release(d.path)\n"
        "print(sorted(m for m in ('frictionless', 'pandas', 'polars', 'matplotlib') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
