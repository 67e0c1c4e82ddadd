"""The files contributors edit, as pydantic models: dataset.yaml, sources.yaml, quantities.yaml
and articles/<id>/article.yaml.

Keys are the release's column names wherever a column exists. Contributors write quotes and
dates at the precision the text supports; offsets, precisions, global ids and units are derived
by :mod:`nkdata.corpus.resolve`. Sources and quantities are written exactly as their table rows.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import (
    BaseModel,
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from nkdata.models import STRICT, Quantity, Source, check_figure_values
from nkdata.schema.fields import (
    Count,
    CountryCode,
    DateSpanText,
    DayDate,
    LanguageTag,
    Line,
    PartialDate,
    Prose,
    Quote,
    SemVer,
    Slug,
    Url,
)
from nkdata.schema.releasefolder import version_key
from nkdata.schema.vocab import (
    ClaimMode,
    DateBasis,
    ErratumStatus,
    ExclusionReason,
    Framing,
    NonBodyKind,
    Qualifier,
    Topic,
)


class License(BaseModel):
    """A licence as Data Package v2 describes it."""

    model_config = STRICT

    name: Line
    """SPDX identifier, such as `CC-BY-4.0`."""
    path: Url
    """Where the licence text lives."""
    title: Line
    """Human name of the licence."""


class Contributor(BaseModel):
    """A person or organisation credited in the release."""

    model_config = STRICT

    title: Line
    """Name of the contributor."""
    roles: list[Line] = Field(min_length=1)
    """Data Package roles, such as `creator`, `contributor`, `maintainer`."""
    organization: Line | None = None
    """Affiliation, where relevant."""


class SecondReading(BaseModel):
    """What an independent second reading changed in the articles a release added.

    Every article is annotated by a first reader, then read again by a second reader who has not
    seen the first reader's reasoning; the counts compare the two annotations claim by claim and
    figure by figure (by id), so users can judge how settled the annotations are.
    """

    model_config = STRICT

    version: SemVer
    """The release that added the articles."""
    articles: list[Slug] = Field(min_length=1)
    """The articles read twice."""
    claims_first: NonNegativeInt
    """Claims in the first reading."""
    claims_added: NonNegativeInt
    """Claims the second reading added."""
    claims_removed: NonNegativeInt
    """Claims of the first reading the second removed."""
    claims_changed: NonNegativeInt
    """Claims kept whose quote, statement, source, relay or labels the second reading changed."""
    figures_first: NonNegativeInt
    """Figures in the first reading."""
    figures_added: NonNegativeInt
    """Figures the second reading added."""
    figures_removed: NonNegativeInt
    """Figures of the first reading the second removed."""
    figures_changed: NonNegativeInt
    """Figures kept whose value, bounds, qualifier or quantity the second reading changed."""
    note: Prose | None = None
    """How the disagreements were resolved."""


class DatasetFile(BaseModel):
    """dataset.yaml: what the release is and who stands behind it."""

    model_config = STRICT

    name: Slug
    """Package name, such as `nkdata`."""
    title: Line
    """Human title of the dataset."""
    version: SemVer
    """Version of the release this corpus builds: MAJOR.MINOR.PATCH."""
    released: DayDate
    """Release date, `YYYY-MM-DD`; the release's `created` comes from here, never the clock."""
    description: Prose
    """What the dataset holds and why."""
    homepage: Url
    """Project home page; the data card links the annotation guide and the issues from it, so
    that a card read outside the repository still reaches them."""
    keywords: list[Line] = Field(default_factory=list)
    """Keywords for catalogues."""
    license: License
    """Licence of the annotations (the tables other than article texts)."""
    text_rights: Prose
    """How the article texts are held and shared; each article's `rights` says more."""
    contributors: list[Contributor] = Field(min_length=1)
    """People and organisations credited in the release."""
    citation: Prose
    """How to cite the dataset; it names `version`, so that a version bump cannot leave it stale."""
    second_readings: list[SecondReading] = Field(default_factory=list)
    """What each release's second reading of its new articles changed (shown in the data card)."""

    @field_validator("citation")
    @classmethod
    def _citation_names_the_version(cls, citation: str, info: ValidationInfo) -> str:
        version = info.data.get("version")
        if version and version not in citation:
            raise PydanticCustomError(
                "field-value",
                "the citation does not name version {version}",
                {"version": version, "hint": "Update the citation when you change the version."},
            )
        return citation


class SourcesFile(BaseModel):
    """sources.yaml: the shared registry of sources."""

    model_config = STRICT

    sources: list[Source]
    """Every source, one entry each."""


