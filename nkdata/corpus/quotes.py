"""Find a quote in a text: its every match, and the closest passage when there is none.

Contributors write quotes, never offsets. Offsets are Unicode code points into the text as
stored (NFC, LF), so that ``text[start:end] == quote`` holds in Python, Arrow and DuckDB alike.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

MAX_MATCHES = 1000
"""Matches :func:`find_all` collects at most: enough to count any real repetition, and a bound on
the work a hostile text (a quote ``a`` in a text of a million ``a``) can cause."""
MAX_WINDOWS = 1000
"""Candidate passages :func:`closest_passage` compares at most, so a hint costs bounded time."""
MAX_COMPARED = 64
"""Characters of a quote that :func:`closest_passage` compares with each candidate."""


def find_all(text: str, quote: str, limit: int = MAX_MATCHES) -> list[int]:
    """Start offsets of the first ``limit`` (possibly overlapping) matches of ``quote``."""
    starts: list[int] = []
    at = text.find(quote)
    while at >= 0 and len(starts) < limit:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


KEY_LENGTH = 32
"""Most characters of a quote's start by which :class:`Finder` indexes the text."""
INDEXED_FROM = 512
"""Distinct quotes from which :class:`Finder` indexes the text rather than scanning it once per
quote (a scan costs little, but thousands of them cost seconds). The break-even, whatever the
text's length: indexing reads each character in Python (about 150 ns, all key lengths), a scan
in C (about 0.3 ns a quote); measured on a 1.6 MB text, 512 quotes took 0.27 s indexed and
0.31 s scanned, 128 quotes 0.30 s and 0.08 s. At 32, the index cost a typical article (24
quotes on average, 13% of articles indexed) 0.24 ms instead of 0.07 ms."""


class Finder:
    """Every match of many quotes in one text in near-linear time.

    :func:`find_all` scans the whole text for each quote, so an article with thousands of
    claims would cost claims times text length. With :data:`INDEXED_FROM` or more distinct quotes,
    the text is read once per key length (powers of two up to :data:`KEY_LENGTH`: at most six
    passes) to list where each quote's first characters occur, and only those places are
    compared. A key found more
    often than ``4 * MAX_MATCHES`` times (a text of one repeated word) falls back to one scan of
    the text for that quote, so that no quote costs more than a scan.

    >>> finder = Finder("one two one", ["one", "two"])
    >>> finder.find_all("one"), finder.find_all("two")
    ([0, 8], [4])
    """

    def __init__(self, text: str, quotes: Iterable[str]) -> None:
        self.text = text
        self._places: dict[str, list[int]] | None = None
        distinct = {quote for quote in quotes if quote}
        if len(distinct) >= INDEXED_FROM:
            self._places = _key_places(text, {_key(quote) for quote in distinct})

    def find_all(self, quote: str, limit: int = MAX_MATCHES) -> list[int]:
        """What :func:`find_all` returns for ``quote`` in the text."""
        places = None if self._places is None or not quote else self._places.get(_key(quote))
        if places is None or len(places) > 4 * limit:
            return find_all(self.text, quote, limit)
        text, starts = self.text, []
        for at in places:
            if text.startswith(quote, at):
                starts.append(at)
                if len(starts) == limit:
                    break
        return starts


def _key(quote: str) -> str:
    """The first 1, 2, 4, ... or :data:`KEY_LENGTH` characters of ``quote``, as many as it has."""
    return quote[: min(KEY_LENGTH, 1 << (len(quote).bit_length() - 1))]


def _key_places(text: str, keys: set[str]) -> dict[str, list[int]]:
    """Where each of ``keys`` starts in ``text``: one pass per distinct key length."""
    places: dict[str, list[int]] = defaultdict(list)
    for size in sorted({len(key) for key in keys}):
        wanted = {key for key in keys if len(key) == size}
        firsts = {key[0] for key in wanted}
        for at in range(len(text) - size + 1):
            if text[at] in firsts and (key := text[at : at + size]) in wanted:
                places[key].append(at)
    return places


