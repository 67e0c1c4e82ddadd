"""Shared fixtures: copies of the real corpus to break, a CLI runner and a tree snapshot."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from nkdata.cli import app
from nkdata.models import Row

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
ARTICLE = "rfa-2018-workers-russia-internet-blocked"

# Hypothesis: few examples (every one builds a release), no example database in the working
# tree, derandomized under CI so that a failure reproduces; `--hypothesis-profile=thorough`
# for a longer search.
_PROFILE = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", max_examples=20, derandomize=True, **_PROFILE)
settings.register_profile("dev", max_examples=20, **_PROFILE)
settings.register_profile("thorough", max_examples=500, **_PROFILE)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def problems(self) -> list[dict[str, object]]:
        """The problems of a ``--format json`` run."""
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def codes(self) -> list[str]:
        return [str(p["code"]) for p in self.problems()]


@pytest.fixture
def private_cache() -> Path:
    """The cache folder of this test (set by ``_no_real_cache_no_network``): never the user's."""
    return Path(os.environ["NKDATA_CACHE_DIR"])


@pytest.fixture
def nkdata() -> Callable[..., Run]:
    """Run the ``nkdata`` CLI in-process: ``nkdata("validate", path)``."""

    def run(*args: object) -> Run:
        result = CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of the committed corpus, under tmp_path/repo/corpus."""
    target = tmp_path / "repo" / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def article(corpus: Path) -> Path:
    """The folder of one fully annotated article inside the copy."""
    return corpus / "articles" / ARTICLE


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` with the hash of its bytes: equal snapshots, nothing written."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line of ``path`` containing ``needle``."""
    lines = [
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    ]
    return lines[occurrence - 1]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a file, failing loudly if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def tree(root: Path) -> dict[str, str]:
    """Every entry under ``root``, links not followed: what a write of any kind would change."""
    entries = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                kind = f"link:{path.readlink()}"
            elif stat.S_ISREG(info.st_mode):
                kind = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                kind = f"mode:{stat.S_IFMT(info.st_mode)}"
            entries[str(path.relative_to(root))] = kind
    return entries


def typed_rows(records: Iterable[dict[str, str]], model: type[Row]) -> list[dict[str, object]]:
    """CSV records (every cell text) typed back by the column kinds of ``model``.

    An empty cell is null, except in a list column, where it is the empty list (the only empty
    strings a release holds). Numbers must read back exactly.
    """
    from datetime import date

    from nkdata.schema.columns import columns

    parse: dict[str, Callable[[str], object]] = {
        "string": str,
        "integer": int,
        "number": float,
        "boolean": {"true": True, "false": False}.__getitem__,  # nothing else is a boolean
        "date": date.fromisoformat,
        "list": lambda cell: cell.split(",") if cell else [],
    }
    kinds = {column.name: column.kind for column in columns(model)}
    return [
        {
            name: None if cell == "" and kinds[name] != "list" else parse[kinds[name]](cell)
            for name, cell in record.items()
        }
        for record in records
    ]


def rehash(folder: Path, name: str) -> None:
    """Record a changed file's new size and hash in its release descriptor, as a consistent
    forgery would, so that only the checks after the hash check can catch the change."""
    from nkdata.schema.releasefolder import ReleaseFile

    descriptor = folder / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    stats = ReleaseFile.of(folder / name)
    for entry in package["resources"]:
        if entry["path"] == name:
            entry["bytes"], entry["hash"] = stats.bytes, stats.sha256
    descriptor.write_text(json.dumps(package, indent=2), encoding="utf-8")


def rewrite_table(folder: Path, name: str, change: Callable[[Any], Any]) -> None:
    """Apply ``change`` to the Arrow table ``name`` of a release, write its Parquet and CSV
    files back with the release writers and record them in the descriptor."""
    import pyarrow.parquet as pq

    from nkdata.release.fileformats import write_csv, write_parquet

    table = change(pq.read_table(folder / f"{name}.parquet"))
    write_parquet(table, folder / f"{name}.parquet")
    write_csv(table, folder / f"{name}.csv")
    rehash(folder, f"{name}.parquet")
    rehash(folder, f"{name}.csv")
