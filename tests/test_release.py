"""`nkdata build`: the release files, their readers, determinism, immutability and atomicity."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nkdata.corpus.validate import validate_corpus
from nkdata.models import TABLES
from tests.conftest import CORPUS, REPO, edit, snapshot, typed_rows
from tests.support.corpusfacts import (
    bump_version,
    chart_files,
    corpus_version,
    dataset,
    latest_release,
    next_version,
    release_counts,
)

VERSION = corpus_version()
"""The version a build of the corpus writes (its dataset.yaml), whatever it is."""
TABLE_NAMES = [model.table for model in TABLES]
FRICTIONLESS = str(Path(sys.executable).parent / "frictionless")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository copy with the corpus built once: read-only for the tests that use it."""
    repo = tmp_path_factory.mktemp("built")
    shutil.copytree(CORPUS, repo / "corpus")
    from typer.testing import CliRunner

    from nkdata.cli import app

    result = CliRunner().invoke(app, ["build", str(repo / "corpus"), "--quiet"])
    assert result.exit_code == 0, result.output
    return repo


def test_release_folder_holds_every_file(built: Path) -> None:
    folder = built / "releases" / VERSION
    names = sorted(p.name for p in folder.iterdir())
    expected = sorted(
        [f"{t}.{fmt}" for t in TABLE_NAMES for fmt in ("csv", "parquet")]
        + ["datapackage.json", "README.md", *chart_files(folder)]
    )
    assert names == expected
    entries = sorted(p.name for p in (built / "releases").iterdir())
    assert entries == [VERSION, "index.json"], "no temporary folder left"


def test_frictionless_cli_accepts_the_release(built: Path) -> None:
    for descriptor in (
        built / "releases" / VERSION / "datapackage.json",
        built / "datapackage.json",
    ):
        run = subprocess.run(
            [FRICTIONLESS, "validate", "--json", str(descriptor)],
            capture_output=True,
            text=True,
            cwd=descriptor.parent,
            check=False,
        )
        report = json.loads(run.stdout)
        assert run.returncode == 0 and report["valid"], run.stdout[:3000]
        charts = len(chart_files(built / "releases" / VERSION))
        assert len(report["tasks"]) == 2 * len(TABLES) + 1 + charts  # tables twice, card, charts


def test_frictionless_catches_a_corrupted_csv_and_broken_key(built: Path, tmp_path: Path) -> None:
    release = tmp_path / VERSION
    shutil.copytree(built / "releases" / VERSION, release)
    claims = release / "claims.csv"
    text = claims.read_text(encoding="utf-8")
    first_source = text.splitlines()[1].split(",")[2]
    claims.write_text(text.replace(f",{first_source},", ",no-such-source,", 1), encoding="utf-8")
    run = subprocess.run(
        [FRICTIONLESS, "validate", "--json", "datapackage.json"],
        capture_output=True,
        text=True,
        cwd=release,
        check=False,
    )
    report = json.loads(run.stdout)
    assert run.returncode == 1 and not report["valid"]
    errors = {e["type"] for task in report["tasks"] for e in task["errors"]}
    assert {"foreign-key", "hash-count", "byte-count"} <= errors


def expected_rows() -> dict[str, list[dict[str, object]]]:
    outcome = validate_corpus(CORPUS)
    assert outcome.corpus is not None
    return {
        name: sorted(rows, key=lambda r: str(r["id"]))
        for name, rows in outcome.corpus.tables.items()
    }


def typed_csv_rows(frame, model) -> list[dict[str, object]]:
    """Rows of a CSV read as text by pandas, typed back by the column kinds of ``model``."""
    return typed_rows(frame.to_dict("records"), model)


