"""Write a synthetic corpus in the real corpus format, at a chosen size, for the benchmark.

``P1k``, ``P10k`` and ``P100k`` hold 1,000, 10,000 and 100,000 articles of about 4,000
characters, N/5 sources, and on average 20 claims and 10 figures per article. Every quote is
a span of its text that occurs there once (or says which occurrence it is), every figure text
occurs once inside its quote, claims are listed in text order, and every id and reference
resolves. Every number of a text is accounted for, as the number rule asks: a figure, one of
the three or so exclusions of an article (a date, an ordinal, a name, ... in a sentence), or a
part of the page marked ``non_body`` (the headline; now and then a byline, an image's file
name, or a link and a comment count below the text). So the corpus is valid, every rule has
work to do, and ``nkdata build`` writes a release of it. Each article draws from its own
generator seeded by (seed, index): the same arguments always give the same bytes, whether
articles are written by one process or several.

Usage::

    python benchmarks/generate.py P10k /tmp/nkdata-bench/P10k
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from nkdata.corpus.numberfinder import find_numbers
from nkdata.corpus.quotes import find_all

SIZES = {"P1k": 1_000, "P10k": 10_000, "P100k": 100_000}
SEED = 20261123
APOSTROPHE = "\u2019"  # the typographic apostrophe of most news sites


def _list(words: str) -> list[str]:
    return words.split()


_COMMON = _list(
    "the of and to in a is that for on was with as by at from it said has have had were be are "
    "an its their this which who but not or after more than about over into been also would "
    "could they them there when while where what some many most other new early last since "
    "under through between against during because however according officials reports report "
    "sources source government state country people workers citizens authorities ministry "
    "internet network phones smartphones mobile access service services online content media "
    "foreign broadcasts radio television films dramas songs border market traders students "
    "soldiers troops police security agents officers party leaders leadership regime capital "
    "city province village region factory office school university company companies "
    "technology devices computers software apps application intranet websites servers users "
    "subscribers connection connections signal signals censorship surveillance punishment "
    "crackdown control controls restrictions restricted banned blocked monitored watched "
    "smuggled shared sold bought used installed inspected confiscated arrested sent returned "
    "reported told confirmed denied estimated claimed warned announced ordered introduced "
    "expanded limited increased decreased remained appeared seemed continued began"
)
_NAMES = _list(
    "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Ryu Hong "
    "Jeon Ko Moon Yang Son Bae Baek Heo Nam Sim Noh Ha Kwak Sung Cha Joo Woo Min Ryu Jin Ji "
    "Müller Søren Zoë José Renée André Chloé Björn Åsa Łukasz Dvořák Nuñez Ibáñez Çelik"
)
_PLACES = _list(
    "Pyongyang Sinuiju Hyesan Chongjin Wonsan Hamhung Kaesong Nampo Rason Dandong Vladivostok "
    "Khabarovsk Moscow Seoul Beijing Shenyang Yanji Tokyo Kursk Ulan-Ude Jakarta Geneva"
)
_COUNTRIES = _list("KP KR CN RU US JP GB DE FR UA ID CH SE NO AU CA")
_KINDS = ("person", "organization", "company", "outlet", "government", "military")
_MODES = ("direct_quote", "paraphrase", "assertion")
_FRAMINGS = ("asserted", "attributed", "hedged", "unconfirmed", "denied", "disputed")
_TOPICS = _list(
    "internet_access domestic_network mobile_phones censorship surveillance punishment "
    "foreign_media online_behaviour social_media propaganda overseas_workers "
    "military_deployment foreign_relations cyber_operations society"
)
_UNITS = _list("people smartphones subscribers websites soldiers percent devices years won dollars")
_MONTHS = _list("January February March April June July August September October November")
_PLAIN = re.compile(rf"^[A-Za-z][A-Za-z0-9 ,.()'{APOSTROPHE}-]*[A-Za-z0-9.)]$")
_NOT_PLAIN = re.compile(r"^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+.0-9 ]+)$")


@dataclass(frozen=True, slots=True)
class Shape:
    """How big a corpus is: its articles, sources and quantities."""

    articles: int
    sources: int
    quantities: int
    page_parts: bool = True
    """Whether pages have parts that are not body (headline, byline, furniture); without them,
    headlines hold no number and the page_parts table is empty."""

    @classmethod
    def of(cls, articles: int) -> Shape:
        return cls(articles, max(articles // 5, 20), max(articles // 50, 30))


def _vocabulary() -> list[str]:
    """A few thousand made-up words beside the common ones, so that texts vary like prose."""
    rng = random.Random(SEED)
    onsets = _list("b c d f g h j k l m n p r s t v w y z ch sh th br gr tr st pl")
    vowels = _list("a e i o u ai ea ou io")
    words = {
        "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(1, 3)))
        for _ in range(4000)
    }
    return sorted(word for word in words if not find_numbers(word))  # "nine", "zero", ...


_WORDS = _vocabulary()
assert not any(find_numbers(word) for word in _COMMON + _NAMES + _PLACES), "words, no numbers"


def _word(rng: random.Random) -> str:
    """Common words often, rare ones now and then (a rough Zipf shape)."""
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(_COMMON)
    if roll < 0.62:
        return rng.choice(_PLACES)
    if roll < 0.66:
        return rng.choice(_NAMES) + APOSTROPHE + "s"
    return _WORDS[int(len(_WORDS) * rng.random() ** 2)]


def _words(rng: random.Random, low: int, high: int) -> list[str]:
    return [_word(rng) for _ in range(rng.randint(low, high))]


def _comma(rng: random.Random, words: list[str]) -> list[str]:
    """Now and then a comma after a word in the middle."""
    if rng.random() < 0.3 and len(words) > 3:
        at = len(words) // 2
        words = [*words[:at], words[at] + ",", *words[at + 1 :]]
    return words


def _sentence(rng: random.Random, words: list[str]) -> str:
    text = " ".join(_comma(rng, words))
    return text[0].upper() + text[1:] + "."


def source_id(index: int) -> str:
    return f"source-{index:06d}"


def quantity_id(index: int) -> str:
    return f"quantity-{index:05d}"


def article_id(index: int) -> str:
    return f"article-{index:07d}"


def _scalar(value: object) -> str:
    """A YAML scalar as contributors write it: plain when safe, double-quoted otherwise."""
    if value is None:
        return "null"
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    text = str(value)
    if re.fullmatch(r"https?://\S+", text):
        return text
    if _PLAIN.match(text) and ": " not in text and " #" not in text and not _NOT_PLAIN.match(text):
        return text
    return _quoted(text)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# ---- figures -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """A number as the text writes it, and its normalised reading."""

    text: str
    qualifier: str
    value: float | None = None
    low: float | None = None
    high: float | None = None


def _figure(rng: random.Random) -> FigureSpec:
    kind = rng.randrange(7)
    n = rng.randint(2, 999) * 10 ** rng.randint(0, 3)
    if kind == 0:
        return FigureSpec(f"{n:,}", "exact", value=n)
    if kind == 1:
        a = rng.randint(2, 9)
        return FigureSpec(f"about {a} million", "approximately", value=a * 1_000_000)
    if kind == 2:
        a = rng.randint(2, 8)
        return FigureSpec(
            f"{a}-{a + 1} million", "range", low=a * 1_000_000, high=(a + 1) * 1_000_000
        )
    if kind == 3:
        return FigureSpec(f"more than {n:,}", "more_than", value=n, low=n)
    if kind == 4:
        p = rng.randint(1, 99)
        return FigureSpec(f"{p} percent", "exact", value=p)
    if kind == 5:
        return FigureSpec("thousands", "vague", low=2000, high=9999)
    return FigureSpec(f"at most {n:,}", "at_most", value=n, high=n)


# ---- articles ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Incidental:
    """A number a sentence states that is no figure: the words that state it, and why."""

    text: str
    reason: str


def _incidental(rng: random.Random) -> Incidental:
    kind = rng.randrange(8)
    if kind == 0:
        return Incidental(f"in {rng.randint(1990, 2025)}", "date")
    if kind == 1:
        return Incidental(f"on {rng.choice(_MONTHS)} {rng.randint(1, 28)}", "date")
    if kind == 2:
        return Incidental("for the first time", "ordinal")
    if kind == 3:
        return Incidental("a second source", "ordinal")
    if kind == 4:
        return Incidental("the two nations", "reference")
    if kind == 5:
        return Incidental(f"Unit {rng.randint(100, 999)}", "name")
    if kind == 6:
        return Incidental(f"{rng.choice(('two', 'three', 'five'))} years ago", "relative_time")
    return Incidental("once", "idiom")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the body, and the incidental number it states, if any."""

    text: str
    incidental: Incidental | None = None


