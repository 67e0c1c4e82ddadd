"""``nkdata site``: a static website of a release, for reading it in a browser.

The site is plain files: an index, a page per article, per source and per quantity, one
stylesheet and one script, and the search index as a script (a page opened from ``file://`` may
load scripts beside it, not fetch data). It needs no server, no CDN and no network, and every
page reads without JavaScript.

A quantity's chart is the release's own, the one its data card shows (``chart-<quantity>.svg``,
its hash checked), drawn afresh only for a quantity the card has no chart of.

Safety: every text from the corpus goes through Jinja's autoescaping or :func:`html.escape`, and
every page carries a Content-Security-Policy that allows the site's own files only (charts get
the hash of matplotlib's one ``<style>`` element and style attributes, never a script).

Like a build, it writes into a temporary folder beside ``out`` and renames it into place: a
failed run leaves nothing. ``out`` must be new, empty, or a site written here before (it holds
the file ``.nkdata-site``), which is replaced.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nkdata.errors import NkdataError
from nkdata.extras import require
from nkdata.models import TABLES
from nkdata.schema.releasefolder import DESCRIPTOR, chart_file, release_files
from nkdata.store import read_verified
from nkdata.view.charts import chart_svg, ledger_link
from nkdata.view.pages import (
    Release,
    article_page,
    index_page,
    local_id,
    meaning,
    quantity_page,
    search_entries,
    source_page,
)

if TYPE_CHECKING:
    from jinja2 import Environment

    from nkdata.loading import Dataset

MARKER = ".nkdata-site"
"""The file that marks a folder as a site written by ``nkdata site`` (holds the version)."""
TEMP_PREFIX = ".nkdata-site-"
ASSETS = ("site.css", "site.js")
SEARCH_INDEX = "assets/search.js"
FOLDERS = ("articles", "sources", "quantities", "assets")
STEPS = 7
"""Progress steps of :func:`write_site`."""
Progress = Callable[[str], None]


class SiteError(NkdataError):
    """The site could not be written; ``usage`` when the command was asked for the impossible."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True, slots=True)
class SiteResult:
    folder: Path
    pages: int


def content_security_policy(style_hashes: list[str]) -> str:
    """The page's policy: its own folder's files only; inline styles only for a chart's SVG."""
    styles = ["style-src 'self'"]
    if style_hashes:
        hashes = " ".join(f"'{h}'" for h in style_hashes)
        styles = [f"style-src-elem 'self' {hashes}", "style-src-attr 'unsafe-inline'"]
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            *styles,
            "img-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def write_site(data: Dataset, out: Path, progress: Progress = lambda _: None) -> SiteResult:
    """Write the site of the release ``data`` into ``out``, atomically."""
    require("nkdata site", "site", "jinja2", "matplotlib")
    _check_target(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=out.parent))
    except OSError as exc:
        raise SiteError(f"cannot write to {out.parent}: {exc.strerror or exc}") from None
    try:
        progress("read the release")
        pages = _write_pages(Release.of(data), StoredCharts(data), temp, progress)
        temp.chmod(0o755)  # mkdtemp makes it private; a site is for everyone to read
        progress("rename into place")
        _publish(temp, out)
    except OSError as exc:
        raise SiteError(
            f"cannot write the site: {exc.strerror or exc} ({exc.filename or out}); "
            "nothing was written"
        ) from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return SiteResult(out, pages)


def _check_target(out: Path) -> None:
    """Refuse to replace anything but an empty folder or an earlier site."""
    if not out.exists() and not out.is_symlink():
        return
    usable = out.is_dir() and not out.is_symlink()
    if usable and ((out / MARKER).is_file() or not any(out.iterdir())):
        return
    raise SiteError(
        f"{out} exists and is not a site written by `nkdata site`; give a new or empty folder",
        usage=True,
    )


