"""Cutting releases: `nkdata release`, published vs unpublished, `nkdata diff`, errata, and
`nkdata download --all`, on a small repository of the tests' own (tests/support/minirepo.py)
and on the repository itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from nkdata.release.diff import Bump, compare
from nkdata.schema.releasefolder import Index, is_version, version_key
from tests.conftest import CORPUS, REPO, edit, rehash, snapshot
from tests.support.minirepo import write_article, write_repo
from tests.support.releaseserver import ReleaseServer

FIRST_DATE = "2026-01-10"
NEXT_DATE = "2026-02-01"


@pytest.fixture
def repo(tmp_path: Path, nkdata, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose first release is built and published; commands run from its root,
    offline (the cache is the test's own)."""
    root = tmp_path / "repo"
    write_repo(root, released=FIRST_DATE)
    monkeypatch.chdir(root)
    monkeypatch.setenv("NKDATA_OFFLINE", "1")
    for args in (("release", "minor", "--date", FIRST_DATE), ("build", "-q")):
        run = nkdata(*args)
        assert run.exit_code == 0, run.stderr
    run = nkdata("release", "--publish")
    assert run.exit_code == 0, run.stderr
    return root


def dataset(root: Path) -> dict[str, object]:
    return yaml.safe_load((root / "corpus" / "dataset.yaml").read_text(encoding="utf-8"))


def first_version(root: Path) -> str:
    return Index.read(root / "releases").published()[0]


def test_maintainer_path(repo: Path, nkdata) -> None:
    """Add an article, validate, release minor, build, edit, rebuild unpublished, diff."""
    published = first_version(repo)
    corpus = repo / "corpus"
    write_article(corpus, "second-article", 2500)
    assert nkdata("validate").exit_code == 0

    refused = nkdata("build", "-q")  # the published release cannot take the new article
    assert refused.exit_code == 1
    assert f"release {published} is published" in refused.stderr
    assert "`nkdata release minor`" in refused.stderr
    assert "corpus/dataset.yaml" in refused.stderr

    run = nkdata("release", "minor", "--date", NEXT_DATE)
    assert run.exit_code == 0, run.stderr
    version = Bump.MINOR.of(published)
    assert dataset(repo)["version"] == version
    assert str(dataset(repo)["released"]) == NEXT_DATE
    assert f"version {version}" in str(dataset(repo)["citation"])
    citation = yaml.safe_load((repo / "CITATION.cff").read_text(encoding="utf-8"))
    assert (citation["version"], citation["date-released"]) == (version, NEXT_DATE)
    assert f"## [{version}] - {NEXT_DATE}" in (repo / "CHANGELOG.md").read_text()

    assert nkdata("build", "-q").stdout.startswith(f"wrote release {version}")
    assert nkdata("build", "--check").exit_code == 0

    write_article(corpus, "first-article", 1200)  # a correction of a published row
    rebuilt = nkdata("build", "-q")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert rebuilt.stdout.startswith(f"rebuilt unpublished release {version}")
    assert nkdata("build", "--check").exit_code == 0  # the CHANGELOG block followed
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "value 1,000 → 1,200" in changelog

    diff = nkdata("diff", published, version)
    assert diff.exit_code == 0, diff.stderr
    assert "added to articles:\n  second-article" in diff.stdout
    assert "    value: 1,000 → 1,200" in diff.stdout
    assert '"North Korea has 1,200 mobile subscribers"' in diff.stdout  # the claim's quote
    assert "figures whose value changed, by quantity:\n  mobile-subscribers:" in diff.stdout
    found = json.loads(nkdata("diff", published, version, "--format", "json").stdout)
    assert found["tables"]["articles"]["added"] == ["second-article"]
    figure = found["figure_values"]["mobile-subscribers"][0]
    assert (figure["old"], figure["new"]) == ({"value": 1000.0}, {"value": 1200.0})
    markdown = nkdata("diff", f"releases/{published}", f"releases/{version}", "-f", "markdown")
    assert "| `articles` | 1 | 0 | 1 |" in markdown.stdout  # folders, pinned by their index
    card = (repo / "releases" / version / "README.md").read_text(encoding="utf-8")
    assert "| `articles` | 1 | 0 | 1 |" in card
    assert "`value`: `1,000 → 1,200`" in card


