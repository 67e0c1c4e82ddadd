"""The corpus grows: a contributor adds an article, a maintainer bumps the version and builds.

A copy of the repository's corpus, whatever it holds today, gets one new valid article (with a
new source and a new quantity in the registries) and the next version; `nkdata validate`,
`nkdata build` and `nkdata.load(path=...)` then see exactly what was added, and the release of
the version before is untouched. No count or version is written here: each is read from the
corpus or the release being tested.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

import nkdata as nk
from nkdata.models import TABLES
from tests.conftest import CORPUS, snapshot
from tests.support.corpusfacts import (
    bump_version,
    corpus_counts,
    corpus_version,
    next_version,
    release_counts,
)
from tests.support.newarticle import FIGURE_TEXT, FIGURE_VALUE, QUOTE, TEXT, add_article


@pytest.fixture
def repo(tmp_path: Path, nkdata) -> Path:
    """A copy of the corpus with the release of its version built, as the main branch holds."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    built = nkdata("build", tmp_path / "corpus", "-q")
    assert built.exit_code == 0, built.stderr
    return tmp_path


def test_a_new_article_and_the_next_version_grow_every_table_by_what_was_added(
    repo: Path, nkdata
) -> None:
    corpus = repo / "corpus"
    version = corpus_version(corpus)
    released = repo / "releases" / version
    before = release_counts(released)
    assert set(before) == {model.table for model in TABLES}
    old_release = snapshot(released)
    published = nkdata("release", "--publish", "--corpus", corpus)  # so that it never changes
    assert published.exit_code == 0, published.stderr

    added = add_article(corpus)
    following = next_version(version)
    today = date.today().isoformat()
    bump_version(corpus, following, released=today)

    validated = nkdata("validate", corpus)
    assert validated.exit_code == 0, validated.stdout + validated.stderr
    articles = before["articles"] + 1
    assert validated.stdout.splitlines()[-1] == f"valid: {articles} article(s), no problems"

    built = nkdata("build", corpus, "-q")
    assert built.exit_code == 0, built.stdout + built.stderr
    release = repo / "releases" / following
    expected = {table: rows + added.rows.get(table, 0) for table, rows in before.items()}
    assert release_counts(release) == expected
    counted = corpus_counts(corpus)
    assert {table: expected[table] for table in counted} == counted
    assert snapshot(released) == old_release, "the earlier release never changes"
    assert nkdata("build", corpus, "--check").exit_code == 0

    data = nk.load(path=release)
    assert (data.version, data.origin) == (following, "folder")
    assert {model.table: len(getattr(data, model.table)) for model in TABLES} == expected
    article = data.articles[added.article_id]
    assert (article.text, article.publisher_id) == (TEXT, added.source_id)
    claim = data.claims[added.claim_id]
    assert claim.article_id == added.article_id and claim.quote == QUOTE
    assert article.text[claim.quote_start : claim.quote_end] == QUOTE
    figure = data.figures[added.figure_id]
    assert (figure.claim_id, figure.text, figure.value) == (claim.id, FIGURE_TEXT, FIGURE_VALUE)
    assert article.text[figure.text_start : figure.text_end] == FIGURE_TEXT
    assert data.quantities[figure.quantity_id].id == added.quantity_id
    assert figure.unit == data.quantities[added.quantity_id].unit
    assert data.sources[claim.source_id].id == added.source_id
    old = nk.load(path=released)
    assert old.version == version and added.article_id not in old.articles

    package = data.descriptor
    assert package["version"] == following
    assert package["created"] == f"{today}T00:00:00Z"
    assert f"version {following}" in package["nkdata:citation"]
    card = (release / "README.md").read_text(encoding="utf-8")
    assert f"Since {version}:" in card
    for model in TABLES:
        assert f"| `{model.table}` | {added.rows.get(model.table, 0)} | 0 | 0 |" in card
    index = json.loads((repo / "releases" / "index.json").read_text(encoding="utf-8"))
    assert index["latest"] == following and set(index["versions"]) == {version, following}
    root = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    assert root["version"] == following


def test_the_new_article_is_refused_until_its_registry_entries_exist(
    tmp_path: Path, nkdata
) -> None:
    """The article alone is not valid: the test's article needs exactly what it adds."""
    corpus = shutil.copytree(CORPUS, tmp_path / "corpus")
    add_article(corpus)
    for registry in ("sources.yaml", "quantities.yaml"):
        shutil.copyfile(CORPUS / registry, corpus / registry)
    run = nkdata("validate", corpus, "--format", "json")
    assert run.exit_code == 1
    problems = {(p["code"], p["path"]) for p in run.problems()}
    assert ("ref-unknown", "publisher_id") in problems
    assert ("ref-unknown", "claims[0].figures[0].quantity_id") in problems
