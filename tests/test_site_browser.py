"""The site in a real browser: headless Chromium loads every page from `file://`.

Skipped only when Chromium is not installed (`.ci/run` installs it). Screenshots go to the
test's temporary folder and to `.artifacts/screenshots/` (git-ignored), for people to look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import nkdata
from nkdata.view.site import write_site
from tests.conftest import REPO
from tests.support.browser import CHROMIUM, Browser, Page, chromium
from tests.support.sitecheck import ARTICLE, CLAIM, HOSTILE, hostile_release

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (apt-get install chromium; .ci/run installs it)",
    ),
]
QUANTITY = "troops-deployed-to-russia"
SHOTS = REPO / ".artifacts" / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    write_site(nkdata.load(), out)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    tab = browser.page()
    yield tab
    tab.close()


def test_every_page_loads_without_errors(site: Path, page: Page) -> None:
    failed = {}
    for path in sorted(site.rglob("*.html")):
        page.open(path.as_uri())
        if page.errors:
            failed[path.relative_to(site).as_posix()] = page.errors
    assert failed == {}
    assert page.evaluate("document.title").endswith(f"nkdata {nkdata.load().version}")


def test_a_highlighted_claim_per_claim(site: Path, page: Page) -> None:
    data = nkdata.load()
    for article in data.articles:
        page.open((site / "articles" / f"{article.id}.html").as_uri())
        claims = sorted(c.id.rsplit(":", 1)[1] for c in data.claims if c.article_id == article.id)
        permalinks = page.evaluate(
            "Array.from(document.querySelectorAll('#text mark.claim[id]'), m => m.id).sort()"
        )
        pieces = page.evaluate(
            "[...new Set(Array.from(document.querySelectorAll('#text mark.claim'),"
            " m => m.dataset.c))].sort()"
        )
        assert permalinks == claims == pieces, article.id


def visible_card(page: Page) -> str:
    """The text of the claim card shown, or "" when none is."""
    return str(
        page.evaluate("(p => p.hidden ? '' : p.innerText)(document.getElementById('popup'))")
    )


def test_clicking_a_claim_shows_its_source(site: Path, page: Page) -> None:
    data = nkdata.load()
    claim = data.claims[CLAIM]
    local = CLAIM.rsplit(":", 1)[1]
    page.open((site / "articles" / f"{ARTICLE}.html").as_uri())
    assert visible_card(page) == ""
    page.click(f"#{local}")
    card = visible_card(page)
    assert data.sources[claim.source_id].name in card
    assert claim.statement in card and claim.framing.value in card
    page.press("Escape", 27)
    assert visible_card(page) == ""


def test_focusing_a_claim_by_keyboard_shows_its_source(site: Path, page: Page) -> None:
    data = nkdata.load()
    page.open((site / "articles" / f"{ARTICLE}.html").as_uri() + "#c01")
    page.press("Tab", 9)  # from the claim in the address to the next one, by keyboard
    focused = page.evaluate("document.activeElement.id")
    assert focused != "c01" and focused.startswith("c")
    first = data.claims[f"{ARTICLE}:{focused}"]
    assert data.sources[first.source_id].name in visible_card(page)


def test_a_chart_has_one_mark_per_figure(site: Path, page: Page) -> None:
    data = nkdata.load()
    for quantity in data.quantities:
        figures = sorted(f.id for f in data.figures if f.quantity_id == quantity.id)
        page.open((site / "quantities" / f"{quantity.id}.html").as_uri())
        marks = page.evaluate(
            "Array.from(document.querySelectorAll('.chart-svg [id^=\"marks-\"] a'),"
            " a => a.getAttribute('xlink:href').slice(3)).sort()"
        )
        assert marks == figures, quantity.id
    page.click(".chart-svg a")  # a mark leads to its row of the ledger, on the same page
    assert page.evaluate("location.hash").startswith("#f-")
    assert page.evaluate("getComputedStyle(document.querySelector('tr:target')).backgroundColor")


def test_search_finds_titles_claims_and_sources(site: Path, page: Page) -> None:
    page.open((site / "index.html").as_uri())
    page.click("#search-box")
    page.evaluate(
        "(b => { b.value = 'pornography'; b.dispatchEvent(new Event('input')); })"
        "(document.getElementById('search-box'))"
    )
    page.evaluate("new Promise(r => setTimeout(r, 200))")
    found = page.evaluate(
        "Array.from(document.querySelectorAll('#search-results li'), li => li.innerText)"
    )
    assert found and all("pornography" in item.lower() for item in found)
    assert page.errors == []


def test_pages_read_without_javascript(site: Path, page: Page) -> None:
    page.send("Emulation.setScriptExecutionDisabled", {"value": True})
    page.open((site / "articles" / f"{ARTICLE}.html").as_uri())
    claims = sum(1 for c in nkdata.load().claims if c.article_id == ARTICLE)
    assert (
        page.send(
            "Runtime.evaluate",
            {"expression": "document.querySelectorAll('#text mark.claim[id]').length"},
        )["result"]["value"]
        == claims
    )


def test_hostile_text_is_shown_as_text(tmp_path: Path, page: Page) -> None:
    out = tmp_path / "site"
    write_site(nkdata.load(path=hostile_release(tmp_path / "release")), out)
    for path in (
        out / "index.html",
        out / "articles" / f"{ARTICLE}.html",
        *sorted((out / "sources").glob("*.html")),
        *sorted((out / "quantities").glob("*.html")),
    ):
        page.open(path.as_uri())
        assert page.evaluate("window.pwned === undefined"), path
        assert page.evaluate("document.querySelectorAll('img').length") == 0, path
        assert page.dialogs == [] and page.errors == [], path
    page.open((out / "articles" / f"{ARTICLE}.html").as_uri())
    assert HOSTILE in page.evaluate("document.getElementById('text').textContent")
    assert page.evaluate("document.querySelector('h1').textContent") == HOSTILE


@pytest.mark.parametrize(
    ("name", "path", "width", "mobile"),
    [
        ("article", f"articles/{ARTICLE}.html", 1100, False),
        ("article-phone", f"articles/{ARTICLE}.html", 390, True),
        ("quantity", f"quantities/{QUANTITY}.html", 1100, False),
        ("quantity-phone", f"quantities/{QUANTITY}.html", 390, True),
        ("index", "index.html", 1100, False),
    ],
)
def test_screenshots(
    site: Path,
    browser: Browser,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    name: str,
    path: str,
    width: int,
    mobile: bool,
) -> None:
    page = browser.page(width, 900, mobile=mobile)
    request.addfinalizer(page.close)
    page.open((site / path).as_uri())
    if name.startswith("article"):
        page.click("#c05")  # the card of a claim, as a reader sees it
        assert visible_card(page)
    shot = tmp_path / "screenshots" / f"{name}.png"
    page.screenshot(shot)
    assert shot.read_bytes().startswith(b"\x89PNG")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / shot.name).write_bytes(shot.read_bytes())
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, json.dumps({"page": path, "scrollWidth": scroll})