def pick(starts: list[int], occurrence: int | None) -> int | None:
    """The match a contributor meant: the only one, or the ``occurrence``-th (1-based)."""
    if occurrence is None:
        return starts[0] if len(starts) == 1 else None
    return starts[occurrence - 1] if occurrence <= len(starts) else None


def closest_passage(text: str, quote: str) -> tuple[str, str]:
    """The passage of ``text`` most like ``quote``, and where the two first differ.

    Bounded work: at most :data:`MAX_WINDOWS` candidate starts, each compared on the quote's
    first :data:`MAX_COMPARED` characters, so a hint costs the same for a long quote as for a
    short one (and a text is scanned a fixed number of times).

    >>> closest_passage("He said “yes” twice.", 'He said "yes"')
    ('He said “yes”', 'first difference at character 9: the text has “ where the quote has "')
    """
    starts = _candidate_starts(text, quote) if quote else []
    if not starts:  # an empty quote, or a text of white space only
        return "", ""
    head = quote[:MAX_COMPARED]
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(head)
    best, best_ratio = starts[0], -1.0
    for start in starts:
        ratio = _ratio(matcher, text[start : start + len(head)], best_ratio)
        if ratio > best_ratio:
            best, best_ratio = start, ratio
    if len(quote) > len(head):
        passage = text[best : best + len(quote)]
    else:
        passage = _refine_end(matcher, text, best, len(quote))
    return passage, _first_difference(passage, quote)


def _refine_end(matcher: difflib.SequenceMatcher[str], text: str, start: int, size: int) -> str:
    """The window from ``start`` that matches most of the quote, ending at a word boundary."""

    def score(end: int) -> tuple[int, bool, int]:
        matcher.set_seq1(text[start:end])
        matched = sum(block.size for block in matcher.get_matching_blocks())
        boundary = end >= len(text) or not text[end].isalnum()
        return matched, boundary, -abs(end - start - size)

    stop = min(start + size + 9, len(text) + 1)  # a text shorter than the quote ends first
    end = max(range(min(start + max(size - 8, 1), stop - 1), stop), key=score)
    return text[start:end]


def _ratio(matcher: difflib.SequenceMatcher[str], window: str, floor: float) -> float:
    matcher.set_seq1(window)
    if matcher.real_quick_ratio() <= floor or matcher.quick_ratio() <= floor:
        return -1.0
    return matcher.ratio()


def _candidate_starts(text: str, quote: str) -> list[int]:
    """At most :data:`MAX_WINDOWS` starts: where the quote's first characters occur, near where
    its last characters would end it, then word starts, evenly thinned."""
    anchors = find_all(text, quote[:12], MAX_WINDOWS // 4)
    for at in find_all(text, quote[-12:], MAX_WINDOWS // 28):
        anchor = at + 12 - len(quote)
        anchors += range(max(anchor - 3, 0), anchor + 4)
    words = _word_starts(text)
    room = MAX_WINDOWS - len(anchors)
    starts = set(anchors) | set(words[:: len(words) // room + 1])
    return sorted(s for s in starts if s < len(text) and not text[s].isspace())[:MAX_WINDOWS]


@functools.lru_cache(maxsize=2)
def _word_starts(text: str) -> tuple[int, ...]:
    """Where words start; cached, since every quote missing from one text searches the same
    windows."""
    return (0, *(match.end() for match in re.finditer("[ \n]", text)))


def shown(char: str) -> str:
    """A character as a hint shows it: itself if visible, else its code point and name, so
    that a doubled space or a no-break space can be seen.

    >>> shown("r"), shown(" "), shown("\u00a0")
    ('r', 'U+0020 SPACE', 'U+00A0 NO-BREAK SPACE')
    """
    if char.isprintable() and not char.isspace():
        return char
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"


def _first_difference(passage: str, quote: str) -> str:
    for index, (ours, theirs) in enumerate(zip(passage, quote, strict=False)):
        if ours != theirs:
            return (
                f"first difference at character {index + 1}: "
                f"the text has {shown(ours)} where the quote has {shown(theirs)}"
            )
    if len(passage) != len(quote):
        return f"the passage and the quote differ in length ({len(passage)} vs {len(quote)})"
    return ""
