"""`nkdata info`: what a user learns about the bundled release, from the release itself."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nkdata as nk
from nkdata.loading import Dataset
from nkdata.models import TABLES as MODELS

TABLES = tuple(model.table for model in MODELS)


def test_info_reports_the_bundled_release(nkdata) -> None:
    data = nk.load()
    run = nkdata("info")
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    title = data.descriptor["title"]
    assert lines[0] == f"nkdata {data.version}: {title}"
    for table in TABLES:
        count = len(getattr(data, table))
        assert count > 0
        assert any(line.split() == [table, f"{count:,}"] for line in lines), table
    licences = lines[lines.index("licences:") + 1 : lines.index("article texts:") - 1]
    assert licences[0].startswith("  CC-BY-4.0: Creative Commons Attribution 4.0 International")
    assert licences[0].endswith(" (https://creativecommons.org/licenses/by/4.0/)")
    assert licences[1].startswith("  other-closed: The article texts (articles.text)")
    assert licences[1].endswith("see each article's `rights`"), "no empty link"
    assert "Each article's `rights` field says who holds the text" in run.stdout
    citation = lines[lines.index("citation:") + 1].strip()
    assert citation.startswith("nkdata contributors (2026). nkdata: reporting on")
    assert f"version {data.version} [data set]" in citation


@pytest.fixture
def release(tmp_path: Path, monkeypatch) -> Dataset:
    """A copy of the bundled release, which `nkdata.load()` then returns."""
    bundled = nk.load()
    folder = tmp_path / bundled.version
    shutil.copytree(bundled.path, folder)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    data = Dataset(bundled.version, folder, descriptor)
    monkeypatch.setattr(nk, "load", lambda version=None: data)
    return data


def test_citation_prefers_the_descriptor(nkdata, release: Dataset) -> None:
    release.descriptor["nkdata:citation"] = "Someone (2031). A citation from the descriptor."
    run = nkdata("info")
    assert run.exit_code == 0
    assert "  Someone (2031). A citation from the descriptor." in run.stdout.splitlines()


def test_release_without_a_citation_says_so(nkdata, release: Dataset) -> None:
    del release.descriptor["nkdata:citation"]
    run = nkdata("info")
    assert run.exit_code == 0
    assert "  not recorded in this release" in run.stdout.splitlines()


def test_a_corrupted_table_is_an_error_not_a_count(nkdata, release: Dataset) -> None:
    with (release.path / "claims.parquet").open("ab") as handle:
        handle.write(b"tampered")
    run = nkdata("info")
    assert run.exit_code == 1
    assert run.stderr.startswith("Error: ")
    assert "claims.parquet" in run.stderr
    assert "rows:" not in run.stdout


def test_help_lists_the_new_commands_without_heavy_imports(nkdata) -> None:
    """`nkdata --help` stays fast: the CLI module imports neither pyarrow nor pydantic."""
    code = (
        "import sys; from nkdata.cli import app; "
        "print([m for m in ('pyarrow', 'pydantic', 'nkdata.corpus.scaffold', 'nkdata.loading', "
        "'matplotlib', 'jinja2', 'nkdata.view.site') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    run = nkdata("--help")
    assert "new" in run.stdout
    assert "info" in run.stdout
    run = nkdata("new", "--help")
    assert "article" in run.stdout
    assert "source" in run.stdout
