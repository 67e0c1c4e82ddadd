"""`nkdata site`: the pages, their links and policies, escaping, and a failed run writing nothing.

What a browser makes of the pages is tests/test_site_browser.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import pytest
from markupsafe import escape

import nkdata as nk
from nkdata.view import site as site_module
from nkdata.view.site import MARKER, write_site
from tests.conftest import rewrite_table, snapshot, tree
from tests.support.sitecheck import ARTICLE, CLAIM, HOSTILE, hostile_release, tags


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the bundled release, written once: read-only for the tests that use it."""
    out = tmp_path_factory.mktemp("site") / "site"
    write_site(nk.load(), out)
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_a_page_per_article_source_and_quantity(site: Path, nkdata, tmp_path: Path) -> None:
    data = nk.load()
    expected = {"index.html"}
    for table in ("articles", "sources", "quantities"):
        expected |= {f"{table}/{row.id}.html" for row in getattr(data, table)}
    assert {p.relative_to(site).as_posix() for p in pages(site)} == expected
    run = nkdata("site", "--out", tmp_path / "out", data.version)
    assert run.exit_code == 0, run.stderr
    assert f"wrote {len(expected)} pages of release {data.version}" in run.stdout
    assert snapshot(tmp_path / "out") == snapshot(site), "the same site from the CLI"


def test_a_site_of_a_release_folder(tmp_path: Path, nkdata) -> None:
    """`--from` reads a folder (here with a changed title), as `nkdata.load(path=...)` does."""
    release = tmp_path / "release"
    shutil.copytree(nk.load().path, release)

    def retitled(table: pa.Table) -> pa.Table:
        titles = ["From the folder"] * table.num_rows
        return table.set_column(table.column_names.index("title"), "title", pa.array(titles))

    rewrite_table(release, "articles", retitled)
    run = nkdata("site", "--out", tmp_path / "site", "--from", release)
    assert run.exit_code == 0, run.stderr
    page = tmp_path / "site" / "articles" / f"{ARTICLE}.html"
    assert "<h1>From the folder</h1>" in page.read_text(encoding="utf-8")
    run = nkdata("figures", "population", "--from", tmp_path / "nowhere")
    assert run.exit_code == 1 and "is not a release folder" in run.stderr


def test_every_link_and_anchor_resolves_on_disk(site: Path) -> None:
    """Relative links only, each to a file of the site and an id on that page: what `file://`
    and a static host need."""
    broken = []
    for page in pages(site):
        for tag, attributes in tags(page).tags:
            url = attributes.get("href") or attributes.get("src") or attributes.get("xlink:href")
            if tag == "a" and "external" in (attributes.get("rel") or ""):
                assert str(url).startswith(("https://", "http://")), url
                continue
            if url is None or tag not in {"a", "link", "script"}:
                continue
            parts = urlsplit(url)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if parts.scheme or not target.is_file() or site not in target.parents:
                broken.append(f"{page.relative_to(site)}: {url}")
            elif parts.fragment and unquote(parts.fragment) not in tags(target).ids:
                broken.append(f"{page.relative_to(site)}: {url} (no such id)")
    assert broken == []


def test_every_page_forbids_remote_loads_and_inline_scripts(site: Path) -> None:
    for page in pages(site):
        found = tags(page).tags
        policy = next(
            a["content"] for t, a in found if a.get("http-equiv") == "Content-Security-Policy"
        )
        directives = dict(d.strip().split(" ", 1) for d in str(policy).split(";"))
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == "'self'"
        assert directives["img-src"] == "'self'"
        assert not [v for v in directives.values() if "http" in v or "*" in v or "data:" in v]
        scripts = [a for t, a in found if t == "script"]
        assert scripts and all(a.get("src") for a in scripts), page
        handlers = [(t, n) for t, a in found for n in a if n.lower().startswith("on")]
        assert handlers == [], page