@dataclass(frozen=True, slots=True)
class ClaimSpec:
    sentence: Sentence
    figures: tuple[FigureSpec, ...]


def _with_incidental(rng: random.Random, words: list[str], chance: float) -> Incidental | None:
    """Now and then an incidental number, inserted into ``words``; never first, where it would
    be capitalised (its exclusion quotes it as it is)."""
    if rng.random() >= chance:
        return None
    incidental = _incidental(rng)
    words.insert(rng.randint(1, len(words)), incidental.text)
    return incidental


def _filler(rng: random.Random) -> Sentence:
    words = _words(rng, 8, 24)
    incidental = _with_incidental(rng, words, 0.12)
    return Sentence(_sentence(rng, words), incidental)


def _claim_sentence(rng: random.Random, figures: tuple[FigureSpec, ...]) -> Sentence:
    words = _comma(rng, _words(rng, 10, 22))
    incidental = _with_incidental(rng, words, 0.1)
    if incidental and any(incidental.text in f.text or f.text in incidental.text for f in figures):
        words.remove(incidental.text)  # a figure text must occur once inside its quote
        incidental = None
    for figure in figures:  # each number once, between words, never at the very start
        words.insert(rng.randint(1, len(words)), figure.text)
    text = " ".join(words)
    return Sentence(text[0].upper() + text[1:] + ".", incidental)


