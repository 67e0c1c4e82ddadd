"""The number finder: each class of number, on sentences from the real texts, and its limits."""

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nkdata.corpus import numberfinder as nf
from nkdata.corpus.numberfinder import KINDS, Number, find_numbers


def found(text: str) -> list[tuple[str, str]]:
    """(text, kind) of each number, for compact expectations."""
    return [(n.text, n.kind) for n in find_numbers(text)]


CASES = [
    # numerals
    (
        "this marks the first major deployment of North Korean forces outside Asia in decades.",
        [("first", "ordinal"), ("decades", "vague")],
    ),
    (
        "North Koreans could only access a limited set of 28 state-approved websites",
        [("28", "numeral")],
    ),
    (
        "According to U.S. officials approximately 10,000\u00a0to 12,000 North Korean soldiers",
        [("10,000", "numeral"), ("12,000", "numeral")],
    ),
    (
        "News from the 2018 Asian Games, which ran from Aug. 18 to Sept. 2 in Jakarta",
        [("2018", "numeral"), ("18", "numeral"), ("2", "numeral")],
    ),
    ("korea-stadium2-090518.jpg", [("2", "numeral"), ("090518", "numeral")]),
    ("the national 3G network", [("3G", "numeral")]),
    ("since the 1990s and the 1990’s", [("1990s", "numeral"), ("1990’s", "numeral")]),
    (
        "a total of 4-5 million consumers or about 20% of the country’s population",
        [("4", "numeral"), ("5 million", "numeral"), ("20%", "numeral")],
    ),
    (
        "it paid $200 and then US$1.2 billion, or £8.99, at 1.5 percent",
        [
            ("$200", "numeral"),
            ("US$1.2 billion", "numeral"),
            ("£8.99", "numeral"),
            ("1.5", "numeral"),
        ],
    ),
    ("Almost none of the 25 million citizens", [("25 million", "numeral")]),
    # digits in a hash are found one run at a time, glued letters dropped
    (
        "efdc285a402ac8b7.jpg",
        [("285", "numeral"), ("402", "numeral"), ("8", "numeral"), ("7", "numeral")],
    ),
    # ordinals
    (
        "North Korea finished 10th, its 1st and 21st times",
        [("10th", "ordinal"), ("1st", "ordinal"), ("21st", "ordinal")],
    ),
    (
        "the first-ever, twentieth, twenty-first, hundredth and one millionth visitor",
        [
            ("first", "ordinal"),
            ("twentieth", "ordinal"),
            ("twenty-first", "ordinal"),
            ("hundredth", "ordinal"),
            ("one millionth", "ordinal"),
        ],
    ),
    ("Also speaking to RFA, a second source in Pyongyang", [("second", "ordinal")]),
    # number words
    (
        "“Their three-year contracts have been renewed many times",
        [("three", "word")],
    ),
    (
        "twenty-five, twenty five, three hundred and twenty-five thousand, a one-time 24-hour pass",
        [
            ("twenty-five", "word"),
            ("twenty five", "word"),
            ("three hundred and twenty-five thousand", "word"),
            ("one", "word"),
            ("24", "numeral"),
        ],
    ),
    (
        "about a million computers, half a million, two dozen, A dozen other official sites",
        [
            ("a million", "word"),
            ("half a million", "word"),
            ("two dozen", "word"),
            ("A dozen", "word"),
        ],
    ),
    (
        "It isn’t easy to control thousands of workers at once, twice or half the time",
        [("thousands", "vague"), ("once", "word"), ("twice", "word"), ("half", "word")],
    ),
    (
        "there are three different, competing telecom operators, Eight of them",
        [("three", "word"), ("Eight", "word")],
    ),
    # vague counts
    (
        "at least several million people; billions of users; millions of websites",
        [("several million", "vague"), ("billions", "vague"), ("millions", "vague")],
    ),
    (
        "Kwangmyong offers dozens of websites; tens of thousands, hundreds of thousands",
        [("dozens", "vague"), ("tens of thousands", "vague"), ("hundreds of thousands", "vague")],
    ),
    (
        "only a couple of thousand books; a few hundred dollars; a few families; scores of people",
        [
            ("a couple of thousand", "vague"),
            ("a few hundred", "vague"),
            ("a few", "vague"),
            ("scores", "vague"),
        ],
    ),
    ("a handful of privileged people", [("a handful of", "vague")]),
    # one of / the two nations are numbers; the guide excludes them, the finder reports them
    ("One of the first is a Facebook clone", [("One", "word"), ("first", "ordinal")]),
    ("the alliance between the two nations", [("two", "word")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_finds(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Someone phoned everyone; anyone alone, oneself, lonely, often in a tone, none of them.",
        "many, most, some, various, few websites, considerably fewer digital constraints",
        "every single file; double the price; a married couple; test scores; the tens digit",
        "Red Star OS; which ones; atones; tendency; content; attend",
        "Dutch comments: als een god, weinig tot niets, voor het eerst",
    ],
)
def test_false_positives(text: str) -> None:
    assert found(text) == []


def test_case_insensitive_and_offsets_are_code_points() -> None:
    text = "İstanbul 📬 ONE ﬁrst Twenty-Five"
    assert found(text) == [("ONE", "word"), ("Twenty-Five", "word")]
    for n in find_numbers(text):
        assert text[n.start : n.end] == n.text


def test_no_line_break_inside_a_phrase() -> None:
    assert found("three\nhundred") == [("three", "word"), ("hundred", "word")]


def test_vocabulary_is_inflects() -> None:
    """The word lists are the spelling of inflect, the library that generates English numbers."""
    inflect = pytest.importorskip("inflect")
    p = inflect.engine()
    assert [p.number_to_words(i) for i in range(20)] == nf.UNITS
    assert [p.number_to_words(10 * i) for i in range(2, 10)] == nf.TENS
    assert [p.ordinal(w) for w in nf.UNITS[1:]] == nf.ORDINAL_UNITS
    assert [p.ordinal(w) for w in nf.TENS] == nf.ORDINAL_TENS
    assert [p.ordinal(w) for w in nf.SCALES] == nf.ORDINAL_SCALES
    for i in [*range(1, 100), 100, 1000, 10**6]:
        words = p.number_to_words(i, andword="")
        assert found(words) == [(words, "word")], words
        ordinal = p.ordinal(words)
        if i < 100 or i in (100, 1000, 10**6):
            assert found(ordinal) == [(ordinal, "ordinal")], ordinal


def test_word_numbers_agree_with_text2num() -> None:
    """Every spelled-out number text2num finds in running text is inside one of ours."""
    t2n = pytest.importorskip("text_to_num")
    text = (
        "one of the first is a clone; three hundred and twenty-five people; twenty five more; "
        "the twentieth, hundredth and millionth visitor; two million users and thousands more"
    )

    class Tok(t2n.Token):  # type: ignore[misc,name-defined]
        def __init__(self, m: re.Match[str]) -> None:
            self.m = m

        def text(self) -> str:
            return self.m.group()

    toks = [Tok(m) for m in re.finditer(r"\w+|[^\w\s]", text)]
    ours = find_numbers(text)
    for o in t2n.find_numbers(toks, "en", threshold=0):
        a, b = toks[o.start].m.start(), toks[o.end - 1].m.end()
        assert any(n.start <= a and b <= n.end for n in ours), text[a:b]


SOUP = st.sampled_from(list("0123456789 ,.-$%aAtTeEnNoOsSwWhHrR\n\u00a0’"))


@given(st.text(alphabet=SOUP) | st.text())
def test_offsets_order_and_kinds(text: str) -> None:
    items = find_numbers(text)
    last = 0
    for n in items:
        assert isinstance(n, Number)
        assert text[n.start : n.end] == n.text
        assert n.start < n.end
        assert n.start >= last
        assert n.kind in KINDS
        last = n.end


WORDS = ["one", "two", "hundred", "and", "a", "few", "of", "tens", "thousands", "twenty"]


@given(st.lists(st.sampled_from([*WORDS, "-", " ", "\u00a0", "5", ",", "million"])))
def test_word_soup_is_consistent(parts: list[str]) -> None:
    text = " ".join(parts)
    items = find_numbers(text)
    assert all(text[n.start : n.end] == n.text for n in items)
    assert all(a.end <= b.start for a, b in itertools.pairwise(items))


def test_adversarial_input_is_scanned_whole() -> None:
    """Long runs of near-misses are scanned to the end (a regex that backtracked
    catastrophically would not return); the benchmark measures the finder's speed."""
    for chunk, per_chunk in [("twenty ", 1), ("1,", 1), ("tens of ", 0), ("9a", 1)]:
        assert len(find_numbers(chunk * 20_000)) >= per_chunk, chunk
