"""Find every number stated in an English text, with code-point offsets.

A validation rule uses this to report each number in an article that no annotated figure and
no deliberate exclusion covers, so the finder errs towards reporting: it lists every numeral,
number word, ordinal and vague count word, and leaves deciding what is a figure to the guide.

Items are kept atomic so that an annotated span covers them: a range gives one item per bound
(``4-5 million`` gives ``4`` and ``5 million``; ``10,000 to 12,000`` gives ``10,000`` and
``12,000``), a hyphenated compound gives its number part (``three-year`` gives ``three``),
a date gives its numerals (``Aug. 18`` gives ``18``). A multiplier stays with its scale word
(``2 million``, ``three hundred``, ``a million``, ``several million``), since a reader calls
that one number.

Kinds (a closed set):

- ``numeral``: written with digits, with a glued currency sign, letters or ``%`` and any
  following scale words: ``28``, ``10,000``, ``US$1.2 billion``, ``20%``, ``3G``, ``1990s``;
- ``ordinal``: ``first`` ... ``twentieth``, ``twenty-first``, ``hundredth``, ``millionth``,
  and digits with an ordinal suffix: ``10th``, ``1st``;
- ``word``: a spelled-out exact number: ``five``, ``twenty-five``, ``three hundred``,
  ``a million``, ``half a million``, ``dozen``, ``half``, ``once``, ``twice``;
- ``vague``: a count word with no exact value: ``dozens``, ``hundreds``, ``tens of
  thousands``, ``millions``, ``decades``, ``a few``, ``a couple of``, ``a handful of``,
  ``several``, ``scores`` (before "of").

Not numbers here: ``many``, ``most``, ``some``, ``various``, bare ``few``, ``fewer``, ``none``,
``single`` and ``double`` (mostly adjectives or verbs: "every single file", "double-check"),
bare ``a couple`` (often a pair of people); ``decades`` is in because the seed guide annotates
it as a figure.

The scan is one precompiled regular expression applied once (linear time): every repetition
in it consumes a whole word between required separators, so no input can make it backtrack
catastrophically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = ["KINDS", "Number", "find_numbers", "number_spans"]

KINDS: Final = frozenset({"numeral", "ordinal", "word", "vague"})

# Number vocabulary.  The tests check these against inflect's number_to_words/ordinal, so the
# spelling is the library's, without importing inflect (seconds, with typeguard) at run time.
UNITS: Final = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS: Final = [
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
]
SCALES: Final = ["hundred", "thousand", "million", "billion", "trillion"]
ORDINAL_UNITS: Final = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
ORDINAL_TENS: Final = [
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
]
ORDINAL_SCALES: Final = [
    "hundredth",
    "thousandth",
    "millionth",
    "billionth",
    "trillionth",
]


_Trie = dict[str, "_Trie"]  # a prefix tree: "" marks the end of a word


def _alt(words: list[str]) -> str:
    """Alternation, longest first, so the regex never settles on a prefix of a longer word."""
    return "(?:" + "|".join(sorted(words, key=lambda w: (-len(w), w))) + ")"


def _trie(words: set[str]) -> str:
    """Regex for a word set as a prefix trie: each character is tested once per position.

    A plain alternation of ~90 words re-tests the same prefixes at every word start; as a trie
    the gate in front of the scanner rejects a non-number position after a character or two.
    """
    root: _Trie = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = "(?:" + "|".join(alts) + ")"
        return body + "?" if "" in node else body

    return emit(root)


def _build() -> re.Pattern[str]:
    """Compile the scanner once; named groups give the kind of each match."""
    # Spaces within a line, incl. no-break, figure, thin and narrow no-break spaces; never a line
    # break, since a headline or caption line is not one phrase with the next line.
    sp = "[ \t\u00a0\u2007\u2009\u202f]+"
    hy = r"[-\u2010\u2011]"  # hyphen, Unicode hyphen, non-breaking hyphen
    b = r"\b"
    unit19 = _alt(UNITS[1:10])
    small = rf"(?:{_alt(TENS)}(?:(?:{hy}|{sp}){unit19}{b})?|{_alt(UNITS)})"
    scale = _alt([*SCALES, "dozen"])
    big = _alt(SCALES)
    plural = _alt([w + "s" for w in SCALES])
    # "three hundred and twenty-five thousand": a group after a scale word may follow.
    card = rf"{small}{b}(?:{sp}{scale}{b}(?:{sp}(?:and{sp})?{small}{b})?)*"
    ordinal = (
        rf"{_alt(TENS)}{hy}{_alt(ORDINAL_UNITS)}"
        rf"|(?:{small}{sp})?{_alt(ORDINAL_SCALES)}"
        rf"|{_alt(ORDINAL_TENS)}|{_alt(ORDINAL_UNITS)}"
    )
    vague = (
        rf"tens{sp}of{sp}{plural}"
        rf"|{_alt([*(w + 's' for w in SCALES), 'dozens', 'decades'])}(?:{sp}of{sp}{plural}{b})?"
        rf"|scores(?={sp}of{b})"
        rf"|(?:a{sp}few|several|a{sp}couple{sp}of|a{sp}handful{sp}of)(?:{sp}{big}{b})?"
        rf"|a{sp}couple{sp}{big}"
    )
    word = rf"(?:half{sp})?a{sp}{scale}|{card}|half|once|twice|thrice|{scale}"
    numeral = (
        # Letters glued to the digits belong to the token ("3G", "1990s", "10th", "5am") unless
        # more digits follow, as in a hash or code ("8b7d"), where only the digits are numbers.
        r"(?:\b[a-z]{1,3}\$|[$£€¥₩])?\d+(?:[.,]\d+)*(?:[^\W\d_]++(?!\w)|['\u2019]s\b)?%?"
        rf"(?:{sp}{scale}{b})*"
    )
    first = {
        *UNITS, *TENS, *SCALES, *ORDINAL_UNITS, *ORDINAL_TENS, *ORDINAL_SCALES,
        *(w + "s" for w in SCALES), "dozen", "dozens", "decades", "half", "once", "twice",
        "thrice", "several", "scores", "tens", "a",
    }  # fmt: skip
    gate = rf"(?=[\d$£€¥₩]|{b}(?:{_trie(first)}){b}|{b}[a-z]{{1,3}}\$)"
    return re.compile(
        rf"{gate}(?:{b}(?:(?P<vague>{vague})|(?P<ordinal>{ordinal})|(?P<word>{word})){b}"
        rf"|(?P<numeral>{numeral}))",
        re.ASCII,  # a quarter faster than Unicode classes; English number words are ASCII
    )


_SCAN: Final = _build()
_ORDINAL_DIGITS: Final = re.compile(r"\d(st|nd|rd|th)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Number:
    """One number in a text: ``text[start:end] == self.text``, offsets in code points."""

    start: int
    end: int
    text: str
    kind: str


def find_numbers(text: str) -> list[Number]:
    """Every number in ``text``, in text order and non-overlapping (see the module docstring)."""
    found: list[Number] = []
    for m in _SCAN.finditer(_fold(text)):
        kind = m.lastgroup or "numeral"
        if kind == "numeral" and _ORDINAL_DIGITS.search(m.group()):
            kind = "ordinal"
        found.append(Number(m.start(), m.end(), text[m.start() : m.end()], kind))
    return found


def number_spans(text: str) -> list[tuple[int, int]]:
    """The offsets of the numbers :func:`find_numbers` finds, without more: what the number rule
    needs for every checked article, at a fraction of the cost.

    >>> number_spans("In 2018, about 28 sites.")
    [(3, 7), (15, 17)]
    """
    return [match.span() for match in _SCAN.finditer(_fold(text))]


def _fold(text: str) -> str:
    """The scanner is written in lower case and matched against a lower-cased copy: IGNORECASE
    would make every literal test slower. str.lower() keeps the length (so the offsets) of every
    character except U+0130, which lower() turns into two code points."""
    return text.replace("\u0130", "i").lower()