def test_release_again_keeps_the_unpublished_version(repo: Path, nkdata) -> None:
    published = first_version(repo)
    write_article(repo / "corpus", "second-article", 2500)
    assert nkdata("release", "minor", "--date", NEXT_DATE).exit_code == 0
    assert nkdata("build", "-q").exit_code == 0
    again = nkdata("release", "minor", "--date", NEXT_DATE)
    assert again.exit_code == 0, again.stderr
    version = Bump.MINOR.of(published)
    assert f"version {version} is not published yet: kept" in again.stdout
    assert dataset(repo)["version"] == version  # not bumped twice
    assert (repo / "CHANGELOG.md").read_text().count(f"## [{version}]") == 1


def test_a_larger_bump_moves_the_draft(repo: Path, nkdata) -> None:
    published = first_version(repo)
    write_article(repo / "corpus", "second-article", 2500)
    changelog = repo / "CHANGELOG.md"
    assert nkdata("release", "minor", "--date", NEXT_DATE).exit_code == 0
    draft = Bump.MINOR.of(published)
    edit(changelog, f"## [{draft}] - {NEXT_DATE}\n", f"## [{draft}] - {NEXT_DATE}\n\nOur words.\n")
    assert nkdata("build", "-q").exit_code == 0
    run = nkdata("release", "major", "--date", NEXT_DATE)
    assert run.exit_code == 0, run.stderr
    major = Bump.MAJOR.of(published)
    assert f"removed the unpublished release {draft}" in run.stdout
    assert not (repo / "releases" / draft).exists()
    assert draft not in Index.read(repo / "releases").versions
    text = changelog.read_text(encoding="utf-8")
    assert f"## [{major}] - {NEXT_DATE}\n\nOur words.\n" in text
    assert f"## [{draft}]" not in text
    assert nkdata("build", "-q").exit_code == 0
    assert nkdata("build", "--check").exit_code == 0


@pytest.mark.parametrize(
    ("kind", "change", "needed"),
    [
        ("patch", "new article", "minor"),
        ("patch", "nothing", None),
    ],
)
def test_a_bump_that_does_not_fit_is_refused(
    repo: Path, nkdata, kind: str, change: str, needed: str | None
) -> None:
    if change == "new article":
        write_article(repo / "corpus", "second-article", 2500)
    before = snapshot(repo)
    run = nkdata("release", kind, "--date", NEXT_DATE)
    assert run.exit_code == 1
    if needed is None:
        assert "nothing changed since release" in run.stderr
    else:
        assert "rows were added in articles, claims" in run.stderr
        assert f"that needs `nkdata release {needed}`" in run.stderr
    assert snapshot(repo) == before


def test_corrections_only_may_be_a_patch(repo: Path, nkdata) -> None:
    published = first_version(repo)
    edit(repo / "corpus" / "sources.yaml", "name: Jane Roe", "name: Jane Q. Roe")
    run = nkdata("release", "patch", "--date", NEXT_DATE)
    assert run.exit_code == 0, run.stderr
    assert dataset(repo)["version"] == Bump.PATCH.of(published)
    assert "only cells of existing rows changed, in sources" in run.stdout


def table(**columns: list[object]) -> pa.Table:
    return pa.table(columns)


@pytest.mark.parametrize(
    ("old", "new", "base", "needed"),
    [
        (table(id=["a"], x=[1]), table(id=["a"], y=[1]), "0.4.0", Bump.MINOR),  # breaking, 0.x
        (table(id=["a"], x=[1]), table(id=["a"], y=[1]), "1.2.0", Bump.MAJOR),  # breaking, 1.x
        (table(id=["a"], x=[1]), table(id=["a"], x=["1"]), "1.2.0", Bump.MAJOR),  # retyped
        (table(id=["a"]), table(id=["a"], y=[1]), "1.2.0", Bump.MINOR),  # a column added
        (table(id=["a"], x=[1]), table(id=["a", "b"], x=[1, 2]), "1.2.0", Bump.MINOR),
        (table(id=["a", "b"], x=[1, 2]), table(id=["a"], x=[1]), "1.2.0", Bump.MINOR),
        (table(id=["a"], x=[1]), table(id=["a"], x=[2]), "1.2.0", Bump.PATCH),
        (table(id=["a"], x=[1]), table(id=["a"], x=[1]), "1.2.0", None),
    ],
)
def test_bump_rules(old: pa.Table, new: pa.Table, base: str, needed: Bump | None) -> None:
    diff = compare(base, {"quantities": old}, "next", {"quantities": new})
    assert diff.needed_bump(base)[0] is needed


