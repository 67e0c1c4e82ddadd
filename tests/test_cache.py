"""The check cache: unchanged articles are not parsed again, and the cache never hides an error.

Each test validates a copy of the corpus once to fill the cache, changes something, and checks
that the next run reports exactly what a run without the cache reports. Parsing is counted
through the read stage's ``read_article``, which every article not taken from the cache goes
through (the seed corpus is small, so articles are checked in this process).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from nkdata.corpus import article as article_stage
from nkdata.corpus import checkcache
from tests.conftest import ARTICLE, edit, snapshot

YAML = "article.yaml"


def calls(monkeypatch: pytest.MonkeyPatch, name: str, folder_of: Callable[..., str]) -> list[str]:
    """The folders that ``nkdata.corpus.article.<name>`` is called for, run after run."""
    folders: list[str] = []
    original = getattr(article_stage, name)

    def counting(*args):  # type: ignore[no-untyped-def]
        folders.append(folder_of(*args))
        return original(*args)

    monkeypatch.setattr(article_stage, name, counting)
    return folders


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders of the articles parsed (not taken from the cache), run after run."""
    return calls(monkeypatch, "read_article", lambda raw: raw.folder)


def report(nkdata, path: Path, *options: str) -> tuple[int, list[dict[str, object]]]:
    run = nkdata("validate", path, "--format", "json", *options)
    return run.exit_code, run.problems()


def articles_in(corpus: Path) -> int:
    return len(list((corpus / "articles").iterdir()))


def second_run_skips_all_and_one_edit_one(nkdata, corpus: Path, counted: list[str]) -> None:
    """Run twice, then edit one article and run again: ``counted`` holds all, none, then it."""
    assert report(nkdata, corpus) == (0, [])
    assert len(counted) == articles_in(corpus)
    counted.clear()
    assert report(nkdata, corpus) == (0, [])
    assert counted == []
    edit(corpus / "articles" / ARTICLE / YAML, "statement: Fireworks", "statement: Bright fire")
    assert report(nkdata, corpus) == (0, [])
    assert counted == [ARTICLE]


def test_second_run_parses_nothing_and_one_edit_parses_one(nkdata, corpus: Path, parsed) -> None:
    second_run_skips_all_and_one_edit_one(nkdata, corpus, parsed)


def test_edited_article_is_checked_again(nkdata, corpus: Path, article: Path) -> None:
    assert report(nkdata, corpus)[0] == 0
    edit(article / YAML, "for laborers sent to work", "for labourers sent to work")
    code, problems = report(nkdata, corpus)
    assert code == 1
    assert [p["code"] for p in problems] == ["quote-not-found"]
    assert (code, problems) == report(nkdata, corpus, "--no-cache")


def test_edited_text_is_checked_again(nkdata, corpus: Path, article: Path) -> None:
    assert report(nkdata, corpus)[0] == 0
    edit(article / "text.txt", "blocked for laborers", "blocked for workers")
    code, problems = report(nkdata, corpus)
    assert code == 1
    assert "quote-not-found" in [p["code"] for p in problems]
    assert (code, problems) == report(nkdata, corpus, "--no-cache")


def test_edited_registry_is_never_hidden(nkdata, corpus: Path, parsed) -> None:
    assert report(nkdata, corpus)[0] == 0
    parsed.clear()
    edit(corpus / "sources.yaml", "id: rfa-source-pyongyang-2", "id: rfa-source-pyongyang-two")
    code, problems = report(nkdata, corpus)
    assert code == 1
    unknown = [p for p in problems if p["code"] == "ref-unknown"]
    assert unknown and all(str(p["file"]).endswith(f"articles/{ARTICLE}/{YAML}") for p in unknown)
    assert all(p["line"] for p in unknown), "located, as without the cache"
    assert parsed == [ARTICLE], "only the article naming the removed source is parsed again"
    assert (code, problems) == report(nkdata, corpus, "--no-cache")


