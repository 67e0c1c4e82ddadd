"""`nkdata verify PATH`: a release folder's hashes, schemas, values, keys and CSV twins, checked
with pyarrow alone; each breakage is reported once, with its rule code, file and column."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.generate import generate
from nkdata.models import TABLES
from tests.conftest import rehash, rewrite_table
from tests.support.corpusfacts import (
    chart_files,
    latest_release,
    release_counts,
    release_folder,
)
from tests.support.smallrelease import build, small_corpus

LATEST = latest_release()
RELEASE = release_folder(LATEST)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(RELEASE, tmp_path / LATEST)
    return tmp_path / LATEST


def set_value(column: str, row: int, value: object) -> Callable[[pa.Table], pa.Table]:
    """A change that sets one cell of a table."""

    def change(table: pa.Table) -> pa.Table:
        values = table.column(column).to_pylist()
        values[row] = value
        index = table.column_names.index(column)
        array = pa.array(values, type=table.schema.field(column).type)
        return table.set_column(index, table.schema.field(column).with_nullable(True), array)

    return change


def test_sound_release(nkdata) -> None:
    run = nkdata("verify", RELEASE)
    assert run.exit_code == 0, run.stdout + run.stderr
    rows = sum(release_counts(RELEASE).values())
    files = 2 * len(TABLES) + 1 + len(chart_files(RELEASE))  # tables twice, card, charts
    assert run.stdout == (
        f"verified: release {LATEST} at {RELEASE}: {files} files, {rows} rows, no problems\n"
    )
    assert nkdata("verify", RELEASE / "datapackage.json").exit_code == 0


Breakage = Callable[[Path], None]
BREAKAGES: dict[str, tuple[Breakage, tuple[str, str, str, str]]] = {}


def breaks(code: str, file: str, column: str, message: str) -> Callable[[Breakage], Breakage]:
    """Register a breakage with the one problem verify must report for it."""

    def register(breakage: Breakage) -> Breakage:
        BREAKAGES[breakage.__name__] = (breakage, (code, file, column, message))
        return breakage

    return register


@breaks("release-hash", "figures.csv", "", "expected ")
def appended_line(folder: Path) -> None:
    with (folder / "figures.csv").open("a", encoding="utf-8") as out:
        out.write("\n")


@breaks("release-file", "sources.csv", "", "listed in the descriptor but missing")
def missing_file(folder: Path) -> None:
    (folder / "sources.csv").unlink()


@breaks("release-primary-key", "quantities.parquet", "id", "1 row(s) are ids used more than once")
def repeated_id(folder: Path) -> None:
    rewrite_table(folder, "quantities", lambda t: pa.concat_tables([t, t.slice(0, 1)]))


@breaks("release-foreign-key", "claims.parquet", "source_id", "not in sources.id (no-such-source)")
def unknown_source(folder: Path) -> None:
    rewrite_table(folder, "claims", set_value("source_id", 3, "no-such-source"))


@breaks("release-constraint", "figures.parquet", "qualifier", "1 row(s) hold a value outside")
def unknown_qualifier(folder: Path) -> None:
    rewrite_table(folder, "figures", set_value("qualifier", 0, "roughly"))


@breaks("release-required", "sources.parquet", "name", "1 row(s) have no value")
def empty_name(folder: Path) -> None:
    rewrite_table(folder, "sources", set_value("name", 1, None))


@breaks("release-constraint", "claims.parquet", "quote_start", "1 row(s) are less than 0")
def negative_offset(folder: Path) -> None:
    rewrite_table(folder, "claims", set_value("quote_start", 0, -1))


@breaks("release-schema", "articles.parquet", "", "column rights (missing, expected string)")
def dropped_column(folder: Path) -> None:
    rewrite_table(folder, "articles", lambda t: t.drop_columns(["rights"]))


@breaks("release-schema", "figures.parquet", "", "column value (string, expected double)")
def wrong_type(folder: Path) -> None:
    index = pq.read_schema(folder / "figures.parquet").get_field_index("value")
    rewrite_table(
        folder, "figures", lambda t: t.set_column(index, "value", t["value"].cast(pa.string()))
    )


@breaks("release-csv", "quantities.csv", "", "column(s) description differ from the Parquet")
def csv_unlike_parquet(folder: Path) -> None:
    path = folder / "quantities.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("people", "persons", 1), "utf-8")
    rehash(folder, "quantities.csv")


@breaks("release-descriptor", "datapackage.json", "", "unsafe file path '/etc/passwd'")
def path_outside_the_folder(folder: Path) -> None:
    path = folder / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    package["resources"][0]["path"] = "/etc/passwd"
    path.write_text(json.dumps(package), encoding="utf-8")


def first_id(name: str, row: int = 0) -> str:
    return str(pq.read_table(RELEASE / f"{name}.parquet").column("id")[row])


@pytest.mark.parametrize("name", BREAKAGES)
def test_each_breakage_is_reported_once(folder: Path, nkdata, name: str) -> None:
    breakage, (code, file, column, message) = BREAKAGES[name]
    breakage(folder)
    run = nkdata("verify", folder, "--format", "json")
    assert run.exit_code == 1
    # once under its own code; a breakage may also break a rule that depends on the value
    (problem,) = [p for p in run.problems() if p["code"] == code]
    assert (problem["code"], problem["file"], problem["path"]) == (code, f"{folder}/{file}", column)
    assert message in str(problem["message"])


def test_text_report_names_file_column_and_ids(folder: Path, nkdata) -> None:
    empty_name(folder)
    unknown_source(folder)
    run = nkdata("verify", folder)
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert f"{folder}/claims.parquet: release-foreign-key [source_id] 1 row(s) name sources " in (
        "\n".join(lines)
    )
    assert (
        f"{folder}/sources.parquet: release-required [name] 1 row(s) have no value: "
        f"{first_id('sources', 1)}"
    ) in lines
    assert run.stderr.startswith("invalid: ")


def test_github_format(folder: Path, nkdata) -> None:
    missing_file(folder)
    run = nkdata("verify", folder, "--format", "github")
    assert run.stdout.startswith(f"::error file={folder}/sources.csv,title=release-file::")


def test_not_a_folder_is_a_usage_error(tmp_path: Path, nkdata) -> None:
    run = nkdata("verify", tmp_path / "nowhere")
    assert run.exit_code == 2 and run.stderr.startswith("Error: ")


def test_folder_without_descriptor(tmp_path: Path, nkdata) -> None:
    run = nkdata("verify", tmp_path, "--format", "json")
    assert run.exit_code == 1 and run.codes() == ["release-descriptor"]


@pytest.fixture(scope="module")
def without_page_parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release whose page_parts table has no rows."""
    root = tmp_path_factory.mktemp("no-parts")
    release = build(small_corpus(root, 3, page_parts=False), root / "releases")
    assert pq.read_metadata(release / "page_parts.parquet").num_rows == 0
    return release