def test_published_release_is_never_rewritten_and_check_sees_it_altered(repo: Path, nkdata) -> None:
    published = first_version(repo)
    folder = repo / "releases" / published
    edit(repo / "corpus" / "sources.yaml", "name: Jane Roe", "name: Jane Q. Roe")
    before = snapshot(repo / "releases")
    assert nkdata("build", "-q").exit_code == 1
    assert snapshot(repo / "releases") == before
    # a consistent forgery: the file and its descriptor entry rewritten; the index pins the rest
    (folder / "sources.csv").write_text("id,name\n", encoding="utf-8")
    rehash(folder, "sources.csv")
    edit(repo / "corpus" / "sources.yaml", "name: Jane Q. Roe", "name: Jane Roe")
    check = nkdata("build", "--check")
    assert check.exit_code == 1
    assert f"releases/{published}/datapackage.json (published: its hash is pinned" in check.stderr
    assert "published releases never change" in check.stderr


@pytest.mark.parametrize("forgery", ["damaged", "altered"])
def test_a_bad_previous_release_is_an_error_not_a_wrong_count(
    repo: Path, nkdata, forgery: str
) -> None:
    published = first_version(repo)
    folder = repo / "releases" / published
    write_article(repo / "corpus", "second-article", 2500)
    assert nkdata("release", "minor", "--date", NEXT_DATE).exit_code == 0
    data = bytearray((folder / "claims.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "claims.parquet").write_bytes(bytes(data))
    if forgery == "altered":
        rehash(folder, "claims.parquet")
    before = snapshot(repo / "releases")
    for args in (("build", "-q"), ("diff", published, str(folder.parent / published))):
        run = nkdata(*args)
        assert run.exit_code == 1
        assert run.stderr.startswith("Error: ")
        assert "does not match its checksum" in run.stderr
        assert "Traceback" not in run.stderr
    assert snapshot(repo / "releases") == before


def test_released_before_the_previous_release_is_refused(repo: Path, nkdata) -> None:
    write_article(repo / "corpus", "second-article", 2500)
    assert nkdata("release", "minor", "--date", NEXT_DATE).exit_code == 0
    edit(repo / "corpus" / "dataset.yaml", f"released: {NEXT_DATE}", "released: 2025-12-31")
    edit(repo / "CITATION.cff", NEXT_DATE, "2025-12-31")
    run = nkdata("build", "-q")
    assert run.exit_code == 1
    assert "corpus/dataset.yaml: released 2025-12-31 is before" in run.stderr
    assert "`nkdata release patch|minor|major`" in run.stderr
    early = nkdata("release", "minor", "--date", "2025-12-31")
    assert early.exit_code == 1
    assert "is before" in early.stderr


def test_citation_and_changelog_must_follow_the_version(repo: Path, nkdata) -> None:
    write_article(repo / "corpus", "second-article", 2500)
    assert nkdata("release", "minor", "--date", NEXT_DATE).exit_code == 0
    assert nkdata("build", "-q").exit_code == 0
    edit(repo / "CITATION.cff", f'date-released: "{NEXT_DATE}"', 'date-released: "2026-01-31"')
    for args in (("build", "-q"), ("build", "--check")):
        run = nkdata(*args)
        assert run.exit_code == 1
        assert "CITATION.cff: date-released is '2026-01-31'" in run.stderr
    edit(repo / "CITATION.cff", 'date-released: "2026-01-31"', f'date-released: "{NEXT_DATE}"')
    edit(repo / "CHANGELOG.md", "| `articles` | 1 |", "| `articles` | 7 |")
    check = nkdata("build", "--check")
    assert check.exit_code == 1
    assert "CHANGELOG.md (the entry of" in check.stderr
    assert nkdata("build", "-q").exit_code == 0  # rewrites the block
    assert nkdata("build", "--check").exit_code == 0


def test_publish_needs_a_release_that_matches_the_corpus(repo: Path, nkdata) -> None:
    write_article(repo / "corpus", "second-article", 2500)
    assert nkdata("release", "minor", "--date", NEXT_DATE).exit_code == 0
    refused = nkdata("release", "--publish")
    assert refused.exit_code == 1
    assert "has not been built: run `nkdata build` first" in refused.stderr
    assert nkdata("build", "-q").exit_code == 0
    write_article(repo / "corpus", "third-article", 3100)
    stale = nkdata("release", "--publish")
    assert stale.exit_code == 1
    assert "does not match the corpus" in stale.stderr
    assert nkdata("build", "-q").exit_code == 0
    assert nkdata("release", "--publish").exit_code == 0
    version = str(dataset(repo)["version"])
    assert version in Index.read(repo / "releases").published()
    assert "Not published yet" not in (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert nkdata("build", "--check").exit_code == 0


def test_errata_are_checked_against_the_release_they_name(repo: Path, nkdata) -> None:
    published = first_version(repo)
    errata = repo / "corpus" / "errata.yaml"
    entry = (
        "errata:\n"
        "  - id: subscribers-misread\n"
        "    table: figures\n"
        "    row_id: first-article:c01:f1\n"
        "    column: value\n"
        f"    wrong_in: {published}\n"
        "    fixed_in: null\n"
        "    status: open\n"
        "    what: The figure reads 1,000 where the page says 1,200.\n"
        "    reason: The page was misread.\n"
        "    reported_by: A reader\n"
    )
    errata.write_text(entry, encoding="utf-8")
    assert nkdata("validate").exit_code == 0
    errata.write_text(
        entry.replace("first-article:c01:f1", "first-article:c09:f1").replace(
            "fixed_in: null", "fixed_in: null\n    fixed_by: nobody"
        ),
        encoding="utf-8",
    )
    run = nkdata("validate", "--format", "json")
    assert run.exit_code == 1
    problems = {(p["code"], p["path"], p["line"]) for p in run.problems()}
    assert problems == {
        ("field-unknown", "errata[0].fixed_by", 8),
    }
    errata.write_text(entry.replace("first-article:c01:f1", "first-article:c09:f1"))
    run = nkdata("validate", "--format", "json")
    assert [(p["code"], p["path"], p["line"]) for p in run.problems()] == [
        ("ref-unknown", "errata[0].row_id", 4)
    ]
    assert f"release {published} has no row 'first-article:c09:f1'" in run.stdout
    errata.write_text(entry.replace("status: open", "status: fixed"), encoding="utf-8")
    run = nkdata("validate", "--format", "json")
    assert run.codes() == ["field-value"]


def test_the_card_lists_every_erratum(repo: Path, nkdata) -> None:
    published = first_version(repo)
    (repo / "corpus" / "errata.yaml").write_text(
        "errata:\n"
        "  - id: subscribers-misread\n"
        "    table: figures\n"
        "    row_id: first-article:c01:f1\n"
        f"    wrong_in: {published}\n"
        "    status: wont_fix\n"
        "    what: The figure reads 1,000.\n"
        "    reason: It is what the page says.\n"
        "    reported_by: A reader\n",
        encoding="utf-8",
    )
    edit(repo / "corpus" / "sources.yaml", "name: Jane Roe", "name: Jane Q. Roe")
    assert nkdata("release", "patch", "--date", NEXT_DATE).exit_code == 0
    assert nkdata("build", "-q").exit_code == 0
    card = (repo / "releases" / Bump.PATCH.of(published) / "README.md").read_text()
    assert (
        f"| `subscribers-misread` | `figures` `first-article:c01:f1` | {published} | - | "
        "wont_fix | The figure reads 1,000. | It is what the page says. | A reader |"
    ) in card


def test_the_repository_errata_name_rows_of_the_releases_they_correct() -> None:
    from nkdata.release.errata import check_errata, corpus_version

    found = check_errata(CORPUS, corpus_version(CORPUS), REPO / "releases")
    assert found.problems == []
    assert {e.row_id for e in found.entries} >= {
        "unidentified-publisher-troops-russia-internet",
        "unidentified-publisher-expanded-coverage",
        "unidentified-publisher-party-elite",
    }


def test_the_repository_publishes_every_release_older_than_the_corpus_version() -> None:
    """Every release older than the corpus's version is published, so a build can never change
    it; the corpus's own version may be either (a draft until `nkdata release --publish`)."""
    version = yaml.safe_load((CORPUS / "dataset.yaml").read_text(encoding="utf-8"))["version"]
    index = Index.read(REPO / "releases")
    older = [v for v in index.versions if version_key(v) < version_key(version)]
    assert version in index.versions
    assert older and set(older) <= set(index.published())
    assert set(index.published()) <= {*older, version}


def test_download_all_fetches_every_published_version(
    tmp_path: Path, nkdata, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = tmp_path / "host"
    shutil.copytree(REPO / "releases", host)
    index = Index.read(host)
    published = index.published()
    unpublished = [v for v in index.versions if v not in published]
    with ReleaseServer(host) as server:
        monkeypatch.setenv("NKDATA_BASE_URL", server.url)
        run = nkdata("download", "--all", "-q")
    assert run.exit_code == 0, run.stderr
    assert f"{len(published)} published version(s) in the cache" in run.stdout
    assert sorted(p.name for p in private_cache.iterdir() if is_version(p.name)) == published
    assert not any((private_cache / v).exists() for v in unpublished)
    from nkdata.store import cached_versions

    assert cached_versions() == published  # every file of each in place
    monkeypatch.setenv("NKDATA_OFFLINE", "1")
    offline = nkdata("download", "--all")
    assert offline.exit_code == 1
    assert "offline mode" in offline.stderr