class QuantitiesFile(BaseModel):
    """quantities.yaml: the shared vocabulary of quantities."""

    model_config = STRICT

    quantities: list[Quantity]
    """Every quantity, one entry each."""


class FigureEntry(BaseModel):
    """A number inside a claim's quote."""

    model_config = STRICT

    id: Slug
    """Id of the figure within its claim, such as `f1`."""
    quantity_id: Slug
    """What the number counts: an id from quantities.yaml."""
    text: Quote
    """The number exactly as it appears inside the claim's quote."""
    occurrence: PositiveInt | None = None
    """Which match of `text` inside the quote, when it occurs more than once (1 = first)."""
    value: Count | None = None
    """The number scaled to the unit ("4 million" → 4000000); empty when only bounds are known.
    Never negative: every quantity counts or measures something."""
    low: Count | None = None
    """Lower bound, where the text gives or implies one."""
    high: Count | None = None
    """Upper bound, where the text gives or implies one."""
    qualifier: Qualifier = Field(strict=False)
    """exact, approximately, more_than, at_least, less_than, at_most, range or vague."""
    as_of: PartialDate | None = None
    """When the number held: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""
    place: CountryCode | None = None
    """ISO 3166-1 alpha-2 code of where the number holds."""

    @model_validator(mode="after")
    def _bounds_fit_qualifier(self) -> Self:
        check_figure_values(self.qualifier, self.value, self.low, self.high)
        return self


class ClaimEntry(BaseModel):
    """One claim of an article, with the figures inside it."""

    model_config = STRICT

    id: Slug
    """Id of the claim within its article, stable across releases, such as `c01`."""
    source_id: Slug
    """Who makes the claim: an id from sources.yaml."""
    via_id: Slug | None = None
    """Who relays the claim, where it reaches the article second-hand."""
    quote: Quote
    """The exact span of text.txt that states the claim; offsets are found by the build."""
    occurrence: PositiveInt | None = None
    """Which match of `quote` in the text, when it occurs more than once (1 = first)."""
    statement: Line
    """A self-contained English paraphrase of the claim."""
    mode: ClaimMode = Field(strict=False)
    """direct_quote, paraphrase or assertion."""
    framing: Framing = Field(strict=False)
    """How the article presents the claim's truth."""
    topic: Topic = Field(strict=False)
    """What the claim is about."""
    claim_date: PartialDate | None = None
    """When the claim was made, where the text says: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""
    figures: list[FigureEntry] = Field(default_factory=list)
    """The numbers the quote states."""


LineRange = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]*(?:-[1-9][0-9]*)?$")]
"""Lines of text.txt, first and last included: ``'5'`` or ``66-80``."""


class NonBodyEntry(BaseModel):
    """A part of the page that is not the body: whole lines, or a quoted span within a line."""

    model_config = STRICT

    lines: LineRange | PositiveInt | None = None
    """Lines of text.txt, first-last included: `1`, `66-80`."""
    quote: Quote | None = None
    """Instead of `lines`: the exact span of text.txt, for a part that shares its line."""
    occurrence: PositiveInt | None = None
    """Which match of `quote` in the text, when it occurs more than once (1 = first)."""
    kind: NonBodyKind = Field(strict=False)
    """What the part is: headline, summary, reader_comments, furniture, ..."""

    @model_validator(mode="after")
    def _lines_or_quote(self) -> Self:
        if (self.lines is None) == (self.quote is None):
            raise PydanticCustomError(
                "field-missing",
                "give either 'lines' or 'quote'",
                {"hint": "Whole lines: 'lines: 66-80'; part of a line: 'quote: ...'."},
            )
        if self.occurrence is not None and self.quote is None:
            raise PydanticCustomError(
                "field-value",
                "'occurrence' needs a 'quote'",
                {"hint": "Remove 'occurrence', or mark the part with 'quote'."},
            )
        return self

    def line_range(self) -> tuple[int, int]:
        """`(first, last)` of `lines`, 1-based and inclusive (a part given by lines)."""
        first, _, last = str(self.lines).partition("-")
        return int(first), int(last or first)


class ExclusionEntry(BaseModel):
    """A number in the body that is not a figure, and why."""

    model_config = STRICT

    quote: Quote
    """A span of text.txt that holds the number (every number inside it is covered)."""
    occurrence: PositiveInt | None = None
    """Which match of `quote` in the text, when it occurs more than once (1 = first)."""
    reason: ExclusionReason = Field(strict=False)
    """date, name, ordinal, reference, idiom, relative_time, comparison, repeated, not_a_claim."""
    note: Line | None = None
    """What a reader needs to see why, where the reason alone does not say."""


class ArticleFile(BaseModel):
    """articles/<id>/article.yaml: an article's metadata, claims and figures."""

    model_config = STRICT

    id: Slug
    """The article id; must equal the folder name."""
    title: Line
    """Headline as published."""
    publisher_id: Slug
    """The outlet or site that published the article: an id from sources.yaml."""
    via_id: Slug | None = None
    """The outlet whose reporting the article relays or translates."""
    authors: list[Slug] = Field(default_factory=list)
    """Source ids of the named authors, in byline order."""
    url: Url | None = None
    """Where the article was published; leave null when unknown, never guess."""
    published: DateSpanText
    """Publication date as precisely as the evidence allows, in EDTF: `2018-09-10`, `2018-09`,
    `2017/..` (2017 or later), `2015-06-25/2015-06-26` (one of those days)."""
    published_basis: DateBasis = Field(strict=False)
    """`stated` if the text shows the date; `inferred` if it comes from anywhere else (the URL,
    where the text was found, what the article reports), said in `notes`."""
    retrieved: DayDate | None = None
    """When the text was retrieved, `YYYY-MM-DD`, where known."""
    language: LanguageTag
    """BCP 47 tag of the text, such as `en`."""
    rights: Prose
    """Who holds the text's copyright and on what terms it is redistributed."""
    notes: Prose | None = None
    """How an undated or unsigned page was dated or attributed, and caveats a reader needs."""
    non_body: list[NonBodyEntry] = Field(default_factory=list)
    """The parts of text.txt that are not the article body (headline, menus, comments, ...)."""
    claims: Annotated[list[ClaimEntry], Field(default_factory=list)]
    """The claims of the article body, in text order."""
    exclusions: list[ExclusionEntry] = Field(default_factory=list)
    """The numbers of the body that are not figures, each with its reason."""


