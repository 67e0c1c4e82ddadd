"""Rules between rows, written once on plain values.

The cross-check stage applies them to corpus files (where a problem gets its YAML line), and
the table rules of ``nkdata build`` and ``nkdata verify`` (:mod:`nkdata.release.tablerules`)
apply them to release tables, so that both enforce the same definition.

>>> affiliation_cycles({"a": "b", "b": "a", "c": "a", "d": "d"})
[['a', 'b'], ['d']]
>>> claim_after_article(date(2020, 1, 2), date(2020, 1, 1))
True
>>> claim_after_article(date(2030, 1, 1), None)
False
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date


def affiliation_cycles(affiliations: Mapping[str, str | None]) -> list[list[str]]:
    """Every cycle of "speaks for" links (a source affiliated with itself is one), each from its
    smallest id, in id order: such a chain never reaches the organisation it names.

    Linear: each source is walked once.
    """
    cycles, state = [], dict.fromkeys(affiliations, 0)  # 0 new, 1 on the current walk, 2 done
    for start in sorted(affiliations):
        path: list[str] = []
        node: str | None = start
        while node is not None and state.get(node) == 0:
            state[node] = 1
            path.append(node)
            node = affiliations.get(node)
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node) :]
            first = cycle.index(min(cycle))
            cycles.append(cycle[first:] + cycle[:first])
        for visited in path:
            state[visited] = 2
    return sorted(cycles)


def claim_after_article(claim_day: date, published_latest: date | None) -> bool:
    """Whether a claim is dated after the last day its article can have been published: the
    article cannot report it. ``claim_day`` is the first day the claim's date allows, so a claim
    dated ``2024`` in an article of 2024-03 is not after it; an article dated "2017 or later"
    (no latest day) bounds nothing."""
    return published_latest is not None and claim_day > published_latest