def test_article_page_reads_without_javascript(site: Path) -> None:
    """The text with every claim marked once as a permalink, and each claim explained in a
    list: statement, source, via, mode, framing, topic, figures."""
    data = nk.load()
    page = site / "articles" / f"{ARTICLE}.html"
    found = tags(page)
    claims = [c for c in data.claims if c.article_id == ARTICLE]
    local = {c.id.rsplit(":", 1)[1] for c in claims}
    permalinks = {a["id"] for t, a in found.tags if t == "mark" and a.get("id")}
    assert permalinks == local
    assert {a["data-c"] for t, a in found.tags if t == "mark" and "data-c" in a} == local
    assert {f"card-{c}" for c in local} <= found.ids
    html = page.read_text(encoding="utf-8")
    claim = data.claims[CLAIM]
    for shown in (claim.statement, data.sources[claim.source_id].name, claim.framing.value):
        assert escape(shown) in html


def test_parts_that_are_not_the_body_are_dimmed(tmp_path: Path) -> None:
    release = tmp_path / "release"
    shutil.copytree(nk.load().path, release)
    text = nk.load().articles[ARTICLE].text
    start = text.rindex("Expanded Coverage:")
    end = start + len("Expanded Coverage:")
    part = {"article_id": ARTICLE, "kind": "furniture", "part_start": start, "part_end": end}
    rows = [{"id": f"{ARTICLE}:{start}-{end}", **part}]
    rewrite_table(release, "page_parts", lambda t: pa.Table.from_pylist(rows, schema=t.schema))
    write_site(nk.load(path=release), tmp_path / "site")
    html = (tmp_path / "site" / "articles" / f"{ARTICLE}.html").read_text(encoding="utf-8")
    assert '<span class="part" data-kind="furniture"' in html
    assert html.count('class="part"') == 1 and 'class="part sample"' in html  # and its key
    assert re.search(r'<span class="part"[^>]*>Expanded Coverage:</span>', html)


def test_a_release_of_an_older_schema_is_a_clear_error(tmp_path: Path, nkdata) -> None:
    for command in (["site", "--out", tmp_path / "out"], ["figures", "population"]):
        run = nkdata(*command, "0.1.0")
        assert run.exit_code == 1
        assert "it was made by another version of nkdata" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_corpus_text_is_escaped(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(nk.load(path=hostile_release(tmp_path / "release")), out)
    for page in pages(out):
        html = page.read_text(encoding="utf-8")
        assert HOSTILE not in html and "<img" not in html, page
        assert not [t for t, _ in tags(page).tags if t == "img"]
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in (
        out / "articles" / f"{ARTICLE}.html"
    ).read_text(encoding="utf-8")


def test_a_site_is_replaced_anything_else_refused(tmp_path: Path, nkdata) -> None:
    out = tmp_path / "out"
    assert nkdata("site", "--out", out).exit_code == 0
    (out / "stale.html").write_text("from an earlier run")
    assert nkdata("site", "--out", out).exit_code == 0
    assert not (out / "stale.html").exists() and (out / MARKER).is_file()
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    before = tree(tmp_path)
    run = nkdata("site", "--out", other)
    assert run.exit_code == 2
    assert "is not a site written by `nkdata site`" in run.stderr
    assert tree(tmp_path) == before


def test_a_failed_run_writes_nothing(tmp_path: Path, nkdata, monkeypatch) -> None:
    def broken(*_: object, **__: object) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(site_module, "chart_svg", broken)
    run = nkdata("site", "--out", tmp_path / "deep" / "out")
    assert run.exit_code == 1
    assert "No space left on device" in run.stderr and "nothing was written" in run.stderr
    assert tree(tmp_path) == {"deep": "mode:16384"}


def test_a_version_that_is_not_there(tmp_path: Path, nkdata) -> None:
    run = nkdata("site", "--out", tmp_path / "out", "9.9.9")
    assert run.exit_code == 1
    assert "Error:" in run.stderr
    assert list(tmp_path.iterdir()) == []
    assert nkdata("site", "--out", tmp_path / "out", "nine").exit_code == 2