def test_every_reader_finds_the_model_rows(built: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    polars = pytest.importorskip("polars")
    pandas = pytest.importorskip("pandas")
    release = built / "releases" / VERSION
    expected = expected_rows()
    for model in TABLES:
        rows = expected[model.table]
        assert rows, model.table
        parquet = release / f"{model.table}.parquet"
        from_arrow = pq.read_table(parquet).to_pylist()
        assert from_arrow == rows
        assert [model.model_validate(row) for row in from_arrow]  # rows are typed model rows
        result = duckdb.connect().execute(f"select * from read_parquet('{parquet}') order by id")
        names = [column[0] for column in result.description]
        assert [dict(zip(names, row, strict=True)) for row in result.fetchall()] == rows
        assert polars.read_parquet(parquet).to_dicts() == rows
        frame = pandas.read_csv(release / f"{model.table}.csv", keep_default_na=False, dtype=str)
        assert typed_csv_rows(frame, model) == rows


def test_arrow_types_follow_the_contract(built: Path) -> None:
    release = built / "releases" / VERSION
    articles = pq.read_schema(release / "articles.parquet")
    authors = articles.field("authors").type
    assert pa.types.is_list(authors) and authors.value_type == pa.string()
    assert str(articles.field("published").type) == "date32[day]"
    assert str(articles.field("title").type) == "string"
    assert b"pandas" not in (articles.metadata or {})
    figures = pq.read_schema(release / "figures.parquet")
    assert str(figures.field("value").type) == "double"
    assert pq.ParquetFile(release / "claims.parquet").metadata.num_row_groups == 1


def test_offsets_point_at_the_quotes(built: Path) -> None:
    release = built / "releases" / VERSION
    texts = {r["id"]: r["text"] for r in pq.read_table(release / "articles.parquet").to_pylist()}
    claims = pq.read_table(release / "claims.parquet").to_pylist()
    spans = {}
    for claim in claims:
        start, end = claim["quote_start"], claim["quote_end"]
        assert texts[claim["article_id"]][start:end] == claim["quote"]
        spans[claim["id"]] = (start, end, claim["article_id"])
    figures = pq.read_table(release / "figures.parquet").to_pylist()
    assert figures
    for figure in figures:
        start, end, article = spans[figure["claim_id"]]
        assert start <= figure["text_start"] < figure["text_end"] <= end
        assert texts[article][figure["text_start"] : figure["text_end"]] == figure["text"]


def test_descriptor_declares_files_exactly(built: Path) -> None:
    release = built / "releases" / VERSION
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert package["version"] == VERSION
    assert package["created"] == f"{dataset()['released']}T00:00:00Z"
    from nkdata.schema.releasefolder import ReleaseFile

    for entry in package["resources"]:
        stats = ReleaseFile.of(release / entry["path"])
        assert entry["bytes"] == stats.bytes
        assert entry["hash"] == stats.sha256
    claims = next(r for r in package["resources"] if r["name"] == "claims")
    assert claims["schema"]["primaryKey"] == ["id"]
    assert {"fields": ["article_id"], "reference": {"fields": ["id"], "resource": "articles"}} in (
        claims["schema"]["foreignKeys"]
    )
    root = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in root["resources"]} == {
        f"releases/{VERSION}/{r['path']}" for r in package["resources"]
    }


def test_data_card_sections_and_counts(built: Path) -> None:
    card = (built / "releases" / VERSION / "README.md").read_text(encoding="utf-8")
    for section in (
        "## Motivation",
        "## Composition",
        "## Collection and annotation process",
        "## Uses",
        "## Out-of-scope uses",
        "## Rights",
        "## Maintenance",
        "## Citation",
        "## Changes",
        "## Columns",
    ):
        assert section in card
    rows = expected_rows()
    assert f"| `claims` | {len(rows['claims']):,} |" in card
    assert "First release" in card
    assert card.startswith("---\n")  # Hugging Face card header
    assert "data_files: claims.parquet" in card


def test_rebuild_is_byte_identical(tmp_path: Path, nkdata) -> None:
    for name in ("one", "two"):
        shutil.copytree(CORPUS, tmp_path / name / "corpus")
        assert nkdata("build", tmp_path / name / "corpus", "-q").exit_code == 0
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_next_version_reports_changes(tmp_path: Path, nkdata) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    assert nkdata("build", corpus, "-q").exit_code == 0
    assert (
        nkdata("release", "--publish", "--corpus", corpus).exit_code == 0
    )  # compared with published ones
    following = next_version(VERSION)
    bump_version(corpus, following)
    edit(
        corpus / "quantities.yaml",
        "\nquantities:\n",
        "\nquantities:\n  - id: new-quantity\n"
        "    label: New quantity\n    unit: things\n    description: A test quantity.\n",
    )
    assert nkdata("build", corpus, "-q").exit_code == 0
    card = (tmp_path / "releases" / following / "README.md").read_text(encoding="utf-8")
    assert f"Since {VERSION}:" in card
    assert "| `quantities` | 1 | 0 | 0 |" in card
    for table in TABLE_NAMES:
        if table != "quantities":
            assert f"| `{table}` | 0 | 0 | 0 |" in card, table
    root = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert root["version"] == following
    assert (tmp_path / "releases" / VERSION).is_dir()
    before = release_counts(tmp_path / "releases" / VERSION)
    after = release_counts(tmp_path / "releases" / following)
    assert after == {**before, "quantities": before["quantities"] + 1}