def test_new_package_version_starts_an_empty_cache(
    nkdata, corpus: Path, parsed, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert report(nkdata, corpus)[0] == 0
    parsed.clear()
    monkeypatch.setattr(checkcache, "code_key", lambda: "0" * 64)  # as a new version would
    assert report(nkdata, corpus) == (0, [])
    assert len(parsed) == articles_in(corpus)


def test_code_key_follows_sources_and_dependencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pydantic
    import pydantic_core

    assert checkcache.installed("pydantic") == f"pydantic-{pydantic.VERSION}.dist-info"
    core = checkcache.installed("pydantic_core")
    assert core == f"pydantic_core-{pydantic_core.__version__}.dist-info"
    package = tmp_path / "nkdata"
    shutil.copytree(checkcache.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = checkcache.code_key(package)
    assert before == checkcache.code_key(checkcache.PACKAGE)
    with (package / "fields.py").open("a", encoding="utf-8") as source:
        source.write("\n# a rule changed\n")
    try:
        checkcache.code_key.cache_clear()
        assert checkcache.code_key(package) != before
        with monkeypatch.context() as patch:
            patch.setattr(checkcache, "installed", lambda module: f"{module}-99.0.0.dist-info")
            checkcache.code_key.cache_clear()
            assert checkcache.code_key(checkcache.PACKAGE) != before
    finally:
        checkcache.code_key.cache_clear()


def test_failed_run_still_records_the_valid_articles(
    nkdata, corpus: Path, article: Path, parsed
) -> None:
    edit(article / YAML, "for laborers sent to work", "for labourers sent to work")
    assert report(nkdata, corpus)[0] == 1
    parsed.clear()
    edit(article / YAML, "for labourers sent to work", "for laborers sent to work")
    assert report(nkdata, corpus) == (0, [])
    assert parsed == [ARTICLE]


def test_stray_file_beside_a_cached_article_is_reported(
    nkdata, corpus: Path, article: Path
) -> None:
    assert report(nkdata, corpus)[0] == 0
    (article / "notes.txt").write_text("draft\n", encoding="utf-8")
    code, problems = report(nkdata, corpus)
    assert (code, [p["code"] for p in problems]) == (1, ["file-stray"])


def test_no_cache_neither_reads_nor_writes(nkdata, corpus: Path, parsed, private_cache) -> None:
    assert report(nkdata, corpus, "--no-cache") == (0, [])
    assert not any(path.is_file() for path in private_cache.rglob("*"))
    assert report(nkdata, corpus) == (0, [])
    parsed.clear()
    assert report(nkdata, corpus, "--no-cache") == (0, [])
    assert len(parsed) == articles_in(corpus)


def test_cache_lives_outside_the_corpus(nkdata, corpus: Path, private_cache: Path) -> None:
    before = snapshot(corpus.parent)
    assert report(nkdata, corpus)[0] == 0
    assert snapshot(corpus.parent) == before
    (cache_file,) = (path for path in private_cache.rglob("*") if path.is_file())
    assert cache_file == checkcache.cache_file(corpus)
    assert checkcache.load(corpus).folders == sorted(
        p.name for p in (corpus / "articles").iterdir()
    )


def test_unreadable_cache_is_ignored(nkdata, corpus: Path, parsed) -> None:
    assert report(nkdata, corpus)[0] == 0
    checkcache.cache_file(corpus).write_bytes(checkcache.MAGIC + b"{not json")
    parsed.clear()
    assert report(nkdata, corpus) == (0, [])
    assert len(parsed) == articles_in(corpus)
    parsed.clear()
    assert report(nkdata, corpus) == (0, [])
    assert parsed == [], "rewritten by the run that ignored it"


def test_one_article_run_uses_and_keeps_the_cache(
    nkdata, corpus: Path, article: Path, parsed
) -> None:
    assert report(nkdata, corpus)[0] == 0
    parsed.clear()
    assert report(nkdata, article) == (0, [])
    assert parsed == []
    edit(article / YAML, "statement: Fireworks", "statement: Bright fireworks")
    assert report(nkdata, article) == (0, [])
    parsed.clear()
    assert report(nkdata, corpus) == (0, [])
    assert parsed == [], "the one-article run added its entry and kept the others"


def test_registries_are_parsed_only_when_they_change(
    nkdata, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nkdata.corpus.layout import ReadCorpus

    parses: list[int] = []
    original = ReadCorpus.parse_registries
    monkeypatch.setattr(
        ReadCorpus, "parse_registries", lambda self: parses.append(1) or original(self)
    )
    assert report(nkdata, corpus) == (0, [])
    assert report(nkdata, corpus) == (0, [])
    assert len(parses) == 1
    edit(corpus / "dataset.yaml", "title: ", "title:  ")  # same meaning, new bytes
    assert report(nkdata, corpus) == (0, [])
    assert len(parses) == 2


def test_broken_dataset_file_is_reported_every_run(nkdata, corpus: Path) -> None:
    assert report(nkdata, corpus)[0] == 0
    edit(corpus / "dataset.yaml", "\nversion: ", "\nversion: 'v")
    for _ in range(2):
        code, problems = report(nkdata, corpus)
        assert code == 1
        assert any(p["file"].endswith("dataset.yaml") for p in problems)


# ---- file metadata: settled folders are not even read ----------------------------------------


@pytest.fixture
def settled(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The corpus copy, its files counted as settled 0.2 s after their last change (2 s in real
    runs, where files are rarely that fresh); returns the corpus."""
    monkeypatch.setattr(checkcache, "SETTLE_SECONDS", 0.2)
    time.sleep(0.3)
    return corpus


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders whose files were read, run after run."""
    return calls(monkeypatch, "read_article_bytes", lambda root, folder: folder)


def test_settled_folders_are_not_read_again(nkdata, settled: Path, reads) -> None:
    second_run_skips_all_and_one_edit_one(nkdata, settled, reads)


def test_metadata_cannot_hide_an_edit(nkdata, settled: Path, article: Path) -> None:
    assert report(nkdata, settled)[0] == 0
    path = article / YAML
    before = path.stat()
    edit(path, "for laborers sent to work", "for laborerz sent to work")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old mtime back
    assert path.stat().st_size == before.st_size
    code, problems = report(nkdata, settled)
    assert (code, [p["code"] for p in problems]) == (1, ["quote-not-found"])


def test_stray_file_beside_a_settled_article_is_reported(
    nkdata, settled: Path, article: Path
) -> None:
    assert report(nkdata, settled)[0] == 0
    (article / "notes.txt").write_text("draft\n", encoding="utf-8")
    assert [p["code"] for p in report(nkdata, settled)[1]] == ["file-stray"]


def test_metadata_of_fresh_files_is_never_recorded(nkdata, corpus: Path) -> None:
    assert report(nkdata, corpus)[0] == 0  # files copied a moment ago: not settled
    recorded = checkcache.load(corpus)
    assert len(recorded.folders) == articles_in(corpus)
    assert recorded.signatures == checkcache.NO_SIGNATURE * len(recorded.folders)


def test_registry_edit_between_runs_of_one_article_is_never_hidden(nkdata, corpus: Path) -> None:
    assert report(nkdata, corpus)[0] == 0
    edit(corpus / "sources.yaml", "id: rfa-source-pyongyang-2", "id: rfa-source-pyongyang-two")
    other = next(p for p in (corpus / "articles").iterdir() if p.name != ARTICLE)
    assert report(nkdata, other)[0] == 0, "the other article does not name the source"
    for _ in range(2):  # and the cache, written by that run, hides nothing afterwards
        code, problems = report(nkdata, corpus)
        assert code == 1
        assert {p["code"] for p in problems} == {"ref-unknown"}


# ---- the listing of articles/: reused while articles/ is unchanged --------------------------


def same_as_without_cache(nkdata, corpus: Path) -> tuple[int, list[dict[str, object]]]:
    """Validate with the cache, and check that a run without it reports exactly the same."""
    found = report(nkdata, corpus)
    assert found == report(nkdata, corpus, "--no-cache")
    return found


def test_settled_listing_is_reused_and_nothing_read(nkdata, settled: Path, reads) -> None:
    assert report(nkdata, settled) == (0, [])
    assert checkcache.load(settled).listing is not None
    reads.clear()
    assert report(nkdata, settled) == (0, [])
    assert reads == []


def test_new_article_folder_is_seen_beside_a_settled_listing(
    nkdata, settled: Path, article: Path, reads
) -> None:
    assert report(nkdata, settled)[0] == 0
    reads.clear()
    shutil.copytree(article, settled / "articles" / "zz-copy")
    code, problems = report(nkdata, settled)
    assert reads == ["zz-copy"]
    assert (code, {p["code"] for p in problems}) == (1, {"id-folder-mismatch"})
    assert (code, problems) == report(nkdata, settled, "--no-cache")


def test_removed_article_folder_is_forgotten(nkdata, settled: Path, article: Path) -> None:
    assert report(nkdata, settled)[0] == 0
    shutil.rmtree(article)
    assert same_as_without_cache(nkdata, settled) == (0, [])
    assert ARTICLE not in checkcache.load(settled).folders


def test_folder_replaced_by_a_link_is_reported(nkdata, settled: Path, article: Path) -> None:
    assert report(nkdata, settled)[0] == 0
    moved = settled.parent / "elsewhere"
    article.rename(moved)
    article.symlink_to(moved, target_is_directory=True)
    code, problems = same_as_without_cache(nkdata, settled)
    assert (code, [p["code"] for p in problems]) == (1, ["file-symlink"])


def test_stray_file_among_settled_article_folders_is_reported(nkdata, settled: Path) -> None:
    assert report(nkdata, settled)[0] == 0
    (settled / "articles" / "notes.txt").write_text("draft\n", encoding="utf-8")
    code, problems = same_as_without_cache(nkdata, settled)
    assert (code, [p["code"] for p in problems]) == (1, ["file-stray"])


def test_failing_article_is_reported_every_run(nkdata, settled: Path, article: Path) -> None:
    edit(article / YAML, "for laborers sent to work", "for labourers sent to work")
    time.sleep(0.3)  # settled, like the rest: a problem is still never cached
    for _ in range(3):
        code, problems = same_as_without_cache(nkdata, settled)
        assert (code, [p["code"] for p in problems]) == (1, ["quote-not-found"])


def test_truncated_cache_is_ignored(nkdata, corpus: Path, parsed) -> None:
    assert report(nkdata, corpus)[0] == 0
    path = checkcache.cache_file(corpus)
    path.write_bytes(path.read_bytes()[:-10])
    parsed.clear()
    assert report(nkdata, corpus) == (0, [])
    assert len(parsed) == articles_in(corpus)


# ---- patches: a few changed rows are appended to the cache file, not rewritten with it ------


def test_one_edit_is_appended_to_the_cache_file(
    nkdata, settled: Path, article: Path, reads
) -> None:
    assert report(nkdata, settled) == (0, [])
    path = checkcache.cache_file(settled)
    before = path.stat()
    edit(article / YAML, "statement: Fireworks", "statement: Bright fire")
    assert report(nkdata, settled) == (0, [])
    after = path.stat()
    assert after.st_ino == before.st_ino, "not rewritten"
    assert 0 < after.st_size - before.st_size < 1024
    time.sleep(0.3)  # the edited files settle: their metadata is patched in too
    reads.clear()
    assert report(nkdata, settled) == (0, [])
    assert reads == [ARTICLE]
    reads.clear()
    assert report(nkdata, settled) == (0, [])
    assert reads == [], "what the patches recorded is trusted"


def test_patch_cut_short_is_ignored(nkdata, corpus: Path, article: Path, parsed) -> None:
    assert report(nkdata, corpus)[0] == 0
    edit(article / YAML, "statement: Fireworks", "statement: Bright fire")
    assert report(nkdata, corpus) == (0, [])
    path = checkcache.cache_file(corpus)
    path.write_bytes(path.read_bytes()[:-5])
    parsed.clear()
    assert report(nkdata, corpus) == (0, [])
    assert parsed == [ARTICLE], "the lost patch's article is checked again, and only it"
    parsed.clear()
    assert report(nkdata, corpus) == (0, [])
    assert parsed == []


def test_patch_of_columns_another_run_replaced_is_skipped(nkdata, corpus: Path, parsed) -> None:
    assert report(nkdata, corpus)[0] == 0
    forget = checkcache.load(corpus)  # a patch that would have the article checked again
    patch = forget.patch([(forget.folders.index(ARTICLE), None, None, None)])
    assert patch
    checkcache.append(corpus, patch)
    parsed.clear()
    assert report(nkdata, corpus) == (0, [])
    assert parsed == [ARTICLE], "a patch of the file's own columns is applied"
    stale = checkcache.load(corpus)
    patch = stale.patch([(stale.folders.index(ARTICLE), None, None, None)])
    checkcache.save(corpus, stale)  # as another run would: the same rows, new columns
    checkcache.append(corpus, patch)
    parsed.clear()
    assert report(nkdata, corpus) == (0, [])
    assert parsed == []


def test_patch_of_a_row_beyond_the_columns_ignores_the_cache(nkdata, corpus: Path, parsed) -> None:
    assert report(nkdata, corpus)[0] == 0
    recorded = checkcache.load(corpus)
    beyond = len(recorded) + 1  # only a forged patch has a whole hash and such a row
    assert recorded.base is not None
    body = checkcache.PATCH_HEAD.pack(checkcache.PATCH, recorded.base, 1)
    body += checkcache.PATCH_ROW.pack(beyond, checkcache.NO_SIGNATURE, checkcache.NO_KEY)
    checkcache.append(corpus, body + hashlib.sha256(body).digest())
    parsed.clear()
    assert report(nkdata, corpus) == (0, [])
    assert len(parsed) == articles_in(corpus)


def test_cache_file_is_rewritten_after_its_last_patch(
    nkdata, corpus: Path, article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkcache, "MAX_PATCHES", 2)
    assert report(nkdata, corpus)[0] == 0
    path = checkcache.cache_file(corpus)
    files = [path.stat()]
    for word in ("Bright", "Brighter", "Brightest"):
        edit(article / YAML, "statement: ", f"statement: {word} ")
        assert report(nkdata, corpus) == (0, [])
        files.append(path.stat())
    assert files[0].st_size < files[1].st_size < files[2].st_size, "two patches appended"
    assert files[2].st_ino == files[0].st_ino
    assert (files[3].st_ino != files[0].st_ino, files[3].st_size) == (True, files[0].st_size)


def test_run_that_changed_many_rows_rewrites_the_cache_file(
    nkdata, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkcache, "MAX_PATCH_ROWS", 1)
    assert report(nkdata, corpus)[0] == 0
    path = checkcache.cache_file(corpus)
    before = path.stat()
    for folder in sorted((corpus / "articles").iterdir())[:2]:
        edit(folder / YAML, "\n    statement: ", "\n    statement: Edited ")
    assert report(nkdata, corpus) == (0, [])
    after = path.stat()
    assert (after.st_ino != before.st_ino, after.st_size) == (True, before.st_size), "rewritten"


def test_article_naming_other_ids_is_recorded_with_them(
    nkdata, corpus: Path, article: Path
) -> None:
    assert report(nkdata, corpus)[0] == 0
    edit(article / YAML, "source_id: rfa-korean-service", "source_id: financial-times")
    assert report(nkdata, corpus) == (0, [])
    edit(corpus / "sources.yaml", "id: financial-times", "id: financial-times-weekly")
    code, problems = same_as_without_cache(nkdata, corpus)
    unknown = [str(p["file"]) for p in problems if p["code"] == "ref-unknown"]
    assert code == 1
    assert any(file.endswith(f"articles/{ARTICLE}/{YAML}") for file in unknown)


# ---- a large corpus: scanned on every core, what it finds checked on the spot or handed back --


def test_scan_on_every_core_reports_what_a_full_run_reports(
    nkdata, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.generate import generate
    from nkdata.corpus import pool, unchanged

    corpus = generate(tmp_path / "corpus", 150, workers=1)
    monkeypatch.setattr(checkcache, "SETTLE_SECONDS", 0.2)
    monkeypatch.setattr(unchanged, "PER_WORKER", 16)  # scanned by two workers, in chunks
    monkeypatch.setattr(unchanged, "CHECK_IN_SCAN", 1)  # a chunk checks one, hands back more
    monkeypatch.setenv(pool.WORKERS_ENV, "2")
    time.sleep(0.3)
    assert report(nkdata, corpus) == (0, [])
    articles = sorted((corpus / "articles").iterdir())
    for number in (3, 4, 5, 90):  # several in one chunk, and one in another
        edit(articles[number] / YAML, "quote: ", "quote: Not in the text ")
    edit(articles[120] / YAML, "\n    statement: ", "\n    statement: Edited ")
    code, problems = same_as_without_cache(nkdata, corpus)
    broken = {str(p["file"]).split("/")[-2] for p in problems}
    assert (code, broken) == (1, {articles[n].name for n in (3, 4, 5, 90)})
    for number in (3, 4, 5, 90):
        edit(articles[number] / YAML, "quote: Not in the text ", "quote: ")
    assert same_as_without_cache(nkdata, corpus) == (0, [])
