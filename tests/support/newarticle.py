"""A new, valid article as a contributor adds it: its folder, a new source, a new quantity.

The text was written for the tests (it reports nothing real) and holds exactly one number, the
figure's, so that it stays valid however strictly the numbers of a body are checked. What is
added is described by :class:`Added`, which a test compares with the tables that grow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ARTICLE_ID = "test-gazette-border-traders-phone-checks"
SOURCE_ID = "test-gazette"
QUANTITY_ID = "traders-phones-inspected"
QUOTE = "About 300 traders had their handsets checked at the market gate"
FIGURE_TEXT = "About 300"
FIGURE_VALUE = 300.0

TEXT = f"""\
Border traders face tighter phone checks

Security officials in a North Korean border city have stepped up inspections of the mobile \
phones that traders carry, this newspaper has learned.

{QUOTE} over the past month, according to a notice posted by the inspection office.

Officials did not answer questions about the checks.
"""

ARTICLE_YAML = f"""\
# yaml-language-server: $schema=../../../schemas/corpus/article.schema.json
id: {ARTICLE_ID}
title: Border traders face tighter phone checks
publisher_id: {SOURCE_ID}
via_id: null
authors: []
url: null
published: '2024/..'
published_basis: inferred
retrieved: null
language: en
rights: Written for nkdata's tests; it reports nothing real and may be copied freely.
notes: >-
  The text shows no date; it was written in 2024 or later, so `published` is 2024 or later.
claims:
  - id: c01
    source_id: {SOURCE_ID}
    via_id: null
    quote: {QUOTE}
    statement: >-
      Around three hundred traders had their mobile phones inspected at a market gate of a
      North Korean border city.
    mode: assertion
    framing: asserted
    topic: surveillance
    figures:
      - id: f1
        quantity_id: {QUANTITY_ID}
        text: {FIGURE_TEXT}
        value: {FIGURE_VALUE:g}
        qualifier: approximately
        place: KP
"""

SOURCE_ENTRY = f"""\
  - id: {SOURCE_ID}
    name: The Test Gazette
    kind: outlet
    description: A newspaper that exists only in nkdata's tests.
    url: https://test-gazette.example.org
"""

QUANTITY_ENTRY = f"""\
  - id: {QUANTITY_ID}
    label: Traders whose phones were inspected
    unit: people
    description: >-
      Traders whose mobile phones officials inspected in one place and period (people, not
      phones).
"""


@dataclass(frozen=True)
class Added:
    """What :func:`add_article` added: rows per table, and the ids of the new rows."""

    rows: dict[str, int]
    article_id: str = ARTICLE_ID
    claim_id: str = f"{ARTICLE_ID}:c01"
    figure_id: str = f"{ARTICLE_ID}:c01:f1"
    source_id: str = SOURCE_ID
    quantity_id: str = QUANTITY_ID


def _append(path: Path, entry: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n" + entry, encoding="utf-8")


def add_article(corpus: Path) -> Added:
    """Add the article to ``corpus``, its publisher to sources.yaml and the quantity its
    figure counts to quantities.yaml, as CONTRIBUTING.md says."""
    folder = corpus / "articles" / ARTICLE_ID
    folder.mkdir()
    (folder / "article.yaml").write_text(ARTICLE_YAML, encoding="utf-8")
    (folder / "text.txt").write_text(TEXT, encoding="utf-8")
    _append(corpus / "sources.yaml", SOURCE_ENTRY)
    _append(corpus / "quantities.yaml", QUANTITY_ENTRY)
    return Added(rows={"articles": 1, "claims": 1, "figures": 1, "sources": 1, "quantities": 1})
