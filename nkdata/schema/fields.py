"""Field types shared by the table models and the corpus-file models.

Each type carries its constraint in a form pydantic enforces and JSON Schema exports, so that
editors, ``nkdata validate`` and the release schemas agree on one definition.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from nkdata.schema.countries import ISO_3166_ALPHA2
from nkdata.schema.vocab import DatePrecision

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"
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


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=120)]
"""A lower-case ASCII id: letters, digits and single hyphens, such as ``gideon-rachman``."""

Line = Annotated[str, StringConstraints(min_length=1, pattern=r"^\S(?:.*\S)?$")]
"""One line of text with no leading or trailing white space."""

Prose = Annotated[str, StringConstraints(min_length=1)]
"""Free text; may span lines."""

Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]
WikidataId = Annotated[str, StringConstraints(pattern=r"^Q[1-9][0-9]*$")]
CountryCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_check_country)
]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
SemVer = Annotated[str, StringConstraints(pattern=r"^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*)){2}$")]

PartialDate = Annotated[
    str, StringConstraints(pattern=PARTIAL_DATE_PATTERN), AfterValidator(_check_partial_date)
]
"""A date written at the precision the text supports: ``2024``, ``2024-11`` or ``2024-11-05``."""

DayDate = Annotated[
    str, StringConstraints(pattern=DAY_PATTERN), AfterValidator(_check_partial_date)
]
"""A full date, ``YYYY-MM-DD``, not in the future."""


def is_slug(text: str) -> bool:
    """True for a valid id (used where ids come from folder names, not from YAML)."""
    return re.fullmatch(SLUG_PATTERN, text) is not None and len(text) <= 120


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
    return "hyphens must separate letters or digits, one at a time"


_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
