"""Helpers for the site's tests: a release with hostile texts, and the links and tags of a page."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa

import nkdata
from tests.conftest import rewrite_table

HOSTILE = '<script>window.pwned = 1</script>"><img src=x onerror="window.pwned = 2">'
"""Text that would run a script if a page wrote it unescaped."""
ARTICLE = "soldiers-russia-online-content"
CLAIM = f"{ARTICLE}:c03"
"""A claim that holds no other: a click in it lands on it."""


def hostile_release(folder: Path) -> Path:
    """A copy of the bundled release whose texts, names and statements carry ``HOSTILE``."""
    shutil.copytree(nkdata.load().path, folder)
    claim = nkdata.load().claims[CLAIM]

    def rows(table: pa.Table, change: dict[str, dict[str, str]]) -> pa.Table:
        records = table.to_pylist()
        for record in records:
            for column, value in change.get(record["id"], {}).items():
                record[column] = value
        return pa.Table.from_pylist(records, schema=table.schema)

    text = nkdata.load().articles[ARTICLE].text + "\n" + HOSTILE + "\n"
    changes = {
        "articles": {ARTICLE: {"text": text, "title": HOSTILE}},
        "claims": {CLAIM: {"statement": HOSTILE}},
        "sources": {claim.source_id: {"name": HOSTILE, "description": HOSTILE}},
    }
    for table, change in changes.items():
        rewrite_table(folder, table, lambda t, change=change: rows(t, change))
    return folder


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and every id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))


def tags(page: Path) -> Tags:
    parser = Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser
