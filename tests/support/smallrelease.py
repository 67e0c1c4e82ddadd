"""A small valid corpus and its release, made for a test: the synthetic corpus of
benchmarks/generate.py, so that tests do not depend on the state of the committed corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from benchmarks.generate import generate
from nkdata.cli import app

ARTICLES = 30


def small_corpus(root: Path, articles: int = ARTICLES, *, page_parts: bool = True) -> Path:
    """A valid corpus of ``articles`` synthetic articles at ``root/corpus`` (without
    ``page_parts``, none marks a part of its page as not body)."""
    return generate(root / "corpus", articles, workers=1, page_parts=page_parts)


def build(corpus: Path, releases: Path) -> Path:
    """Build ``corpus`` into ``releases``; the release folder."""
    result = CliRunner().invoke(app, ["build", str(corpus), "--releases", str(releases), "--quiet"])
    assert result.exit_code == 0, result.output
    return next(p for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))


def copy_release(release: Path, target: Path) -> Path:
    """A private copy of a release folder, to break."""
    shutil.copytree(release, target)
    return target
