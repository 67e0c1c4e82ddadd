"""Find the article folders that changed since the check cache recorded them, and check them.

Re-validating after one edit is mostly this scan: three ``stat`` calls per folder (the folder,
article.yaml, text.txt; see :func:`nkdata.corpus.layout.article_signature`), compared with the
metadata recorded in :mod:`nkdata.corpus.checkcache`; the files of an unchanged folder are not
read. A large corpus is scanned on every core (:mod:`nkdata.corpus.pool`), since the system calls
are most of the time and run in parallel; a small one in this process, without starting any.
The few folders a scan finds changed are checked on the spot, so that while one worker imports
the models and parses an edited article the others go on scanning; many are handed back, to be
checked on every core.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from nkdata.corpus import pool
from nkdata.corpus.article import ArticleContext, CheckedArticle, Pending, check_one_article
from nkdata.corpus.checkcache import Column, Recorded, key_at
from nkdata.corpus.layout import SIGNATURE, article_signature, open_articles, settled

PER_WORKER = 8192
"""Folders worth a worker process: fewer are scanned in this process (8,192 take ~0.1 s)."""
CHECK_IN_SCAN = 32
"""Changed folders a chunk of the scan checks itself; further ones are handed back."""


@dataclass(frozen=True, slots=True)
class Scan:
    """What scanning needs; handed to each worker once (not even copied, with ``fork``)."""

    context: ArticleContext
    folders: Sequence[str]
    rows: Sequence[int | None] | None
    """The recorded row of each folder (None: not recorded); None when the folders are those
    recorded, in order (row ``i`` is folder ``i``)."""
    signatures: Column
    """The recorded metadata column."""
    keys: Column
    """The recorded content keys."""
    untrusted: set[int]
    """Recorded rows naming an id that the registries no longer have."""


@dataclass(slots=True)
class Scanned:
    """The changed folders of a scan, by their position: checked, or still to check."""

    checked: list[tuple[int, CheckedArticle]] = field(default_factory=list)
    pending: list[tuple[int, Pending]] = field(default_factory=list)


def scan(
    context: ArticleContext, folders: Sequence[str], recorded: Recorded, untrusted: set[int]
) -> Scanned:
    """The folders whose metadata is not as recorded, or whose references are not all in the
    registries, or that were never recorded; the others are as recorded."""
    rows: Sequence[int | None] | None = None
    if recorded.folders != folders:
        rows = [recorded.rows.get(folder) for folder in folders]
    columns = (recorded.signatures, recorded.keys)
    if not pool.FORKS:  # handed to each worker as a copy: a slice of a buffer cannot be
        columns = (bytes(recorded.signatures), bytes(recorded.keys))
    work = Scan(context, folders, rows, *columns, untrusted)
    found = Scanned()
    for chunk in pool.map_chunks(scan_chunk, work, range(len(folders)), per_worker=PER_WORKER):
        found.checked += chunk.checked
        found.pending += chunk.pending
    return found


def scan_chunk(work: Scan, indices: Sequence[int]) -> Scanned:
    """Scan the folders at ``indices`` (a chunk of work for :func:`pool.map_chunks`)."""
    articles = open_articles(work.context.root)
    size, recorded, rows, folders = SIGNATURE.size, work.signatures, work.rows, work.folders
    found = Scanned()
    try:
        for index in indices:
            folder = folders[index]
            found_now = None if articles is None else article_signature(articles, folder)
            row = index if rows is None else rows[index]
            trusted = row is not None and row not in work.untrusted
            if found_now is not None and trusted:
                at = row * size  # type: ignore[operator]  # row is not None when trusted
                if found_now == recorded[at : at + size]:
                    continue
            key = key_at(work.keys, row) if trusted else None
            pending = Pending(folder, settled(found_now, work.context.settled_ns), key)
            if len(found.checked) < CHECK_IN_SCAN:
                found.checked.append((index, check_one_article(work.context, pending)))
            else:
                found.pending.append((index, pending))
    finally:
        if articles is not None:
            os.close(articles)
    return found