def _publish(temp: Path, out: Path) -> None:
    """Rename ``temp`` to ``out``; an earlier site there is moved aside, then removed."""
    if not out.exists():
        temp.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-old-", dir=out.parent))
    try:
        out.rename(old / "site")
        temp.rename(out)
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _write_pages(release: Release, stored: StoredCharts, folder: Path, progress: Progress) -> int:
    """Every page, asset and the search index into ``folder``; the number of pages."""
    for name in FOLDERS:
        (folder / name).mkdir()
    static = files(__package__).joinpath("static")
    for name in ASSETS:
        (folder / "assets" / name).write_bytes(static.joinpath(name).read_bytes())
    render = _renderer(release, folder)
    progress("index")
    render("index.html", "index.html", index_page(release))
    progress("articles")
    for article_id in release.articles:
        render("article.html", f"articles/{article_id}.html", article_page(release, article_id))
    progress("sources")
    for source_id in release.sources:
        render("source.html", f"sources/{source_id}.html", source_page(release, source_id))
    progress("quantities")
    for quantity_id in release.quantities:
        page = quantity_page(release, quantity_id)
        chart = _chart(page, stored)
        render("quantity.html", f"quantities/{quantity_id}.html", {**page, **chart})
    progress("search index")
    _write_search_index(release, folder / SEARCH_INDEX)
    (folder / MARKER).write_text(f"{release.version}\n", encoding="utf-8")
    return 1 + len(release.articles) + len(release.sources) + len(release.quantities)


Render = Callable[[str, str, dict[str, Any]], None]


def _renderer(release: Release, folder: Path) -> Render:
    """A function that renders a template with a page's variables into a file of the site."""
    environment = _environment(release)

    def render(template: str, path: str, variables: dict[str, Any]) -> None:
        page = {"root": "../" * path.count("/"), "csp": content_security_policy([]), **variables}
        html = environment.get_template(template).render(page)
        (folder / path).write_text(html, encoding="utf-8", newline="\n")

    return render


def _environment(release: Release) -> Environment:
    """Jinja with autoescaping on, strict about unknown names, and the lookups pages use."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(
        loader=PackageLoader("nkdata.view"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        version=release.version,
        name=release.name,
        meaning=meaning,
        local_id=local_id,
        article_title=lambda article_id: release.articles[article_id]["title"],
        quantity_label=lambda quantity_id: release.quantities[quantity_id]["label"],
        summaries={model.table: (model.__doc__ or "").strip() for model in TABLES},
    )
    return environment


class StoredCharts:
    """The charts a release carries for its data card (``chart-<quantity>.svg``), read with
    their hashes checked: the site shows those very bytes, and draws only the charts a release
    does not carry (of quantities with one figure)."""

    def __init__(self, data: Dataset) -> None:
        self.data = data
        listed = release_files(data.descriptor, str(data.path / DESCRIPTOR))
        self.files = {file.name: file for file in listed}

    def get(self, quantity_id: str) -> bytes | None:
        file = self.files.get(chart_file(quantity_id))
        if file is None:
            return None
        data = self.data
        return read_verified(
            data.path / file.name, file.sha256, data.origin, data.version, Path.read_bytes
        )


_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.S)


def _chart(page: dict[str, Any], stored: StoredCharts) -> dict[str, Any]:
    """The chart of a quantity page as inline SVG, and the policy that lets its styles apply."""
    from markupsafe import Markup

    rows = page["rows"]
    if not rows:
        return {"chart": None, "echoes": 0}
    quantity = page["quantity"]
    drawn = stored.get(quantity["id"])
    if drawn is None:
        drawn = chart_svg(quantity["label"], quantity["unit"], rows, ledger_link)
    svg = drawn.decode("utf-8")
    svg = svg[svg.index("<svg") :]  # inline: without the XML declaration and doctype
    hashes = [
        "sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        for style in _STYLE_ELEMENT.findall(svg)
    ]
    return {
        "chart": Markup(svg),
        "csp": content_security_policy(hashes),
        "echoes": sum(1 for row in rows if row.echo_of),
    }


def _write_search_index(release: Release, path: Path) -> None:
    """The search index as a script that sets ``NKDATA_SEARCH`` (JSON, every non-ASCII
    character escaped, so that nothing in it can end the script early)."""
    entries = list(search_entries(release))
    path.write_text(f"window.NKDATA_SEARCH = {json.dumps(entries)};\n", encoding="utf-8")