def _quote(rng: random.Random, text: str, sentence: str, figures: tuple[FigureSpec, ...]) -> str:
    """A word-aligned span of ``sentence`` that holds its numbers and occurs once in ``text``."""
    body = sentence.rstrip(".")
    starts = [0] + [i + 1 for i, char in enumerate(body) if char == " "]
    ends = [i for i, char in enumerate(body) if char == " "] + [len(body)]
    spans = [(body.find(f.text), body.find(f.text) + len(f.text)) for f in figures]
    if spans:
        first = max(i for i, at in enumerate(starts) if at <= min(s for s, _ in spans))
        last = min(i for i, at in enumerate(ends) if at >= max(e for _, e in spans))
    else:
        first = rng.randrange(max(len(starts) - 6, 1))
        last = first
    begin = max(0, first - rng.randint(0, 4))
    end = min(len(ends) - 1, max(last + rng.randint(0, 5), begin + 7))
    while True:
        quote = body[starts[begin] : ends[end]].rstrip(",")
        if text.count(quote) == 1 and all(quote.count(f.text) == 1 for f in figures):
            return quote
        if end < len(ends) - 1:
            end += 1
        elif begin > 0:
            begin -= 1
        else:
            return quote  # the whole sentence; its occurrence is set by the caller


def _published(rng: random.Random) -> str:
    """A publication date in the EDTF forms article.yaml takes: mostly a date, now and then
    "that year or later" or "one of two days"."""
    roll = rng.random()
    if roll < 0.08:
        return f"{rng.randint(2010, 2024)}/.."
    if roll < 0.12:
        month = f"{rng.randint(2010, 2025)}-{rng.randint(1, 12):02d}"
        day = rng.randint(1, 27)
        return f"{month}-{day:02d}/{month}-{day + 1:02d}"
    return _date(rng)


def _date(rng: random.Random, first: int = 2010, last: int = 2025) -> str:
    year = rng.randint(first, last)
    precision = rng.random()
    if precision < 0.2:
        return str(year)
    if precision < 0.45:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _figure_yaml(index: int, figure: FigureSpec, rng: random.Random, shape: Shape) -> list[str]:
    lines = [
        f"      - id: f{index}",
        f"        quantity_id: {quantity_id(rng.randrange(shape.quantities))}",
        f"        text: {_scalar(figure.text)}",
    ]
    for name in ("value", "low", "high"):
        number = getattr(figure, name)
        if number is not None:
            lines.append(f"        {name}: {number}")
    lines.append(f"        qualifier: {figure.qualifier}")
    if rng.random() < 0.8:
        lines.append(f"        as_of: '{_date(rng)}'")
    if rng.random() < 0.7:
        lines.append(f"        place: {rng.choice(_COUNTRIES)}")
    return lines


