"""Search the shared registries, so that a contributor reuses a source or quantity that exists.

``nkdata find source TEXT`` and ``nkdata find quantity TEXT`` match every word of TEXT against
the words of each entry (id, name or label, unit, kind, description), forgiving small spelling
differences ("Koryolink" finds "Koryo Link" and "koryolink"), and list the best entries first.
The registry is read as YAML only, so that a registry with problems can still be searched.

>>> entries = [{"id": "radio-free-asia", "name": "Radio Free Asia", "kind": "outlet"},
...            {"id": "reuters", "name": "Reuters", "kind": "outlet"}]
>>> [match.entry["id"] for match in search(entries, "radio fre asia")]
['radio-free-asia']
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

FIELDS = {"id": 1.0, "name": 1.0, "label": 1.0, "unit": 0.8, "kind": 0.6, "description": 0.7}
"""Fields searched, with the weight of a match in each: a name match beats a description's."""
CUTOFF = 0.8
"""How alike two words must be (difflib's ratio) to count as the same word."""
SHOWN = 10


@dataclass(frozen=True, slots=True)
class Match:
    """An entry and how well it matches: the share of query words found, weighted by field."""

    score: float
    entry: dict[str, Any]


def words(text: str) -> list[str]:
    """Lower-case words of ``text``; ids split at hyphens, so ``radio-free-asia`` is 3 words."""
    return re.findall(r"[^\W_]+", text.casefold())


def search(entries: list[dict[str, Any]], query: str) -> list[Match]:
    """The entries that match ``query``, best first (at most :data:`SHOWN`)."""
    wanted = words(query)
    if not wanted:
        return []
    found = [Match(_score(entry, wanted, query.casefold()), entry) for entry in entries]
    ranked = sorted((m for m in found if m.score >= 0.5), key=lambda m: -m.score)
    return ranked[:SHOWN]


def _score(entry: dict[str, Any], wanted: list[str], phrase: str) -> float:
    best = 0.0
    for field, weight in FIELDS.items():
        value = entry.get(field)
        if not isinstance(value, str):
            continue
        if phrase in value.casefold():
            best = max(best, weight + 0.5)  # the whole query as written
            continue
        split = words(value)
        have = [*split, "".join(split)]  # "Koryo Link" also as "koryolink"
        hits = sum(bool(difflib.get_close_matches(word, have, 1, CUTOFF)) for word in wanted)
        best = max(best, weight * hits / len(wanted))
    return best
