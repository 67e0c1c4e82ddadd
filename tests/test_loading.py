"""`nkdata.load()`: the bundled release, release folders, typed rows, lookups, conversions,
checksums on use, import cost and the typed API as mypy --strict sees it."""

from __future__ import annotations

import doctest
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import nkdata
from nkdata import store
from nkdata.models import TABLES, Row
from nkdata.schema.arrow import arrow_schema
from nkdata.schema.releasefolder import ReleaseFile
from tests.conftest import REPO, rewrite_table
from tests.support.corpusfacts import latest_release, next_version, release_folder

LATEST = latest_release()
"""The release a checkout bundles as the latest: what ``nkdata.load()`` returns."""
RELEASE = release_folder(LATEST)
NAMES = [model.table for model in TABLES]


@pytest.fixture(scope="module")
def data() -> nkdata.Dataset:
    return nkdata.load()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A private copy of the committed release, as `nkdata download --dest` leaves it."""
    shutil.copytree(RELEASE, tmp_path / LATEST)
    return tmp_path / LATEST


def test_bundled_release_is_the_latest(data: nkdata.Dataset) -> None:
    index = json.loads((REPO / "releases" / "index.json").read_text(encoding="utf-8"))
    assert data.version == index["latest"] and data.origin == "bundled"
    assert data.path == RELEASE
    assert data.descriptor["version"] == data.version


@pytest.mark.parametrize("model", TABLES, ids=NAMES)
def test_every_table_converts_counts_and_iterates(data: nkdata.Dataset, model: type[Row]) -> None:
    table = getattr(data, model.table)
    expected = pq.read_table(RELEASE / f"{model.table}.parquet")
    arrow = table.to_arrow()
    assert arrow.equals(expected) and arrow.schema.equals(arrow_schema(model))
    assert len(table) == expected.num_rows > 0
    assert len(table.to_pandas()) == len(table) == table.to_polars().height
    rows = list(table)
    assert all(type(row) is model for row in rows)
    assert [row.id for row in rows] == expected.column("id").to_pylist()
    assert rows[-1].model_dump() == expected.slice(len(rows) - 1).to_pylist()[0]


@pytest.mark.parametrize("model", TABLES, ids=NAMES)
def test_lookup_by_id(data: nkdata.Dataset, model: type[Row]) -> None:
    table = getattr(data, model.table)
    rows = list(table)
    for row in (rows[0], rows[len(rows) // 2], rows[-1]):
        assert table[row.id] == row and table.get(row.id) == row and row.id in table
    with pytest.raises(KeyError, match="no-such-id"):
        table["no-such-id"]
    assert table.get("no-such-id") is None
    assert "no-such-id" not in table and 1 not in table and None not in table


def test_lookup_does_not_build_a_dict_of_rows(data: nkdata.Dataset) -> None:
    claims = data.claims
    claims["rfa-2018-workers-russia-internet-blocked:c01"]
    assert not any(isinstance(v, dict) for v in vars(claims).values())


def test_lookup_in_a_table_that_is_not_sorted(folder: Path) -> None:
    rewrite_table(folder, "claims", lambda t: t.take(list(reversed(range(len(t))))))
    claims = nkdata.load(path=folder).claims
    rows = list(claims)
    assert rows[0].id > rows[-1].id
    assert all(claims[row.id] == row for row in rows[:: max(1, len(rows) // 10)])
    assert "no-such-id" not in claims and "" not in claims and "~" not in claims


def test_rows_link_across_tables(data: nkdata.Dataset) -> None:
    figure = next(iter(data.figures))
    claim = data.claims[figure.claim_id]
    article = data.articles[claim.article_id]
    assert article.text[figure.text_start : figure.text_end] == figure.text
    assert article.text[claim.quote_start : claim.quote_end] == claim.quote
    assert data.quantities[figure.quantity_id].unit == figure.unit
    assert data.sources[claim.source_id].id == claim.source_id


def test_load_a_release_folder(folder: Path) -> None:
    for path in (folder, folder / "datapackage.json", str(folder)):
        data = nkdata.load(path=path)
        assert data.origin == "folder" and data.path == folder and data.version == LATEST
        assert len(data.claims) == len(nkdata.load().claims)
    assert nkdata.load(LATEST, path=folder).version == LATEST


@pytest.mark.parametrize(
    ("version", "path", "message"),
    [
        (
            next_version(LATEST),
            ".",
            rf"holds release {re.escape(LATEST)}, not {re.escape(next_version(LATEST))}",
        ),
        (None, "missing", r"is not a release folder: it has no datapackage\.json"),
    ],
)
def test_load_a_wrong_folder(folder: Path, version: str | None, path: str, message: str) -> None:
    with pytest.raises(nkdata.NkdataError, match=message):
        nkdata.load(version, path=folder / path)


def test_damaged_file_in_a_folder_is_never_returned_nor_deleted(folder: Path) -> None:
    path = folder / "claims.parquet"
    original = path.read_bytes()
    path.write_bytes(original[:500] + bytes([original[500] ^ 1]) + original[501:])
    actual = ReleaseFile.of(path).sha256
    data = nkdata.load(path=folder)
    assert len(data.figures) > 0, "the other tables still load"
    for use in (len, list, lambda t: t.to_arrow(), lambda t: t["x"]):
        with pytest.raises(nkdata.ChecksumError) as caught:
            use(data.claims)
    message = str(caught.value)
    expected = next(
        e["hash"] for e in data.descriptor["resources"] if e["path"] == "claims.parquet"
    )
    assert f"claims.parquet in {folder} does not match its checksum" in message
    assert f"expected {expected}, got {actual}" in message and "nkdata download" in message
    assert path.exists(), "a user's folder is never changed"


def test_damaged_bundled_file_asks_for_a_reinstall(tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(REPO / "releases", tmp_path / "releases")
    monkeypatch.setattr(store, "bundled_root", lambda: tmp_path / "releases")
    descriptor = tmp_path / "releases" / LATEST / "datapackage.json"
    descriptor.write_text(descriptor.read_text(encoding="utf-8") + " ", encoding="utf-8")
    with pytest.raises(nkdata.ChecksumError, match=r"datapackage\.json .*reinstall"):
        nkdata.load()
    assert descriptor.exists()


def test_a_table_with_unknown_columns_converts_but_does_not_type(folder: Path) -> None:
    rewrite_table(folder, "quantities", lambda t: t.append_column("extra", pa.nulls(len(t))))
    table = nkdata.load(path=folder).quantities
    assert "extra" in table.to_arrow().column_names
    with pytest.raises(nkdata.ReleaseError, match="other columns than this version of nkdata"):
        next(iter(table))


@pytest.mark.parametrize(
    ("version", "error", "message"),
    [
        ("latest", nkdata.VersionNotFoundError, r"'latest' is not a version"),
        (f"../{LATEST}", nkdata.VersionNotFoundError, r"is not a version"),
        ("0.0.1", nkdata.DownloadError, r"cannot reach the release host"),
    ],
)
def test_load_errors(version: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        nkdata.load(version)


def test_conversion_without_its_extra_is_a_clear_error(data, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(nkdata.NkdataError, match=r"pip install 'nkdata\[polars\]'"):
        data.sources.to_polars()


def test_import_is_cheap_and_heavy_libraries_load_on_use() -> None:
    heavy = ["pyarrow", "pydantic", "pandas", "polars", "frictionless", "pooch", "requests"]
    heavy += ["matplotlib", "jinja2"]
    script = f"""
