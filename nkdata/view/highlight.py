"""An article's text as HTML, with spans of it wrapped in elements: claims, figures, parts.

Spans may nest (a figure inside its claim, a claim inside a longer one) or cross (two claims
that overlap). Nested spans become nested elements; a span that crosses another is closed where
the other ends and opened again after it, so the HTML stays well formed and every character
keeps every span that covers it. Only the first piece of a span carries its ``id``; later pieces
open with ``again``. Every character of the text is escaped.

>>> spans = [Span(0, 7, 1, '<b id="a">', "<b>", "</b>"), Span(4, 13, 1, "<i>", "<i>", "</i>")]
>>> highlight("one two three <4>", spans)
'<b id="a">one <i>two</i></b><i> three</i> &lt;4&gt;'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]``, wrapped in ``first ... close`` (and ``again ... close`` for later
    pieces). ``rank`` orders spans with the same extent: the lower rank opens outside."""

    start: int
    end: int
    rank: int
    first: str
    again: str
    close: str


def highlight(text: str, spans: Iterable[Span]) -> str:
    """``text`` escaped, with every span wrapped in its elements (see the module docstring)."""
    starts: dict[int, list[Span]] = defaultdict(list)
    for span in spans:
        if span.start < span.end:
            starts[span.start].append(span)
    ends = {span.end for opening in starts.values() for span in opening}
    out: list[str] = []
    open_spans: list[Span] = []
    position = 0
    for boundary in sorted({0, len(text), *starts, *ends}):
        out.append(escape(text[position:boundary], quote=False))
        position = boundary
        _close_at(boundary, open_spans, out)
        for span in sorted(starts.get(boundary, ()), key=lambda s: (-s.end, s.rank)):
            out.append(span.first)
            open_spans.append(span)
    return "".join(out)


def _close_at(boundary: int, open_spans: list[Span], out: list[str]) -> None:
    """Close the spans that end at ``boundary``, and the ones opened inside them, which are
    opened again at once when they go on."""
    ending = [i for i, span in enumerate(open_spans) if span.end == boundary]
    if not ending:
        return
    inner = open_spans[ending[0] :]
    del open_spans[ending[0] :]
    out.extend(span.close for span in reversed(inner))
    for span in inner:
        if span.end != boundary:
            out.append(span.again)
            open_spans.append(span)