def test_invalid_corpus_writes_nothing(tmp_path: Path, nkdata) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    edit(corpus / "quantities.yaml", "unit: smartphones", "unit: 12")
    before = snapshot(tmp_path)
    run = nkdata("build", corpus, "-q")
    assert run.exit_code == 1
    assert "nothing written" in run.stderr
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "releases").exists()


def test_failure_half_way_leaves_releases_unchanged(tmp_path: Path, nkdata, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (tmp_path / "releases").mkdir()
    from nkdata.release import build

    written = []

    def full_disk(table, path):  # the third table fails, as a full disk would
        written.append(path)
        if len(written) == 3:
            raise OSError(28, "No space left on device", str(path))
        return original(table, path)

    original = build.write_parquet
    monkeypatch.setattr(build, "write_parquet", full_disk)
    run = nkdata("build", corpus, "-q")
    assert run.exit_code == 1
    assert "No space left on device" in run.stderr
    assert list((tmp_path / "releases").iterdir()) == []
    assert not (tmp_path / "datapackage.json").exists()


def test_unwritable_releases_folder_is_a_clear_error(tmp_path: Path, nkdata) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (tmp_path / "releases").write_text("not a folder", encoding="utf-8")
    run = nkdata("build", corpus, "-q")
    assert run.exit_code == 1
    assert run.stderr.startswith("Error: cannot write to")
    assert "nothing was written" in run.stderr


def test_committed_release_matches_the_corpus(nkdata) -> None:
    run = nkdata("build", CORPUS, "--check")
    assert run.exit_code == 0, run.stderr
    assert (REPO / "releases" / VERSION / "datapackage.json").is_file()
    assert latest_release() == VERSION, "the corpus's version is the latest release"


def test_index_lists_every_version_with_its_descriptor_hash(built: Path) -> None:
    from nkdata.schema.releasefolder import ReleaseFile

    index = json.loads((built / "releases" / "index.json").read_text(encoding="utf-8"))
    stats = ReleaseFile.of(built / "releases" / VERSION / "datapackage.json")
    assert index == {
        "latest": VERSION,
        "versions": {
            VERSION: {"datapackage": stats.sha256, "bytes": stats.bytes, "published": False}
        },
    }


def test_licences_say_which_covers_what(built: Path) -> None:
    package = json.loads(
        (built / "releases" / VERSION / "datapackage.json").read_text(encoding="utf-8")
    )
    annotations, texts = package["licenses"]
    assert annotations["name"] == "CC-BY-4.0"
    assert "except articles.text" in annotations["title"]
    assert texts["name"] == "other-closed"
    assert texts["title"].startswith("The article texts (articles.text)")


def test_a_killed_build_leaves_nothing_the_next_build_keeps(tmp_path: Path, nkdata) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    releases = tmp_path / "releases"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (releases / f".nkdata-build-{dead}-{VERSION}-abc").mkdir(parents=True)
    (releases / f".nkdata-build-{dead}-{VERSION}-abc" / "claims.csv").write_text("partial")
    (tmp_path / f".nkdata-build-{dead}-xyz").write_text("half a descriptor")
    import os

    running = releases / f".nkdata-build-{os.getpid()}-{VERSION}-def"
    running.mkdir()
    assert nkdata("build", corpus, "-q").exit_code == 0
    assert sorted(p.name for p in releases.iterdir()) == [running.name, VERSION, "index.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "datapackage.json", "releases"]


def test_check_notices_a_stale_index(tmp_path: Path, nkdata) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    assert nkdata("build", corpus, "-q").exit_code == 0
    assert nkdata("build", corpus, "--check").exit_code == 0
    (tmp_path / "releases" / "index.json").write_text("{}\n", encoding="utf-8")
    run = nkdata("build", corpus, "--check")
    assert run.exit_code == 1
    assert "index.json" in run.stderr


def test_changelog_records_every_release() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    for folder in (REPO / "releases").iterdir():
        if folder.is_dir():
            package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
            released = package["created"][:10]
            assert f"## [{folder.name}] - {released}" in changelog