def _claim_yaml(
    index: int,
    claim: ClaimSpec,
    quote: str,
    occurrence: int | None,
    rng: random.Random,
    shape: Shape,
    published: str,
) -> list[str]:
    via = source_id(rng.randrange(shape.sources)) if rng.random() < 0.15 else None
    lines = [
        f"  - id: c{index:02d}",
        f"    source_id: {source_id(rng.randrange(shape.sources))}",
        f"    via_id: {_scalar(via)}",
        f"    quote: {_quoted(quote)}",
    ]
    if occurrence is not None:
        lines.append(f"    occurrence: {occurrence}")
    lines += [
        f"    statement: {_scalar(_sentence(rng, _words(rng, 8, 20)))}",
        f"    mode: {rng.choice(_MODES)}",
        f"    framing: {rng.choice(_FRAMINGS)}",
        f"    topic: {rng.choice(_TOPICS)}",
    ]
    if rng.random() < 0.2:
        # claimed before the article's year: never after the day it was published
        lines.append(f"    claim_date: '{_date(rng, 2005, int(published[:4]) - 1)}'")
    if claim.figures:
        lines.append("    figures:")
        for number, figure in enumerate(claim.figures, 1):
            lines += _figure_yaml(number, figure, rng, shape)
    return lines


@dataclass(slots=True)
class Page:
    """An article's text, where each claim's sentence starts in it, and what accounts for its
    numbers besides the figures: its non-body parts and its exclusions, as article.yaml lines."""

    text: str
    claim_starts: list[int]
    non_body: list[str]
    exclusions: list[str]


Line = list[Sentence | ClaimSpec | str]


def _page(rng: random.Random, title: str, claims: list[ClaimSpec], parts: bool) -> Page:
    """Headline, maybe a byline, paragraphs of filler and claim sentences (about 4,000
    characters in all, a paragraph a line, a blank line between two), maybe a link and a
    comment count at the end; without ``parts``, the headline is body and nothing else is
    added."""
    target = rng.randint(3000, 5000)
    body: list[Sentence | ClaimSpec] = list(claims)
    size = sum(len(claim.sentence.text) + 1 for claim in claims)
    while size < target:
        filler = _filler(rng)
        body.insert(rng.randint(0, len(body)), filler)
        size += len(filler.text) + 1
    lines: list[Line] = [[title]]
    non_body = ["  - lines: 1", "    kind: headline"] if parts else []
    if rng.random() < 0.6 and parts:
        names = " and ".join(f"{rng.choice(_NAMES)} {rng.choice(_NAMES)}" for _ in range(2))
        when = f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.randint(2010, 2025)}"
        lines.append([f"By {names}, {rng.choice(_PLACES)}, {when}"])
        non_body += [f"  - lines: {2 * len(lines) - 1}", "    kind: credit"]
    at = 0
    while at < len(body):
        take = rng.randint(2, 5)
        lines.append(list(body[at : at + take]))
        if rng.random() < 0.03 and parts:  # an image's file name before its caption
            name = f"photo-{rng.randint(100000, 999999)}.jpg"
            lines[-1].insert(0, name)
            non_body += [f"  - quote: {name}", "    kind: furniture"]
        at += take
    if rng.random() < 0.3 and parts:
        related = _sentence(rng, _words(rng, 4, 9)).rstrip(".")
        lines += [[f"Related: {related} ({rng.randint(2, 40)} photos)"]]
        lines += [[f"{rng.randint(2, 900)} comments"]]
        non_body += [f"  - lines: {2 * len(lines) - 3}-{2 * len(lines) - 1}", "    kind: furniture"]
    return _write_page(lines, non_body)


def _write_page(lines: list[Line], non_body: list[str]) -> Page:
    """Join the lines, noting where each claim starts; then place the exclusions."""
    text, claim_starts, incidentals = "", [], []
    for number, line in enumerate(lines):
        text += "\n\n" if number else ""
        for position, item in enumerate(line):
            text += " " if position else ""
            sentence = item.sentence if isinstance(item, ClaimSpec) else item
            if isinstance(item, ClaimSpec):
                claim_starts.append(len(text))
            if isinstance(sentence, Sentence):
                if sentence.incidental is not None:
                    incidentals.append((len(text), sentence))
                sentence = sentence.text
            text += sentence
    text += "\n"
    exclusions = [line for at, sentence in incidentals for line in _exclusion(text, at, sentence)]
    return Page(text, claim_starts, non_body, exclusions)


