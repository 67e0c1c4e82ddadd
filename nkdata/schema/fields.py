"""Field types shared by the table models and the corpus-file models.

Each type carries its constraint in a form pydantic enforces and JSON Schema exports, so that
editors, ``nkdata validate`` and the release schemas agree on one definition.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from nkdata.schema.countries import ISO_3166_ALPHA2
from nkdata.schema.vocab import DatePrecision

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_PARTIAL = r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?"
PARTIAL_DATE_PATTERN = rf"^{_PARTIAL}$"
DATE_SPAN_PATTERN = rf"^{_PARTIAL}(?:/(?:{_PARTIAL}|\.\.))?$"
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass(frozen=True, slots=True)
class References:
    """Marks a column as a foreign key into ``table`` (by its primary key)."""

    table: str


def _check_country(code: str) -> str:
    if code not in ISO_3166_ALPHA2:
        raise PydanticCustomError(
            "field-value", "'{code}' is not an ISO 3166-1 alpha-2 country code", {"code": code}
        )
    return code


def parse_partial_date(text: str) -> tuple[date, DatePrecision]:
    """``"2018-09"`` → ``(date(2018, 9, 1), DatePrecision.MONTH)``; ValueError if not a date."""
    parts = [int(part) for part in text.split("-")]
    precision = (DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY)[len(parts) - 1]
    return date(*(parts + [1] * (3 - len(parts)))), precision


@dataclass(frozen=True, slots=True)
class DateSpan:
    """When something happened, as precisely as the evidence allows (an EDTF date or interval).

    >>> span = parse_date_span("2017/..")
    >>> span.earliest, span.latest, span.precision.value
    (datetime.date(2017, 1, 1), None, 'year')
    >>> parse_date_span("2015-06-25/2015-06-26").latest
    datetime.date(2015, 6, 26)
    >>> parse_date_span("2018-09").latest
    datetime.date(2018, 9, 30)
    """

    edtf: str
    """As written: ``2018-09-10``, ``2018-09`` (some day that month), ``2017/..`` (2017 or
    later), ``2015-06-25/2015-06-26`` (one of those days)."""
    earliest: date
    """The first day the text allows."""
    latest: date | None
    """The last day the text allows; None when it allows any later day."""
    precision: DatePrecision
    """The precision of the earliest end."""


def parse_date_span(text: str) -> DateSpan:
    """Parse a date or interval of :data:`DATE_SPAN_PATTERN`; ValueError if it is none."""
    first, _, last = text.partition("/")
    earliest, precision = parse_partial_date(first)
    if not last:
        latest: date | None = _last_day(first)
    elif last == "..":
        latest = None
    else:
        latest = _last_day(last)
        if latest < earliest:
            raise ValueError("the interval ends before it starts")
    return DateSpan(text, earliest, latest, precision)


def _last_day(text: str) -> date:
    """The last day of the period a partial date names: ``2018-02`` → 2018-02-28."""
    day, precision = parse_partial_date(text)
    if precision is DatePrecision.YEAR:
        return date(day.year, 12, 31)
    if precision is DatePrecision.MONTH:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return day


def _check_date_span(text: str) -> str:
    try:
        span = parse_date_span(text)
    except ValueError as exc:
        raise PydanticCustomError(
            "date-invalid",
            "'{text}' is not a calendar date or interval ({reason})",
            {"text": text, "reason": str(exc)},
        ) from None
    if span.earliest > date.today():
        raise PydanticCustomError("date-future", "'{text}' is in the future", {"text": text})
    return text


def _check_partial_date(text: str) -> str:
    try:
        day, _ = parse_partial_date(text)
    except ValueError as exc:
        raise PydanticCustomError(
            "date-invalid",
            "'{text}' is not a calendar date ({reason})",
            {"text": text, "reason": str(exc)},
        ) from None
    if day > date.today():
        raise PydanticCustomError("date-future", "'{text}' is in the future", {"text": text})
    return text


def _day_not_future(day: date) -> date:
    if day > date.today():
        raise PydanticCustomError("date-future", "{day} is in the future", {"day": str(day)})
    return day


NOT_FUTURE = "nkdata:notFuture"
"""JSON Schema keyword of our own that marks a date column whose dates are never after today."""

Day = Annotated[date, AfterValidator(_day_not_future), Field(json_schema_extra={NOT_FUTURE: True})]
"""A day of a release table that is not after today (a date the text states or implies)."""


def _year_as_text(value: object) -> object:
    """An unquoted year (YAML reads ``2018`` as a number) means the same as ``'2018'``."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9999:
        return f"{value:04d}"
    return value


def _year_or_text(pattern: str) -> BeforeValidator:
    """Dates are accepted quoted or not, with one meaning: ``published: 2018`` is ``'2018'``."""
    year = Annotated[int, Field(ge=0, le=9999)]
    text = Annotated[str, StringConstraints(pattern=pattern)]
    return BeforeValidator(_year_as_text, json_schema_input_type=year | text)


RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{port}{n}" for port in ("com", "lpt") for n in range(10)]
)
"""Names Windows keeps for devices: no file or folder can have them, so no id may be one (an
article id is a folder name, and a checkout with ``articles/con/`` fails on Windows)."""


def _not_reserved(text: str) -> str:
    if text in RESERVED_NAMES:
        raise PydanticCustomError(
            "id-format",
            "'{text}' is a device name on Windows, where no file or folder can have it",
            {"text": text, "hint": f"Choose another id, such as '{text}-1'."},
        )
    return text


Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=120),
    AfterValidator(_not_reserved),
    Field(json_schema_extra={"not": {"enum": sorted(RESERVED_NAMES)}}),
]
"""A lower-case ASCII id: letters, digits and single hyphens, such as ``gideon-rachman``; not a
Windows device name (:data:`RESERVED_NAMES`)."""

