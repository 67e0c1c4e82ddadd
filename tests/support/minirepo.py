"""A small repository written from scratch for release-workflow tests: corpus/ (two sources,
one quantity, articles with one figure each), CHANGELOG.md and CITATION.cff, with no release.

Its texts hold no number other than their figure's, so the corpus stays valid whatever the
real corpus's state; versions and counts are the tests' own.
"""

from __future__ import annotations

from pathlib import Path

DATASET = """\
name: nkdata-mini
title: "nkdata mini corpus"
version: {version}
released: {released}
description: >-
  A small corpus written by the tests of the release workflow.
homepage: https://example.org/nkdata-mini
license:
  name: CC-BY-4.0
  path: https://creativecommons.org/licenses/by/4.0/
  title: Creative Commons Attribution 4.0 International
text_rights: >-
  The texts were written for the tests.
contributors:
  - title: nkdata tests
    roles: [creator]
citation: >-
  nkdata tests ({year}). nkdata mini corpus, version {version} [data set].
"""

SOURCES = """\
sources:
  - id: example-news
    name: Example News
    kind: outlet
  - id: jane-roe
    name: Jane Roe
    kind: person
"""

QUANTITIES = """\
quantities:
  - id: mobile-subscribers
    label: Mobile network subscribers in North Korea
    unit: subscribers
    description: Subscriptions of North Korea's mobile operators.
"""

ARTICLE = """\
id: {id}
title: Phones in North Korea
publisher_id: example-news
authors: [jane-roe]
url: null
published: '{published}'
published_basis: stated
language: en
rights: Written for the tests.
non_body:
  - lines: 1
    kind: headline
claims:
  - id: c01
    source_id: jane-roe
    quote: North Korea has {number} mobile subscribers
    statement: North Korea has {number} mobile subscribers.
    mode: assertion
    framing: asserted
    topic: mobile_phones
    figures:
      - id: f1
        quantity_id: mobile-subscribers
        text: '{number}'
        value: {value}
        qualifier: exact
"""

CHANGELOG = """\
# Changelog

Every data release, newest first.
"""

CITATION = """\
cff-version: 1.2.0
message: Cite the version you used.
type: dataset
title: "nkdata mini corpus"
version: {version}
date-released: "{released}"
authors:
  - name: nkdata tests
"""


def write_article(corpus: Path, article_id: str, value: int, published: str = "2020-05-01") -> Path:
    """Add (or overwrite) an article whose one figure states ``value``."""
    folder = corpus / "articles" / article_id
    folder.mkdir(parents=True, exist_ok=True)
    number = f"{value:,}"
    yaml = ARTICLE.format(id=article_id, published=published, number=number, value=value)
    (folder / "article.yaml").write_text(yaml, encoding="utf-8")
    text = f"Phones in North Korea\nNorth Korea has {number} mobile subscribers, Jane Roe writes.\n"
    (folder / "text.txt").write_text(text, encoding="utf-8")
    return folder


def write_repo(root: Path, version: str = "0.1.0", released: str = "2026-01-10") -> Path:
    """A repository at ``root`` with one article and no release; returns its corpus folder."""
    corpus = root / "corpus"
    (corpus / "articles").mkdir(parents=True)
    year = released[:4]
    dataset = DATASET.format(version=version, released=released, year=year)
    (corpus / "dataset.yaml").write_text(dataset, encoding="utf-8")
    (corpus / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (corpus / "quantities.yaml").write_text(QUANTITIES, encoding="utf-8")
    write_article(corpus, "first-article", 1000)
    (root / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    citation = CITATION.format(version=version, released=released)
    (root / "CITATION.cff").write_text(citation, encoding="utf-8")
    return corpus