def _exclusion(text: str, start: int, sentence: Sentence) -> list[str]:
    """The exclusion of the incidental number of ``sentence`` (at ``start`` in ``text``): its
    words, widened word by word within the sentence until they occur once in the text, else
    with their occurrence."""
    assert sentence.incidental is not None
    end_of_sentence = start + len(sentence.text) - 1  # before the full stop
    begin = sentence.text.index(sentence.incidental.text) + start
    end = begin + len(sentence.incidental.text)
    while len(find_all(text, text[begin:end], 2)) > 1:
        after = text.find(" ", end + 1, end_of_sentence)
        if end < end_of_sentence:
            end = after if after >= 0 else end_of_sentence
        elif begin > start:
            begin = text.rfind(" ", start, begin - 1) + 1 or start
        else:
            break
    quote = text[begin:end]
    lines = [f"  - quote: {_quoted(quote)}"]
    starts = find_all(text, quote)
    if len(starts) > 1:
        lines.append(f"    occurrence: {starts.index(begin) + 1}")
    return [*lines, f"    reason: {sentence.incidental.reason}"]


def article_files(seed: int, index: int, shape: Shape) -> tuple[str, str]:
    """The article.yaml and text.txt of article ``index``, drawn from its own generator."""
    rng = random.Random(f"{seed}-article-{index}")
    counts = [0] * 6 + [1] * 3 + [2]  # 0.5 figures per claim on average
    claims = []
    for _ in range(rng.randint(10, 30)):
        figures = tuple(_figure(rng) for _ in range(rng.choice(counts)))
        if any(a is not b and a.text in b.text for a in figures for b in figures):
            figures = figures[:1]
        claims.append(ClaimSpec(_claim_sentence(rng, figures), figures))
    title_words = _words(rng, 5, 12)
    if rng.random() < 0.4 and shape.page_parts:  # a headline's number is no figure: not body
        title_words.insert(rng.randint(1, len(title_words)), str(rng.randint(2, 99)))
    title = _sentence(rng, title_words).rstrip(".")
    page = _page(rng, title, claims, shape.page_parts)
    text = page.text
    published = _published(rng)
    inferred = rng.random() < 0.15
    via = source_id(rng.randrange(shape.sources)) if rng.random() < 0.2 else None
    authors = sorted({source_id(rng.randrange(shape.sources)) for _ in range(rng.randint(0, 3))})
    lines = [
        "# yaml-language-server: $schema=../../../schemas/corpus/article.schema.json",
        f"id: {article_id(index)}",
        f"title: {_scalar(title)}",
        f"publisher_id: {source_id(rng.randrange(shape.sources))}",
        f"via_id: {_scalar(via)}",
        f"authors: [{', '.join(authors)}]",
        f"url: {_scalar(f'https://news.example.org/{published[:4]}/{article_id(index)}')}",
        f"published: '{published}'",
        f"published_basis: {'inferred' if inferred else 'stated'}",
        f"retrieved: {'2026-01-15' if rng.random() < 0.5 else 'null'}",
        "language: en",
        f"rights: {_scalar(f'© {rng.choice(_NAMES)} Media. Included verbatim for research.')}",
    ]
    if inferred:  # a folded block, as annotators write their notes
        lines += ["notes: >-", *(f"  {_sentence(rng, _words(rng, 8, 14))}" for _ in range(3))]
    lines += ["non_body:", *page.non_body] if page.non_body else []
    lines.append("claims:")
    for number, (claim, at) in enumerate(zip(claims, page.claim_starts, strict=True), 1):
        quote = _quote(rng, text, claim.sentence.text, claim.figures)
        found = find_all(text, quote)
        occurrence = None
        if len(found) > 1:
            occurrence = next(i for i, start in enumerate(found, 1) if start >= at)
        lines += _claim_yaml(number, claim, quote, occurrence, rng, shape, published)
    if page.exclusions:
        lines += ["exclusions:", *page.exclusions]
    return "\n".join(lines) + "\n", text


# ---- registries --------------------------------------------------------------------------


