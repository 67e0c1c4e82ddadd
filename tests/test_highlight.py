"""Spans over a text, nested or crossing, become well-formed HTML that keeps every character's
spans: checked on random texts and spans."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from nkdata.view.highlight import Span, highlight


class Covered(HTMLParser):
    """Each character of the text with the spans open around it; fails on a misnested tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.chars: list[tuple[str, frozenset[str]]] = []
        self.firsts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.open.append(str(attributes["data-s"]))
        if "id" in attributes:
            self.firsts.append(str(attributes["id"]))

    def handle_endtag(self, tag: str) -> None:
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.chars += [(char, frozenset(self.open)) for char in data]


def span(number: int, start: int, end: int, rank: int) -> Span:
    return Span(
        start,
        end,
        rank,
        f'<b data-s="{number}" id="s{number}">',
        f'<b data-s="{number}">',
        "</b>",
    )


@given(
    st.text(alphabet="ab <>&\"'\n", min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 2)), max_size=8),
)
def test_every_character_keeps_the_spans_that_cover_it(text: str, bounds: list) -> None:
    spans = []
    for number, (a, b, rank) in enumerate(bounds):
        start, end = sorted((min(a, len(text)), min(b, len(text))))
        if start < end:
            spans.append((number, start, end, rank))
    parser = Covered()
    parser.feed(highlight(text, [span(*s) for s in spans]))
    parser.close()
    assert parser.open == []
    assert "".join(char for char, _ in parser.chars) == text
    for position, (_, covering) in enumerate(parser.chars):
        assert covering == {str(n) for n, start, end, _ in spans if start <= position < end}
    assert sorted(parser.firsts) == sorted(f"s{n}" for n, *_ in spans)


def test_the_outer_of_two_equal_spans_is_the_lower_rank() -> None:
    spans = [span(1, 0, 3, 2), span(0, 0, 3, 1)]
    assert highlight("abc", spans) == '<b data-s="0" id="s0"><b data-s="1" id="s1">abc</b></b>'