LINE_PATTERN = r"^\S(?:.*\S)?$"
QUOTE_PATTERN = r"^\S(?:[\s\S]*\S)?$"
URL_PATTERN = r"^https?://[^\s]+$"

Line = Annotated[str, StringConstraints(min_length=1, pattern=LINE_PATTERN)]
"""One line of text with no leading or trailing white space."""

Quote = Annotated[str, StringConstraints(min_length=1, pattern=QUOTE_PATTERN)]
"""An exact span of an article text: it may cross a line break (hard-wrapped wire copy), but
starts and ends with a visible character."""

Prose = Annotated[str, StringConstraints(min_length=1)]
"""Free text; may span lines."""

Url = Annotated[str, StringConstraints(pattern=URL_PATTERN)]
WikidataId = Annotated[str, StringConstraints(pattern=r"^Q[1-9][0-9]*$")]
CountryCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_check_country)
]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
SemVer = Annotated[str, StringConstraints(pattern=r"^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*)){2}$")]


def _exact(value: object) -> object:
    """An integer that a 64-bit float cannot hold (2**53 + 1, 10**23) would be rounded: refused.
    A decimal number is checked where its text is read (:mod:`nkdata.corpus.yamlreader`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            exact = float(value) == value
        except OverflowError:
            exact = False
        if not exact:
            raise PydanticCustomError(
                "number-inexact",
                "{value} has more digits than a 64-bit float holds exactly; it would be "
                "stored as another number",
                {"value": str(value) if len(str(value)) <= 40 else str(value)[:37] + "..."},
            )
    return value


def _no_negative_zero(value: float) -> float:
    if value == 0 and math.copysign(1.0, value) < 0:
        raise PydanticCustomError(
            "field-value", "-0.0 carries a minus sign; a count is never negative", {}
        )
    return value


Count = Annotated[float, Field(ge=0), BeforeValidator(_exact), AfterValidator(_no_negative_zero)]
"""A number that counts or measures something: finite, not negative (nor -0.0), and exactly
the number written (a float holds it without rounding)."""

PartialDate = Annotated[
    str,
    _year_or_text(PARTIAL_DATE_PATTERN),
    StringConstraints(pattern=PARTIAL_DATE_PATTERN),
    AfterValidator(_check_partial_date),
]
"""A date written at the precision the text supports: ``2024``, ``2024-11`` or ``2024-11-05``."""

DateSpanText = Annotated[
    str,
    _year_or_text(DATE_SPAN_PATTERN),
    StringConstraints(pattern=DATE_SPAN_PATTERN),
    AfterValidator(_check_date_span),
]
"""A date or an EDTF interval: ``2024``, ``2024-11-05``, ``2017/..`` (2017 or later),
``2015-06-25/2015-06-26`` (one of those days)."""

DayDate = Annotated[
    str, StringConstraints(pattern=DAY_PATTERN), AfterValidator(_check_partial_date)
]
"""A full date, ``YYYY-MM-DD``, not in the future."""


PATTERN_RULES = {
    SLUG_PATTERN: "an id is lower-case ASCII letters and digits, joined by single hyphens",
    LINE_PATTERN: "one line of text that starts and ends with a visible character (no line "
    "break, no white space at either end)",
    QUOTE_PATTERN: "a quote starts and ends with a visible character (it may cross a line "
    "break, but no white space at either end)",
    URL_PATTERN: "an http:// or https:// URL without spaces",
    PARTIAL_DATE_PATTERN: "a date is YYYY, YYYY-MM or YYYY-MM-DD",
    DATE_SPAN_PATTERN: "a date is YYYY, YYYY-MM, YYYY-MM-DD or an interval such as 2017/.. or "
    "2015-06-25/2015-06-26",
    DAY_PATTERN: "a date is YYYY-MM-DD",
}
"""What each pattern of a corpus field asks for, as a problem's message says it (the pattern
itself means little to a contributor)."""


def is_slug(text: str) -> bool:
    """True for a valid id (used where ids come from folder names, not from YAML)."""
    return (
        re.fullmatch(SLUG_PATTERN, text) is not None
        and len(text) <= 120
        and text not in RESERVED_NAMES
    )


def slug_error(text: str) -> str:
    """What makes ``text`` not a slug, naming a look-alike character that the eye would miss.

    >>> slug_error("rfa-Korean")
    "character 5 is 'K' (U+004B LATIN CAPITAL LETTER K), not a-z, 0-9 or '-'"
    """
    bad = next((at for at, char in enumerate(text) if char not in _SLUG_CHARS), None)
    if bad is not None:
        char = text[bad]
        if 0xDC80 <= ord(char) <= 0xDCFF:  # how Python keeps a file name's undecodable byte
            return f"character {bad + 1} is the byte 0x{ord(char) - 0xDC00:02x}, not UTF-8"
        name = unicodedata.name(char, "unnamed")
        return f"character {bad + 1} is {char!r} (U+{ord(char):04X} {name}), not a-z, 0-9 or '-'"
    if len(text) > 120:
        return f"{len(text)} characters, more than 120"
    if text in RESERVED_NAMES:
        return f"'{text}' is a device name on Windows, where no file or folder can have it"
    return "hyphens must separate letters or digits, one at a time"


_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