@pytest.mark.parametrize("which", ["latest", "with an empty table"])
def test_verify_needs_neither_frictionless_nor_pandas(which: str, without_page_parts: Path) -> None:
    """Importing either costs more than checking a small release (pandas: a quarter second);
    pyarrow imports pandas to build an array from Python values, an empty one included."""
    release = RELEASE if which == "latest" else without_page_parts
    script = (
        "import sys; from pathlib import Path; from nkdata.release.verify import verify_release\n"
        f"assert verify_release(Path({str(release)!r})).problems == []\n"
        "print('frictionless' in sys.modules, 'pandas' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False False"


def test_texts_with_line_breaks_beyond_one_read_block(tmp_path: Path, nkdata) -> None:
    """pyarrow reads a CSV in blocks of 1 MiB; a quoted text with line breaks spans two of them."""
    corpus = generate(tmp_path / "corpus", 600, workers=1)
    built = nkdata("build", corpus, "--releases", tmp_path / "releases", "-q")
    assert built.exit_code == 0, built.stdout + built.stderr
    release = next(p for p in (tmp_path / "releases").iterdir() if p.is_dir())
    assert (release / "articles.csv").stat().st_size > 2 * 2**20
    assert b"\n\n" in (release / "articles.csv").read_bytes()
    run = nkdata("verify", release)
    assert run.exit_code == 0, run.stdout + run.stderr
