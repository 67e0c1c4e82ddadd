"""Controlled vocabularies: the enumerations every table uses, each member documented.

Adding a member is a minor release; renaming or removing one is a major release, because users
filter on these values.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Documented(StrEnum):
    """A string enumeration whose members carry a one-line meaning (see ``MEANINGS``)."""

    @classmethod
    def meanings(cls) -> dict[str, str]:
        """Member value → meaning, in declaration order; used for docs and schemas."""
        return {member.value: MEANINGS[cls.__name__][member.value] for member in cls}


class SourceKind(Documented):
    """What kind of entity a source is."""

    PERSON = "person"
    ORGANIZATION = "organization"
    COMPANY = "company"
    OUTLET = "outlet"
    GOVERNMENT = "government"
    MILITARY = "military"
    ANONYMOUS = "anonymous"
    GROUP = "group"


class DatePrecision(Documented):
    """How much of a date the text supports; the stored date is the first day of the period."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class DateBasis(Documented):
    """Where an article's publication date comes from."""

    STATED = "stated"
    INFERRED = "inferred"


class ClaimMode(Documented):
    """How the claim's words reach the article."""

    DIRECT_QUOTE = "direct_quote"
    PARAPHRASE = "paraphrase"
    ASSERTION = "assertion"


class Framing(Documented):
    """How the article presents the claim's truth."""

    ASSERTED = "asserted"
    ATTRIBUTED = "attributed"
    HEDGED = "hedged"
    UNCONFIRMED = "unconfirmed"
    DENIED = "denied"
    DISPUTED = "disputed"
    SPECULATIVE = "speculative"


class Topic(Documented):
    """What the claim is about; one topic per claim, the most specific that fits."""

    INTERNET_ACCESS = "internet_access"
    DOMESTIC_NETWORK = "domestic_network"
    MOBILE_PHONES = "mobile_phones"
    CENSORSHIP = "censorship"
    SURVEILLANCE = "surveillance"
    PUNISHMENT = "punishment"
    FOREIGN_MEDIA = "foreign_media"
    ONLINE_BEHAVIOUR = "online_behaviour"
    SOCIAL_MEDIA = "social_media"
    PLATFORM_MODERATION = "platform_moderation"
    PROPAGANDA = "propaganda"
    OVERSEAS_WORKERS = "overseas_workers"
    MILITARY_DEPLOYMENT = "military_deployment"
    FOREIGN_RELATIONS = "foreign_relations"
    CYBER_OPERATIONS = "cyber_operations"
    INFORMATION_OUTFLOW = "information_outflow"
    SPORT = "sport"
    SOCIETY = "society"


class Qualifier(Documented):
    """How exact a figure is; decides which of value, low and high must be set."""

    EXACT = "exact"
    APPROXIMATELY = "approximately"
    MORE_THAN = "more_than"
    AT_LEAST = "at_least"
    LESS_THAN = "less_than"
    AT_MOST = "at_most"
    RANGE = "range"
    VAGUE = "vague"


class NonBodyKind(Documented):
    """A part of the page that is not the article body: kept in text.txt, never annotated."""

    HEADLINE = "headline"
    SUBHEADING = "subheading"
    CAPTION_COPY = "caption_copy"
    FURNITURE = "furniture"
    RELATED_LINK = "related_link"
    READER_COMMENTS = "reader_comments"
    SUMMARY = "summary"
    FRONT_MATTER = "front_matter"
    CREDIT = "credit"
    EMBEDDED_POST = "embedded_post"
    PROMOTION = "promotion"
    DUPLICATE = "duplicate"


class ExclusionReason(Documented):
    """Why a number in the body is not a figure."""

    DATE = "date"
    NAME = "name"
    ORDINAL = "ordinal"
    REFERENCE = "reference"
    IDIOM = "idiom"
    RELATIVE_TIME = "relative_time"
    COMPARISON = "comparison"
    REPEATED = "repeated"
    NOT_A_CLAIM = "not_a_claim"


class ErratumStatus(Documented):
    """Where a mistake in a published release stands."""

    OPEN = "open"
    FIXED = "fixed"
    WONT_FIX = "wont_fix"


