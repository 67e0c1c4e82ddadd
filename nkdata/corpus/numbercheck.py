"""The number rule: every number in an article's body is a figure or a listed exclusion.

A number (found by :mod:`nkdata.corpus.numberfinder`) is accounted for when it lies wholly
inside a figure's text, an exclusion's quote, or a part of the page marked ``non_body``. Any
other is ``number-unaccounted``, reported at its line and column in text.txt. The same
statuses are what ``nkdata numbers ARTICLE`` prints, so a contributor sees what the rule sees.

>>> from nkdata.corpus.crosscheck import Spans
>>> spans = Spans(figures={("c01", "f1"): (15, 17)})
>>> [(s.number.text, s.status) for s in number_statuses("In 2018, about 28 sites.", spans, {})]
[('2018', 'unaccounted'), ('28', 'figure c01:f1')]
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from nkdata.corpus.crosscheck import Spans
from nkdata.corpus.numberfinder import Number, find_numbers, number_spans
from nkdata.corpus.problems import Problem, Rule
from nkdata.corpus.text import line_column, problem_at

UNACCOUNTED = "unaccounted"


@dataclass(frozen=True, slots=True)
class NumberStatus:
    """One number of a text and what accounts for it."""

    number: Number
    line: int
    column: int
    status: str
    """``figure c04:f1``, ``exclusion (date)``, ``non-body (headline)`` or ``unaccounted``."""


def covering_spans(spans: Spans, labels: dict[str, dict[int, str]]) -> list[tuple[int, int, str]]:
    """Every span that accounts for numbers, with its label; ``labels`` names the exclusions'
    reasons and the non-body parts' kinds by their index in article.yaml."""
    covers = [
        (a, b, f"figure {claim}:{figure}") for (claim, figure), (a, b) in spans.figures.items()
    ]
    covers += [
        (a, b, f"exclusion ({labels['exclusions'].get(i, '?')})")
        for i, (a, b) in spans.exclusions.items()
    ]
    covers += [
        (a, b, f"non-body ({labels['non_body'].get(i, '?')})")
        for i, (a, b) in spans.non_body.items()
    ]
    return sorted(covers)


def number_statuses(
    text: str, spans: Spans, labels: dict[str, dict[int, str]]
) -> list[NumberStatus]:
    """Each number of ``text`` with the first span (in text order) that covers it."""
    covers = covering_spans(spans, {"exclusions": {}, "non_body": {}, **labels})
    bounds = [(a, b) for a, b, _ in covers]
    reach = _reach(bounds)
    statuses = []
    for number in find_numbers(text):
        holder = _holder(bounds, reach, number.start, number.end)
        status = covers[holder][2] if holder is not None else UNACCOUNTED
        statuses.append(NumberStatus(number, *line_column(text, number.start), status))
    return statuses


def _reach(bounds: Sequence[tuple[int, int]]) -> list[int]:
    """The furthest end so far of spans sorted by start, for :func:`_holder`."""
    return list(accumulate((b for _, b in bounds), max))


def _holder(
    bounds: Sequence[tuple[int, int]], reach: list[int], start: int, end: int
) -> int | None:
    """The first span (in start order) that holds ``start:end``: the first whose end reaches
    past ``end``, found by a binary search in ``reach``, if it starts before ``start``.
    Logarithmic, so that many figures cost near-linear time.

    >>> bounds = [(0, 4), (2, 9), (5, 6)]
    >>> [_holder(bounds, _reach(bounds), *number) for number in [(1, 3), (5, 6), (9, 10)]]
    [0, 1, None]
    """
    first = bisect.bisect_left(reach, end)
    if first < len(bounds) and bounds[first][0] <= start:
        return first
    return None


def _context(text: str, begin: int, end: int) -> str:
    """The number at ``begin:end`` with the word before and after it on its line: a quote
    likely to be unique."""
    start = text.rfind(" ", 0, max(text.rfind(" ", 0, begin), 0)) + 1
    start = max(start, text.rfind("\n", 0, begin) + 1)
    after = text.find(" ", end + 1)
    ends = [at for at in (after, text.find("\n", end)) if at >= 0]
    return text[start : min(ends, default=len(text))].strip().replace("'", "''")


def unaccounted(text: str, spans: Spans, text_file: str) -> list[Problem]:
    """A ``number-unaccounted`` problem for each number no figure, exclusion or part covers.

    Run on every checked article, so it asks only for offsets, and locates only what it reports;
    it reports exactly the numbers :func:`number_statuses` calls unaccounted.
    """
    bounds = sorted([*spans.figures.values(), *spans.exclusions.values(), *spans.non_body.values()])
    reach = _reach(bounds)
    problems = []
    for start, end in number_spans(text):
        if _holder(bounds, reach, start, end) is not None:
            continue
        problems.append(
            problem_at(
                text,
                start,
                Rule.NUMBER_UNACCOUNTED,
                f"the number {text[start:end]!r} is neither a figure nor an exclusion",
                text_file,
                "Record it as a figure of the claim that states it, or add it to "
                f"`exclusions:` (quote: '{_context(text, start, end)}', reason: date, name, "
                "ordinal, ...), or mark its part of the page `non_body`. `nkdata numbers "
                "ARTICLE` lists every number.",
            )
        )
    return problems