import sys
heavy = {heavy!r}
loaded = lambda: [m for m in heavy if m in sys.modules]
import nkdata
print(loaded())
data = nkdata.load()
print(loaded())
data.claims.to_arrow()
print(loaded())
next(iter(data.claims))
print(loaded())
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    after_import, after_load, after_arrow, after_rows = map(eval, run.stdout.splitlines())
    assert after_import == [] and after_load == []
    assert "pyarrow" in after_arrow and "pydantic" not in after_arrow
    assert "pydantic" in after_rows
    assert not {"polars", "frictionless", "pooch", "requests", "matplotlib", "jinja2"} & set(
        after_rows
    )


def test_typed_example_passes_mypy_strict_and_runs(tmp_path: Path) -> None:
    example = REPO / "tests" / "support" / "typed_usage.py"
    wrong = tmp_path / "wrong_usage.py"
    wrong.write_text(
        "from typing import assert_type\n"
        "import nkdata\n"
        "from nkdata.models import Source\n"
        "assert_type(next(iter(nkdata.load().claims)), Source)\n",
        encoding="utf-8",
    )
    mypy = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "mypy")]
    run = subprocess.run(
        [*mypy, str(example), str(wrong)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert errors == [
        f'{wrong}:4: error: Expression is of type "Claim", not "Source"  [assert-type]'
    ], run.stdout
    from tests.support.typed_usage import main

    assert main()["articles"] == len(nkdata.load().articles)


@pytest.mark.parametrize("module", ["nkdata", "nkdata.loading", "nkdata.store"])
def test_docstring_examples(module: str) -> None:
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