MEANINGS: dict[str, dict[str, str]] = {
    "SourceKind": {
        "person": "A named individual.",
        "organization": "A non-governmental organisation, research group or project.",
        "company": "A business, including technology and security companies.",
        "outlet": "A news outlet, blog or publishing platform.",
        "government": "A government, ministry, agency or official body, including intelligence.",
        "military": "An armed force or one of its units.",
        "anonymous": "An unnamed individual; `description` says who the text says it is.",
        "group": "An unnamed collective (analysts, experts, tourists); `description` required.",
    },
    "DatePrecision": {
        "day": "The text supports year, month and day.",
        "month": "The text supports year and month; the date is the first of the month.",
        "year": "The text supports the year only; the date is 1 January.",
    },
    "DateBasis": {
        "stated": "The text shows the date (a dateline or a byline date).",
        "inferred": "The text shows no date; it comes from the URL, from where the text was "
        "found, or from what the article reports (an interval such as `2017/..` when only a "
        "lower bound is known); the article's `notes` give the evidence.",
    },
    "ClaimMode": {
        "direct_quote": "The source's own words, in quotation marks in the article.",
        "paraphrase": 'The source\'s words reported indirectly ("the source said ...").',
        "assertion": "The article's own statement, in its own voice.",
    },
    "Framing": {
        "asserted": "Stated as fact, without attribution or hedge.",
        "attributed": 'Stated as fact but credited to a source ("according to ...").',
        "hedged": 'Qualified by the article or source ("reportedly", "estimated", "may").',
        "unconfirmed": 'Explicitly not confirmed ("could not confirm", "remain unconfirmed").',
        "denied": "Denied by the source.",
        "disputed": "Contested by other sources in the same article.",
        "speculative": "A prediction, projection or speculation.",
    },
    "Topic": {
        "internet_access": "Who can reach the global internet, and how.",
        "domestic_network": "Kwangmyong and other domestic networks, sites and services.",
        "mobile_phones": "Phones, networks, operators and subscribers.",
        "censorship": "Blocking, filtering and deletion of content or access.",
        "surveillance": "Monitoring and tracking of users, devices and files.",
        "punishment": "Penalties for forbidden information or communication.",
        "foreign_media": "Foreign films, news and media, and their smuggling.",
        "online_behaviour": "What people do online.",
        "social_media": "Social networks, accounts and forums.",
        "platform_moderation": "Foreign platforms removing North Korean accounts or content.",
        "propaganda": "State messaging and official media.",
        "overseas_workers": "North Koreans sent abroad to work.",
        "military_deployment": "Troops sent abroad, their numbers and movements.",
        "foreign_relations": "Treaties, alliances and official positions between states.",
        "cyber_operations": "State hacking and cyber units.",
        "information_outflow": "What the outside world learns about North Korea, from whom, and "
        "how reliably.",
        "sport": "Sporting events and North Korea's part and results in them.",
        "society": "Life, opinion and conditions inside North Korea not covered above.",
    },
    "NonBodyKind": {
        "headline": "The headline (the article's `title`), or a kicker above it.",
        "subheading": "A standfirst, dek or section heading that restates the body.",
        "caption_copy": "An image's alt text or a caption printed twice; the visible caption is "
        "body.",
        "furniture": "Menus, breadcrumbs, share buttons, file names, cookie notices, comment "
        "forms, navigation labels.",
        "related_link": "A link to another article, unrelated to the paragraphs around it.",
        "reader_comments": "Comments by readers below the article.",
        "summary": "A data set's summary lines, such as the `@highlight` lines of the CNN/Daily "
        "Mail story files.",
        "front_matter": "Metadata a repost or a blog adds before the text (title, date, tags).",
        "credit": "A byline or credit line (`authors`, `via_id`), such as 'Reported by ...'.",
        "embedded_post": "An embedded post or quote box that repeats the body.",
        "promotion": "Advertising or promotional blurbs that are not part of the article.",
        "duplicate": "A paragraph printed a second time on the page (the first copy is body).",
    },
    "ExclusionReason": {
        "date": "A date, year, month or time that places something in time ('2016', 'Aug. 18'); "
        "it may still give an `as_of` or `claim_date`.",
        "name": "Part of a name, title, model or identifier ('the 2018 Asian Games', '3G', "
        "'Unit 121', a file name).",
        "ordinal": "An ordinal or 'one of' that marks novelty, order or identity and counts "
        "nothing ('for the first time', 'a second source', 'one of the first').",
        "reference": "A definite reference, not a count ('the two nations', 'one of the few').",
        "idiom": "A number word in an idiom or with another meaning ('once' for 'formerly', 'in "
        "one or the other way').",
        "relative_time": "A relative date ('some weeks ago', 'this year', 'in recent years').",
        "comparison": "A comparative or an unquantified share that names no magnitude ('fewer', "
        "'almost none', bare 'few').",
        "repeated": "A number that repeats one already recorded as a figure on the page (a "
        "restatement in the body).",
        "not_a_claim": "A number inside a body passage that is no claim (an opinion, a rhetorical "
        "question, a quoted example).",
    },
    "ErratumStatus": {
        "open": "Confirmed, and not corrected in any release yet (`fixed_in` is null).",
        "fixed": "Corrected in the release `fixed_in`.",
        "wont_fix": "Confirmed, but left as it is (`fixed_in` is null); `reason` says why.",
    },
    "Qualifier": {
        "exact": "The text states one number: value set, low and high empty.",
        "approximately": '"about", "some", "estimated at": value set; low/high optional.',
        "more_than": '"more than", "over": low = value = the number, high empty.',
        "at_least": '"at least": low = value = the number, high empty.',
        "less_than": '"less than", "under": high = value = the number, low empty.',
        "at_most": '"at most", "up to": high = value = the number, low empty.',
        "range": '"4-5 million": low and high set; value empty unless the text gives one.',
        "vague": '"thousands", "several million": the bounds the words imply; see the guide.',
    },
}


