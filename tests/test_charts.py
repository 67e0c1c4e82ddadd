"""Charts of a quantity's figures: a mark per figure, of the right kind, the same bytes always."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from nkdata.view.charts import EPOCH, STYLE, chart_svg, dodged, mark_kind
from nkdata.view.ledger import LedgerRow
from tests.conftest import REPO

SVG = "{http://www.w3.org/2000/svg}"
ROW = LedgerRow(
    figure_id="a:c1:f1",
    quantity_id="phones",
    text="3 million",
    text_start=0,
    text_end=9,
    value=3e6,
    low=None,
    high=None,
    qualifier="exact",
    unit="phones",
    as_of=None,
    as_of_precision=None,
    as_of_edtf=None,
    source_id="one",
    source_name="Source One",
    via_id=None,
    via_name=None,
    framing="asserted",
    claim_id="a:c1",
    article_id="a",
    article_title="An article",
    published=date(2018, 5, 1),
    published_edtf="2018-05-01",
    echo_of=None,
)


def row(number: int, **changes: object) -> LedgerRow:
    return replace(ROW, figure_id=f"a:c1:f{number}", **changes)  # type: ignore[arg-type]


ROWS = [
    row(1),
    row(2, qualifier="approximately", value=2e6, source_id="two", source_name="Two"),
    row(3, qualifier="range", value=None, low=4e6, high=5e6, as_of=date(2016, 1, 1)),
    row(4, qualifier="more_than", value=1e6, low=1e6),
    row(5, qualifier="at_most", value=6e6, high=6e6),
    row(6, qualifier="vague", value=None, low=2e6),
    row(7, echo_of="a:c1:f1", via_id="two", published=date(2020, 1, 1)),
]


def marks(svg: bytes) -> dict[str, int]:
    """Marks per group ``marks-<kind>``: the drawn elements in it, outside its definitions."""
    root = ET.fromstring(svg)
    counts = {}
    for group in root.iter(f"{SVG}g"):
        kind = group.get("id", "")
        if kind.startswith("marks-"):
            defined = {id(e) for d in group.iter(f"{SVG}defs") for e in d.iter()}
            drawn = [e for e in group.iter() if e.tag in {f"{SVG}use", f"{SVG}path"}]
            counts[kind] = sum(1 for e in drawn if id(e) not in defined)
    return counts


def test_every_qualifier_gets_its_mark() -> None:
    assert [mark_kind(r) for r in ROWS] == [
        "point",
        "point",
        "band",
        "more",
        "less",
        "more",
        "point",
    ]


def test_one_mark_per_figure_in_groups_by_kind() -> None:
    svg = chart_svg("Phones", "phones", ROWS)
    assert marks(svg) == {"marks-point": 3, "marks-band": 1, "marks-more": 2, "marks-less": 1}


def test_figures_of_one_date_stand_side_by_side_near_it() -> None:
    alone = [row(1, published=date(2015, 1, 1))]
    crowd = [row(n, published=date(2020, 1, 1)) for n in range(2, 52)]
    x = dodged(alone + crowd)
    assert x[0] == (date(2015, 1, 1) - EPOCH).days
    axis = (date(2020, 1, 1) - date(2015, 1, 1)).days
    spread = x[1:]
    assert len(set(spread)) == len(crowd)
    assert max(spread) - min(spread) <= 0.1 * axis + 1e-9
    assert sum(spread) / len(spread) == pytest.approx((date(2020, 1, 1) - EPOCH).days)


def test_links_lead_to_the_ledger_rows() -> None:
    svg = chart_svg("Phones", "phones", ROWS, link=lambda r: f"#f-{r.figure_id}")
    links = [
        a.get("{http://www.w3.org/1999/xlink}href") for a in ET.fromstring(svg).iter(f"{SVG}a")
    ]
    assert sorted(links) == sorted(f"#f-{r.figure_id}" for r in ROWS)


def test_corpus_text_is_text_never_markup() -> None:
    """Names and labels are the content of text elements, escaped: never elements of their own,
    never attributes, and the XML comments matplotlib writes cannot be ended early."""
    hostile = "<script>alert(1)</script>--><img src=x onerror=alert(2)>"
    svg = chart_svg(hostile, "phones", [row(1, source_name=hostile)])
    elements = list(ET.fromstring(svg).iter())
    tags = {e.tag.removeprefix(SVG) for e in elements}
    assert not tags & {"script", "img", "foreignObject", "iframe"}
    assert not [name for e in elements for name in e.attrib if name.lower().startswith("on")]
    texts = ["".join(e.itertext()) for e in elements if e.tag.removeprefix(SVG) == "text"]
    assert any(hostile[:20] in text for text in texts), "the title is shown as text"
    assert b"<script" not in svg and b"<img" not in svg
    comments = re.findall(rb"<!--(.*?)-->", svg, re.S)
    assert not [c for c in comments if b"--" in c]  # none can end early


def test_the_font_is_the_one_matplotlib_ships() -> None:
    """Text becomes the outlines of this font file: a system font of the same name could have
    other outlines, and change the release's bytes from one machine to the next."""
    import matplotlib
    from matplotlib import font_manager

    with matplotlib.rc_context(STYLE):
        found = font_manager.findfont(font_manager.FontProperties())
    assert Path(found).is_relative_to(matplotlib.get_data_path())


CHART = """
import sys
import nkdata
from nkdata.view.charts import chart_svg
from nkdata.view.ledger import ledger
rows = ledger(nkdata.load(), "troops-deployed-to-russia")
sys.stdout.buffer.write(chart_svg("Troops", "soldiers", rows))
"""


def test_same_bytes_in_another_process() -> None:
    def draw(hash_seed: str) -> bytes:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", CHART], cwd=REPO, env=env, capture_output=True, check=True
        )
        return done.stdout

    first = draw("0")
    assert first.startswith(b"<?xml") and b"marks-band" in first
    assert draw("1") == first