def sources_yaml(seed: int, shape: Shape) -> str:
    rng = random.Random(f"{seed}-sources")
    lines = [
        "# yaml-language-server: $schema=../schemas/corpus/sources.schema.json",
        "sources:",
    ]
    outlets: list[str] = []
    for index in range(shape.sources):
        kind = "outlet" if index < 10 else rng.choice((*_KINDS, "anonymous", "group"))
        name = " ".join(w.capitalize() for w in _words(rng, 1, 3))
        lines += [f"  - id: {source_id(index)}", f"    name: {_scalar(name)}", f"    kind: {kind}"]
        if kind in ("anonymous", "group"):
            lines.append("    named: false")
        if kind in ("anonymous", "group") or rng.random() < 0.5:
            description = _sentence(rng, _words(rng, 6, 16))
            lines.append(f"    description: {_scalar(description)}")
        if outlets and kind in ("person", "anonymous") and rng.random() < 0.6:
            lines.append(f"    affiliation_id: {rng.choice(outlets)}")
        if rng.random() < 0.8:
            lines.append(f"    country: {rng.choice(_COUNTRIES)}")
        if kind in ("outlet", "organization", "company", "government"):
            lines.append(f"    url: https://{source_id(index)}.example.org")
            outlets.append(source_id(index))
        if rng.random() < 0.3:
            lines.append(f"    wikidata: Q{rng.randint(1, 99_999_999)}")
    return "\n".join(lines) + "\n"


def quantities_yaml(seed: int, shape: Shape) -> str:
    rng = random.Random(f"{seed}-quantities")
    lines = [
        "# yaml-language-server: $schema=../schemas/corpus/quantities.schema.json",
        "quantities:",
    ]
    for index in range(shape.quantities):
        label = _sentence(rng, _words(rng, 3, 7)).rstrip(".")
        lines += [
            f"  - id: {quantity_id(index)}",
            f"    label: {_scalar(label)}",
            f"    unit: {rng.choice(_UNITS)}",
            f"    description: {_scalar(_sentence(rng, _words(rng, 8, 20)))}",
        ]
    return "\n".join(lines) + "\n"


DATASET_YAML = """\
# yaml-language-server: $schema=../schemas/corpus/dataset.schema.json
name: nkdata-synthetic
title: "nkdata synthetic benchmark corpus ({articles:,} articles)"
version: 1.0.0
released: 2026-01-31
description: >-
  A synthetic corpus in the nkdata format, written by benchmarks/generate.py to measure
  the speed and memory of nkdata validate, build, verify and load.
homepage: https://github.com/nkdata-project/nkdata
keywords: [benchmark, synthetic]
license:
  name: CC0-1.0
  path: https://creativecommons.org/publicdomain/zero/1.0/
  title: Creative Commons Zero v1.0 Universal
text_rights: >-
  The texts are random words written by a program; nobody holds rights in them.
contributors:
  - title: nkdata benchmark generator
    roles: [creator]
citation: >-
  nkdata synthetic corpus, seed {seed}, version 1.0.0.
"""


# ---- writing -----------------------------------------------------------------------------


def _write(path: Path, content: str) -> None:
    path.write_bytes(content.encode("utf-8"))


def _write_articles(job: tuple[Path, int, range, Shape]) -> int:
    root, seed, indexes, shape = job
    for index in indexes:
        folder = root / "articles" / article_id(index)
        folder.mkdir()
        article, text = article_files(seed, index, shape)
        _write(folder / "article.yaml", article)
        _write(folder / "text.txt", text)
    return len(indexes)


def _chunks(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(start + size, total))


def generate(
    root: Path,
    articles: int,
    seed: int = SEED,
    workers: int | None = None,
    *,
    page_parts: bool = True,
) -> Path:
    """Write a corpus of ``articles`` articles into ``root`` (which must not exist); without
    ``page_parts``, one whose page_parts table is empty."""
    shape = replace(Shape.of(articles), page_parts=page_parts)
    (root / "articles").mkdir(parents=True)
    _write(root / "dataset.yaml", DATASET_YAML.format(articles=articles, seed=seed))
    _write(root / "sources.yaml", sources_yaml(seed, shape))
    _write(root / "quantities.yaml", quantities_yaml(seed, shape))
    jobs = [(root, seed, chunk, shape) for chunk in _chunks(articles, 500)]
    if workers == 1:
        sum(map(_write_articles, jobs))
        return root
    with ProcessPoolExecutor(workers or os.cpu_count()) as pool:
        sum(pool.map(_write_articles, jobs))
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", help="P1k, P10k, P100k, or a number of articles")
    parser.add_argument("folder", type=Path, help="where to write the corpus (replaced)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    articles = SIZES.get(args.size) or int(args.size)
    if args.folder.exists():
        shutil.rmtree(args.folder)
    generate(args.folder, articles, args.seed)
    print(f"wrote {articles:,} articles into {args.folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
