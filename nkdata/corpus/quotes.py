"""Find a quote in a text: its every match, and the closest passage when there is none.

Contributors write quotes, never offsets. Offsets are Unicode code points into the text as
stored (NFC, LF), so that ``text[start:end] == quote`` holds in Python, Arrow and DuckDB alike.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata

MAX_MATCHES = 1000
"""Matches :func:`find_all` collects at most: enough to count any real repetition, and a bound on
the work a hostile text (a quote ``a`` in a text of a million ``a``) can cause."""
MAX_WINDOWS = 1000
"""Candidate passages :func:`closest_passage` compares at most, so a hint costs bounded time."""


def find_all(text: str, quote: str, limit: int = MAX_MATCHES) -> list[int]:
    """Start offsets of the first ``limit`` (possibly overlapping) matches of ``quote``."""
    starts: list[int] = []
    at = text.find(quote)
    while at >= 0 and len(starts) < limit:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def pick(starts: list[int], occurrence: int | None) -> int | None:
    """The match a contributor meant: the only one, or the ``occurrence``-th (1-based)."""
    if occurrence is None:
        return starts[0] if len(starts) == 1 else None
    return starts[occurrence - 1] if occurrence <= len(starts) else None


def closest_passage(text: str, quote: str) -> tuple[str, str]:
    """The passage of ``text`` most like ``quote``, and where the two first differ.

    >>> closest_passage("He said “yes” twice.", 'He said "yes"')
    ('He said “yes”', 'first difference at character 9: the text has “ where the quote has "')
    """
    starts = _candidate_starts(text, quote) if quote else []
    if not starts:  # an empty quote, or a text of white space only
        return "", ""
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote)
    best, best_ratio = (starts[0], len(quote)), -1.0
    for start in starts:
        ratio = _ratio(matcher, text[start : start + len(quote)], best_ratio)
        if ratio > best_ratio:
            best, best_ratio = (start, len(quote)), ratio
    passage = _refine_end(matcher, text, best[0], len(quote))
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
    """Word starts, and offsets near where the quote's first or last characters occur."""
    starts = set(_word_starts(text))
    starts.update(find_all(text, quote[:12]))
    for at in find_all(text, quote[-12:]):
        anchor = at + 12 - len(quote)
        starts.update(range(max(anchor - 3, 0), anchor + 4))
    return sorted(s for s in starts if s < len(text) and not text[s].isspace())


@functools.lru_cache(maxsize=2)
def _word_starts(text: str) -> tuple[int, ...]:
    """Where words start, evenly thinned to :data:`MAX_WINDOWS` in a long text; cached, since
    every quote missing from one text searches the same windows."""
    words = [0, *(i + 1 for i, char in enumerate(text) if char in " \n")]
    return tuple(words[:: len(words) // MAX_WINDOWS + 1])


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