@dataclass(frozen=True, slots=True)
class VagueWords:
    """How vague number words become bounds: the same convention across the corpus, so that
    figures compare; ``high`` is what the words allow, not an estimate. None: no bound."""

    words: str
    low: float | None
    high: float | None
    why: str


VAGUE_WORDS: tuple[VagueWords, ...] = (
    VagueWords("a few", 2, 9, "more than one; below 'a dozen' or 'ten'"),
    VagueWords("a handful", 2, 9, "as 'a few'"),
    VagueWords("a couple of", 2, 2, "two, loosely"),
    VagueWords("several", 3, 9, "more than 'a couple'; below ten"),
    VagueWords("a dozen", 12, 12, "approximately 12: value 12, qualifier approximately"),
    VagueWords("dozens", 24, 99, "two dozen; 'hundreds' from 100"),
    VagueWords("hundreds", 200, 999, "'thousands' from 1,000"),
    VagueWords("a few hundred", 200, 999, "'a few', in hundreds"),
    VagueWords("thousands", 2000, 9999, "'tens of thousands' from 10,000"),
    VagueWords("a few thousand", 2000, 9999, "'a few', in thousands"),
    VagueWords("a couple of thousand", 2000, 2999, "'a couple', in thousands"),
    VagueWords("tens of thousands", 20000, 99999, "'hundreds of thousands' from 100,000"),
    VagueWords("millions", 2000000, 9999999, "'tens of millions' from 10,000,000"),
    VagueWords("several million", 3000000, 9999999, "'several', in millions"),
    VagueWords("at least several million", 3000000, None, "'at least' lifts the ceiling"),
    VagueWords("billions", 2000000000, 9999999999, "'tens of billions' from 10,000,000,000"),
    VagueWords("years", 2, 9, "a duration in years; 'decades' from 10"),
    VagueWords("decades", 20, 99, "a duration in years; 'a century' from 100"),
    VagueWords("months", 60, 364, "a duration in days, 1 month = 30 days; 'a year' from 365"),
)
"""The vague-words table of the annotation guide and the data card's codebook."""
