"""Class 3 of the trust issue: malformed release folders, indexes and caches. `nkdata verify`
and `nkdata.load(path=...)` turn each into one NkdataError (or a coded problem), never a raw
pydantic, pyarrow or json exception, and never hang or fill the memory: the cases that could
run in a subprocess with a timeout, its peak memory checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nkdata.models import Quantity
from nkdata.schema.arrow import arrow_schema
from tests.conftest import rehash, rewrite_table
from tests.support.smallrelease import build, copy_release, small_corpus

MEMORY = 1 << 30
"""Peak resident size a subprocess may reach (an address-space limit would trip pyarrow, which
reserves address space for its threads up front)."""
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile-release")
    return build(small_corpus(root, 5), root / "releases")


@pytest.fixture
def folder(release: Path, tmp_path: Path) -> Path:
    return copy_release(release, tmp_path / release.name)


SCRIPT = """
import sys
from pathlib import Path
import nkdata
from nkdata.release.verify import verify_release
folder = Path(sys.argv[1])
codes = sorted({p.code.value for p in verify_release(folder).problems})
print("verify:", " ".join(codes))
try:
    data = nkdata.load(path=folder)
    for name in ("sources", "quantities", "articles", "claims", "figures", "page_parts"):
        table = getattr(data, name)
        table.to_arrow()
        list(table)
    print("load: ok")
except nkdata.NkdataError as exc:
    print("load: NkdataError", str(exc).replace(chr(10), " "))
import resource
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def verify_and_load(folder: Path, timeout: float = 60) -> tuple[str, str]:
    """verify_release and load(path=...) in a subprocess with a timeout: the codes verify
    reported, and how loading ended. A traceback, or a peak resident size over
    :data:`MEMORY`, fails the test."""
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert len(lines) == 3, run.stdout + run.stderr[-3000:]
    assert int(lines[2]) * 1024 < MEMORY, f"peak resident size {int(lines[2]) // 1024} MiB"
    return lines[0].removeprefix("verify: "), lines[1].removeprefix("load: ")


def test_class3_duplicated_parquet_column(folder: Path) -> None:
    rewrite_table(folder, "quantities", lambda t: t.append_column(t.field(1), t.column(1)))
    codes, loaded = verify_and_load(folder)
    assert "release-schema" in codes
    assert loaded.startswith("NkdataError") and "other columns" in loaded


def test_class3_fifo_in_place_of_a_table_file(folder: Path) -> None:
    (folder / "claims.parquet").unlink()
    os.mkfifo(folder / "claims.parquet")
    codes, loaded = verify_and_load(folder, timeout=30)
    assert "release-file" in codes
    assert loaded.startswith("NkdataError") and "not a regular file" in loaded


def test_class3_sparse_giant_in_place_of_a_table_file(folder: Path) -> None:
    with (folder / "figures.parquet").open("r+b") as handle:
        handle.truncate(3 << 30)
    codes, loaded = verify_and_load(folder)
    assert "release-hash" in codes
    assert loaded.startswith("NkdataError")


def test_class3_sparse_giant_that_the_descriptor_lists(folder: Path) -> None:
    with (folder / "figures.parquet").open("r+b") as handle:
        handle.truncate(3 << 30)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for entry in package["resources"]:
        if entry["path"] == "figures.parquet":
            entry["bytes"] = 3 << 30
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    codes, loaded = verify_and_load(folder)
    assert codes == "release-descriptor"
    assert loaded.startswith("NkdataError") and "refusing the release descriptor" in loaded


def test_class3_small_parquet_file_that_decodes_to_millions_of_rows(folder: Path) -> None:
    schema = arrow_schema(Quantity)
    rows = pa.table({f.name: pa.array(["x"] * 1_000_000) for f in schema}, schema=schema)
    with pq.ParquetWriter(folder / "quantities.parquet", schema, compression="zstd") as out:
        for _ in range(10):
            out.write_table(rows, row_group_size=len(rows))
    assert (folder / "quantities.parquet").stat().st_size < 1_000_000
    rehash(folder, "quantities.parquet")
    codes, loaded = verify_and_load(folder)
    assert "release-file" in codes
    assert loaded.startswith("NkdataError") and "decodes to more than" in loaded


def test_class3_parquet_text_that_is_not_utf8(folder: Path) -> None:
    table = pq.read_table(folder / "sources.parquet")
    names = [name.encode() for name in table.column("name").to_pylist()]
    names[0] = b"\xff\xfe" + names[0]
    text = pa.array(names, pa.binary()).view(pa.string())  # unchecked, as a forger writes
    at = table.schema.get_field_index("name")
    pq.write_table(table.set_column(at, table.field(at), text), folder / "sources.parquet")
    rehash(folder, "sources.parquet")
    codes, loaded = verify_and_load(folder)
    assert "release-file" in codes
    assert loaded.startswith("NkdataError") and "column name is not valid" in loaded


def test_class3_csv_header_that_is_not_utf8(folder: Path, nkdata) -> None:
    csv = folder / "sources.csv"
    csv.write_bytes(b"\xff\xfe" + csv.read_bytes())
    rehash(folder, "sources.csv")
    check = nkdata("verify", str(folder))  # in-process: a traceback would fail the test
    assert check.exit_code == 1
    assert "sources.csv: release-csv unreadable: 'utf-8' codec can't decode" in check.stdout


@pytest.mark.parametrize("where", ["descriptor", "index"])
def test_class3_json_nested_a_hundred_thousand_deep(folder: Path, where: str, nkdata) -> None:
    if where == "descriptor":
        (folder / "datapackage.json").write_bytes(DEEP)
        assert nkdata("verify", folder, "--format", "json").codes() == ["release-descriptor"]
        _, loaded = verify_and_load(folder)
        assert "nested too deeply" in loaded
        return
    from nkdata.errors import ReleaseError
    from nkdata.schema.releasefolder import Index

    with pytest.raises(ReleaseError, match="nested too deeply"):
        Index.parse(DEEP, "index.json")


def test_class3_cached_index_nested_too_deeply_is_dropped(private_cache: Path) -> None:
    from nkdata.store import cached_index

    private_cache.mkdir(parents=True, exist_ok=True)
    (private_cache / "index.json").write_bytes(DEEP)
    assert cached_index().versions == {}
    assert not (private_cache / "index.json").exists()


@pytest.mark.parametrize("framed", [False, True], ids=["bare", "as-header"])
@pytest.mark.parametrize(
    "content",
    [
        DEEP,
        b"[]",
        b'{"format": 4}',
        None,  # the right format and code, entries of the wrong type
    ],
    ids=["deep", "list", "partial", "wrong-shape"],
)
def test_class3_check_cache_of_any_shape_is_ignored(
    tmp_path: Path, nkdata, content: bytes | None, framed: bool
) -> None:
    from nkdata.corpus import checkcache

    corpus = small_corpus(tmp_path, 2)
    path = checkcache.cache_file(corpus)
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        wrong = {
            "format": checkcache.FORMAT,
            "code": checkcache.code_key(),
            "entries": [1],
            "registries": {"a": 1},
            "signatures": "x",
            "verified": 3,
            "index": [4, sys.byteorder],  # as written where the index type has 4 bytes
            "columns": "x",
            "rows": [1],
            "listing": 3,
        }
        content = json.dumps(wrong).encode()
    if framed:  # the JSON as the header of a cache file, after its magic line and length
        content = checkcache.MAGIC + len(content).to_bytes(8, "little") + content
    path.write_bytes(content)
    for _ in range(2):
        run = nkdata("validate", corpus)
        assert run.exit_code == 0, run.stdout + run.stderr
