"""The tables of a release, one pydantic model each: the project's one source of truth.

Frictionless Table Schemas, JSON Schemas, Arrow schemas and the column docs are generated from
these classes (see :mod:`nkdata.schema.export`). Field order is column order. A field annotated with
:class:`~nkdata.schema.fields.References` is a foreign key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator
from pydantic_core import PydanticCustomError

from nkdata.schema.fields import (
    Count,
    CountryCode,
    Day,
    LanguageTag,
    Line,
    Prose,
    Quote,
    References,
    Sha256,
    Slug,
    Url,
    WikidataId,
)
from nkdata.schema.vocab import (
    ClaimMode,
    DateBasis,
    DatePrecision,
    Framing,
    NonBodyKind,
    Qualifier,
    SourceKind,
    Topic,
)

ClaimId = Annotated[str, Field(pattern=r"^[a-z0-9-]+:[a-z0-9-]+$")]
FigureId = Annotated[str, Field(pattern=r"^[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]+$")]
PartId = Annotated[str, Field(pattern=r"^[a-z0-9-]+:[0-9]+-[0-9]+$")]

STRICT = ConfigDict(
    strict=True, extra="forbid", allow_inf_nan=False, frozen=True, use_attribute_docstrings=True
)
"""No coercion ("12" is not 12), no unknown keys, no NaN or infinity, immutable rows."""


UNNAMED_KINDS = (SourceKind.ANONYMOUS, SourceKind.GROUP)
"""Kinds that are unnamed by definition: an unnamed individual, an unnamed collective."""


class Row(BaseModel):
    """A row of a release table."""

    model_config = STRICT
    table: ClassVar[str]
    primary_key: ClassVar[str] = "id"


class Source(Row):
    """Who a claim is attributed to, or who published an article."""

    table: ClassVar[str] = "sources"

    id: Slug
    """Stable id, a lower-case slug such as `gideon-rachman`."""
    name: Line
    """Name as the texts give it; for an anonymous source, a short label."""
    kind: SourceKind = Field(strict=False)
    """What kind of entity the source is."""
    named: bool = True
    """False when the text does not name the source (an anonymous official, "analysts", an
    unidentified publisher): `claims by unnamed sources` is one filter on this column."""
    description: Prose | None = None
    """Who the source is; required for unnamed sources."""
    affiliation_id: Annotated[Slug | None, References("sources")] = None
    """The source this one speaks for or works for (a columnist's newspaper)."""
    country: CountryCode | None = None
    """ISO 3166-1 alpha-2 code of the source's country, where known."""
    url: Url | None = None
    """Home page of the source, where it has one."""
    wikidata: WikidataId | None = None
    """Wikidata item id, such as `Q5558796`."""

    @model_validator(mode="after")
    def _unnamed_sources_are_described(self) -> Self:
        if self.kind in UNNAMED_KINDS and self.named:
            raise PydanticCustomError(
                "source-description",
                "a source of kind '{kind}' is unnamed: it needs `named: false`",
                {"kind": self.kind.value, "hint": "Add 'named: false' to the entry."},
            )
        if not self.named and not self.description:
            raise PydanticCustomError(
                "source-description",
                "an unnamed source needs a description of who the text says it is",
                {"hint": "Add 'description:', e.g. 'A source in Pyongyang who spoke to RFA.'"},
            )
        return self


class Quantity(Row):
    """A measured quantity; figures of one quantity are comparable across articles."""

    table: ClassVar[str] = "quantities"

    id: Slug
    """Stable id, such as `smartphones-in-use`."""
    label: Line
    """Short human label, such as `Smartphones in use`."""
    unit: Slug
    """What one unit counts: `smartphones`, `people`, `percent`, `websites`, ..."""
    description: Prose
    """What is counted and what is not; where the line is drawn."""


class Article(Row):
    """One news article, blog post or report, with its full text."""

    table: ClassVar[str] = "articles"

    id: Slug
    """Stable id; equals the article's folder name in the corpus."""
    title: Line
    """Headline as published."""
    publisher_id: Annotated[Slug, References("sources")]
    """The outlet or site that published the article."""
    via_id: Annotated[Slug | None, References("sources")] = None
    """The outlet whose reporting this article relays or translates."""
    authors: Annotated[list[Slug], References("sources")]
    """Source ids of the named authors, in byline order; empty when none is named."""
    url: Url | None
    """Where the article was published; null when unknown."""
    published: Day
    """The earliest day the article can have been published: the first day of the period when
    the date is less precise than a day, or of an interval."""
    published_latest: date | None = None
    """The last day the article can have been published; null when only a lower bound is known
    ("2017 or later")."""
    published_precision: DatePrecision = Field(strict=False)
    """How much of `published` is known: day, month or year."""
    published_basis: DateBasis = Field(strict=False)
    """Whether the text states the date or it is inferred (from the URL, the source of the
    capture, or what the article reports; `notes` says how)."""
    published_edtf: Line
    """The publication date as an EDTF (ISO 8601-2) string, which cannot be misread:
    `2018-09-05`, `2018-09` (some day that month), `2017/..` (2017 or later),
    `2015-06-25/2015-06-26` (one of those days)."""
    retrieved: Day | None
    """When the text was retrieved, where known."""
    language: LanguageTag
    """BCP 47 language tag of the text, such as `en`."""
    text: str
    """The article text, verbatim (UTF-8, NFC, LF line ends)."""
    text_sha256: Sha256
    """SHA-256 of the text's UTF-8 bytes, in hex."""
    rights: Prose
    """Who holds the text's copyright and on what terms it is redistributed here."""
    notes: Prose | None = None
    """Annotators' notes on the metadata: how an undated or unsigned page was dated, and why."""

    def __str__(self) -> str:
        """``id: 'title' (published 2017/.., inferred)``: the date as EDTF, never misread."""
        return (
            f"{self.id}: {self.title!r} (published {self.published_edtf}, {self.published_basis})"
        )


class Claim(Row):
    """One proposition stated in an article, attributed to one source."""

    table: ClassVar[str] = "claims"

    id: ClaimId
    """`<article-id>:<claim-id>`: globally unique and stable across releases."""
    article_id: Annotated[Slug, References("articles")]
    """The article that states the claim."""
    source_id: Annotated[Slug, References("sources")]
    """Who makes the claim: the most specific source the text names."""
    via_id: Annotated[Slug | None, References("sources")] = None
    """Who relays the claim, where it reaches the article second-hand."""
    quote: Quote
    """The exact span of the article text that states the claim (it may cross a line break)."""
    quote_start: NonNegativeInt
    """Offset of the quote in the article text, in Unicode code points."""
    quote_end: NonNegativeInt
    """End of the quote (exclusive): `text[quote_start:quote_end] == quote`."""
    statement: Line
    """A self-contained English paraphrase of the claim."""
    mode: ClaimMode = Field(strict=False)
    """How the source's words reach the article."""
    framing: Framing = Field(strict=False)
    """How the article presents the claim's truth."""
    topic: Topic = Field(strict=False)
    """What the claim is about."""
    claim_date: Day | None = None
    """When the claim was made, where the text says: the first day of the period."""
    claim_date_precision: DatePrecision | None = Field(default=None, strict=False)
    """How much of `claim_date` the text supports."""
    claim_date_edtf: Line | None = None
    """`claim_date` as written, at its precision (EDTF): `2024-11`, not 2024-11-01."""

    def __str__(self) -> str:
        """``id: statement (source via relay, 2024-11)``."""
        via = f" via {self.via_id}" if self.via_id else ""
        when = f", {self.claim_date_edtf}" if self.claim_date_edtf else ""
        return f"{self.id}: {self.statement} ({self.source_id}{via}{when})"


class Figure(Row):
    """One number stated inside a claim, normalised to a quantity."""

    table: ClassVar[str] = "figures"

    id: FigureId
    """`<claim id>:<figure-id>`."""
    claim_id: Annotated[ClaimId, References("claims")]
    """The claim whose quote contains the figure."""
    quantity_id: Annotated[Slug, References("quantities")]
    """What the number counts."""
    text: Quote
    """The exact surface of the number, inside the claim's quote: `4-5 million`."""
    text_start: NonNegativeInt
    """Offset of the figure text in the article text, in code points."""
    text_end: NonNegativeInt
    """End of the figure text (exclusive): `article.text[text_start:text_end] == text`."""
    value: Count | None = None
    """The number, scaled to the unit ("4 million" → 4000000); null when only bounds are known."""
    low: Count | None = None
    """Lower bound, where the text gives or implies one."""
    high: Count | None = None
    """Upper bound, where the text gives or implies one."""
    qualifier: Qualifier = Field(strict=False)
    """How exact the number is; decides which of value, low and high are set."""
    unit: Slug
    """The quantity's unit, repeated here so the table reads on its own."""
    as_of: Day | None = None
    """When the number held, where the text says: the first day of the period."""
    as_of_precision: DatePrecision | None = Field(default=None, strict=False)
    """How much of `as_of` the text supports."""
    as_of_edtf: Line | None = None
    """`as_of` as written, at its precision (EDTF): `2018`, not 2018-01-01."""
    place: CountryCode | None = None
    """ISO 3166-1 alpha-2 code of where the number holds."""

    def __str__(self) -> str:
        """``id: '4-5 million' mobile-subscribers range low 4e+06 high 5e+06 (as of 2018)``."""
        numbers = " ".join(
            f"{name} {number:g}"
            for name, number in (("value", self.value), ("low", self.low), ("high", self.high))
            if number is not None
        )
        when = f" (as of {self.as_of_edtf})" if self.as_of_edtf else ""
        return f"{self.id}: {self.text!r} {self.quantity_id} {self.qualifier} {numbers}{when}"

    @model_validator(mode="after")
    def _bounds_fit_qualifier(self) -> Self:
        check_figure_values(self.qualifier, self.value, self.low, self.high)
        return self


class PagePart(Row):
    """A part of an article's page that is not its body: headline, menus, reader comments, ..."""

    table: ClassVar[str] = "page_parts"

    id: PartId
    """`<article-id>:<part_start>-<part_end>`: stable, since texts never change."""
    article_id: Annotated[Slug, References("articles")]
    """The article whose text holds the part."""
    kind: NonBodyKind = Field(strict=False)
    """What the part is."""
    part_start: NonNegativeInt
    """Offset of the part in the article text, in Unicode code points."""
    part_end: NonNegativeInt
    """End of the part (exclusive); a part of whole lines includes its last line's LF."""


TABLES: tuple[type[Row], ...] = (Source, Quantity, Article, Claim, Figure, PagePart)
"""Every table, in dependency order (a table only references tables before it)."""


def check_figure_values(
    qualifier: Qualifier, value: float | None, low: float | None, high: float | None
) -> None:
    """Raise a ``figure-bounds`` or ``figure-qualifier`` error if the numbers do not fit.

    >>> check_figure_values(Qualifier.MORE_THAN, 50000, 50000, None)
    """
    known = [number for number in (low, value, high) if number is not None]
    if known != sorted(known):
        raise PydanticCustomError(
            "figure-bounds",
            "low {low}, value {value}, high {high} are not in order",
            {"low": _shown(low), "value": _shown(value), "high": _shown(high)},
        )
    needs = QUALIFIER_SHAPES[qualifier]
    given = {"value": value, "low": low, "high": high}
    wrong = [name for name, need in needs.items() if not need.holds(given[name], given)]
    if wrong:
        raise PydanticCustomError(
            "figure-qualifier",
            "qualifier '{qualifier}' does not fit {fields}: {rule}",
            {
                "qualifier": qualifier.value,
                "fields": ", ".join(wrong),
                "rule": QUALIFIER_RULES[qualifier],
            },
        )


def _shown(number: float | None) -> str:
    return "unset" if number is None else f"{number:g}"


Numbers = dict[str, float | None]


@dataclass(frozen=True, slots=True)
class Need:
    """What a qualifier asks of one of value, low and high: ``set``, ``unset``, ``any``,
    ``equals`` (set, and equal to ``other``) or ``some`` (at least one of the three set).

    The shapes below are the one definition; :meth:`holds` reads them for one row, and
    :mod:`nkdata.release.tablerules` reads them for a whole Arrow table.
    """

    kind: str
    other: str = ""

    def holds(self, number: float | None, given: Numbers) -> bool:
        if self.kind == "set":
            return number is not None
        if self.kind == "unset":
            return number is None
        if self.kind == "equals":
            return number is not None and number == given[self.other]
        if self.kind == "some":
            return any(v is not None for v in given.values())
        return True


_SET, _UNSET, _ANY, _SOME = Need("set"), Need("unset"), Need("any"), Need("some")

QUALIFIER_SHAPES: dict[Qualifier, dict[str, Need]] = {
    Qualifier.EXACT: {"value": _SET, "low": _UNSET, "high": _UNSET},
    Qualifier.APPROXIMATELY: {"value": _SET, "low": _ANY, "high": _ANY},
    Qualifier.MORE_THAN: {"value": Need("equals", "low"), "low": _SET, "high": _UNSET},
    Qualifier.AT_LEAST: {"value": Need("equals", "low"), "low": _SET, "high": _UNSET},
    Qualifier.LESS_THAN: {"value": Need("equals", "high"), "low": _UNSET, "high": _SET},
    Qualifier.AT_MOST: {"value": Need("equals", "high"), "low": _UNSET, "high": _SET},
    Qualifier.RANGE: {"value": _ANY, "low": _SET, "high": _SET},
    Qualifier.VAGUE: {"value": _SOME, "low": _ANY, "high": _ANY},
}
"""Which of value, low and high each qualifier needs."""

QUALIFIER_RULES: dict[Qualifier, str] = {
    Qualifier.EXACT: "set value only",
    Qualifier.APPROXIMATELY: "set value; low and high are optional",
    Qualifier.MORE_THAN: "set low and value to the number; leave high empty",
    Qualifier.AT_LEAST: "set low and value to the number; leave high empty",
    Qualifier.LESS_THAN: "set high and value to the number; leave low empty",
    Qualifier.AT_MOST: "set high and value to the number; leave low empty",
    Qualifier.RANGE: "set both low and high",
    Qualifier.VAGUE: "set at least one of value, low and high",
}