class Erratum(BaseModel):
    """A mistake in a row of a published release: what was wrong, why, who found it, and the
    version that corrects it."""

    model_config = STRICT

    id: Slug
    """Stable id of the erratum, such as `sofx-publisher-unidentified`."""
    table: Slug
    """The table of the row that was wrong: `articles`, `sources`, `claims`, ..."""
    row_id: Line
    """The id of the row in that table of release `wrong_in`."""
    column: Slug | None = None
    """The column that was wrong, where the mistake is in one."""
    wrong_in: SemVer
    """The published release whose row is wrong (and each later one until `fixed_in`)."""
    fixed_in: SemVer | None = None
    """The release that corrects it; null while it is open or will not be fixed."""
    status: ErratumStatus = Field(strict=False)
    """open, fixed or wont_fix."""
    what: Line
    """What was wrong, and what is right, in one sentence."""
    reason: Prose
    """How it is known: the evidence, or why it stays as it is."""
    reported_by: Line
    """Who reported it: a name, or `nkdata maintainers`."""

    @model_validator(mode="after")
    def _fixed_means_fixed_in(self) -> Self:
        if (self.status is ErratumStatus.FIXED) != (self.fixed_in is not None):
            raise PydanticCustomError(
                "field-value",
                "status '{status}' does not fit fixed_in {fixed_in}",
                {
                    "status": self.status.value,
                    "fixed_in": self.fixed_in,
                    "hint": "A fixed erratum names the release that corrects it in fixed_in; "
                    "an open or wont_fix one has fixed_in: null.",
                },
            )
        if self.fixed_in is not None and version_key(self.fixed_in) <= version_key(self.wrong_in):
            raise PydanticCustomError(
                "field-value",
                "fixed_in {fixed_in} is not after wrong_in {wrong_in}",
                {
                    "fixed_in": self.fixed_in,
                    "wrong_in": self.wrong_in,
                    "hint": "A correction comes in a later release than the mistake.",
                },
            )
        return self


class ErrataFile(BaseModel):
    """errata.yaml: the mistakes found in published releases (optional)."""

    model_config = STRICT

    errata: list[Erratum] = Field(default_factory=list)
    """Every erratum, one entry each."""


CORPUS_FILES: dict[str, type[BaseModel]] = {
    "dataset": DatasetFile,
    "sources": SourcesFile,
    "quantities": QuantitiesFile,
    "article": ArticleFile,
    "errata": ErrataFile,
}
"""Corpus file kind → model; `nkdata schema` writes a JSON Schema for each."""
