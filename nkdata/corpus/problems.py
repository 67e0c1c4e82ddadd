"""Problems found in the corpus: one located, coded finding each, collected and reported together.

Every stage of the pipeline returns problems instead of raising on the first one, so that a
contributor sees every mistake in one run. A problem always names a file, a position when one is
known, the field path inside the file, a stable rule code, a one-line message and a hint.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Rule(StrEnum):
    """Stable rule codes. Tools may match on them; never rename one, only add."""

    FILE_MISSING = "file-missing"
    FILE_STRAY = "file-stray"
    FILE_TOO_LARGE = "file-too-large"
    FILE_UNREADABLE = "file-unreadable"
    FILE_SYMLINK = "file-symlink"
    TEXT_ENCODING = "text-encoding"
    TEXT_BOM = "text-bom"
    TEXT_LINE_ENDS = "text-line-ends"
    TEXT_NOT_NFC = "text-not-nfc"
    TEXT_CONTROL_CHAR = "text-control-char"
    TEXT_EMPTY = "text-empty"
    YAML_SYNTAX = "yaml-syntax"
    YAML_DUPLICATE_KEY = "yaml-duplicate-key"
    YAML_ALIAS = "yaml-alias"
    YAML_TAG = "yaml-tag"
    YAML_TOO_DEEP = "yaml-too-deep"
    YAML_EMPTY = "yaml-empty"
    FIELD_UNKNOWN = "field-unknown"
    FIELD_MISSING = "field-missing"
    FIELD_TYPE = "field-type"
    FIELD_VALUE = "field-value"
    ID_FORMAT = "id-format"
    ID_DUPLICATE = "id-duplicate"
    ID_FOLDER_MISMATCH = "id-folder-mismatch"
    REF_UNKNOWN = "ref-unknown"
    DATE_INVALID = "date-invalid"
    DATE_FUTURE = "date-future"
    SOURCE_DESCRIPTION = "source-description"
    QUOTE_NOT_FOUND = "quote-not-found"
    QUOTE_AMBIGUOUS = "quote-ambiguous"
    QUOTE_OCCURRENCE = "quote-occurrence"
    QUOTE_CHARACTERS = "quote-characters"
    FIGURE_NOT_IN_QUOTE = "figure-not-in-quote"
    FIGURE_AMBIGUOUS = "figure-ambiguous"
    FIGURE_BOUNDS = "figure-bounds"
    FIGURE_QUALIFIER = "figure-qualifier"
    NUMBER_INEXACT = "number-inexact"
    PART_OVERLAP = "part-overlap"
    AFFILIATION_CYCLE = "affiliation-cycle"
    DATE_AFTER_ARTICLE = "date-after-article"
    NUMBER_UNACCOUNTED = "number-unaccounted"
    CLAIM_ORDER = "claim-order"
    RELEASE_DESCRIPTOR = "release-descriptor"
    RELEASE_FILE = "release-file"
    RELEASE_HASH = "release-hash"
    RELEASE_SCHEMA = "release-schema"
    RELEASE_REQUIRED = "release-required"
    RELEASE_CONSTRAINT = "release-constraint"
    RELEASE_PRIMARY_KEY = "release-primary-key"
    RELEASE_FOREIGN_KEY = "release-foreign-key"
    RELEASE_CSV = "release-csv"
    RELEASE_DERIVED = "release-derived"
    RELEASE_REFERENCE = "release-reference"


RULE_DOCS: dict[Rule, str] = {
    Rule.FILE_MISSING: "A file the corpus needs (dataset.yaml, sources.yaml, quantities.yaml, "
    "article.yaml, text.txt) is absent.",
    Rule.FILE_STRAY: "A file or folder that is not part of the corpus format; it would be ignored.",
    Rule.FILE_TOO_LARGE: "A file larger than the corpus allows; it is not read.",
    Rule.FILE_UNREADABLE: "A file that cannot be opened or read.",
    Rule.FILE_SYMLINK: "A symbolic link; the corpus holds plain files only.",
    Rule.TEXT_ENCODING: "A file that is not valid UTF-8.",
    Rule.TEXT_BOM: "A text file that starts with a byte-order mark.",
    Rule.TEXT_LINE_ENDS: "A text file with CR or CRLF line ends; the corpus uses LF.",
    Rule.TEXT_NOT_NFC: "A text that is not in Unicode normalisation form C.",
    Rule.TEXT_CONTROL_CHAR: "A control, zero-width or other invisible character in a text or in "
    "a YAML value.",
    Rule.TEXT_EMPTY: "An article text that is empty or holds only white space.",
    Rule.YAML_SYNTAX: "A YAML file that does not parse.",
    Rule.YAML_DUPLICATE_KEY: "The same key twice in one YAML mapping.",
    Rule.YAML_ALIAS: "A YAML anchor or alias; the corpus spells every value out.",
    Rule.YAML_TAG: "An explicit YAML tag such as !!python/object.",
    Rule.YAML_TOO_DEEP: "YAML nested deeper than any corpus file needs.",
    Rule.YAML_EMPTY: "A YAML file with no document.",
    Rule.FIELD_UNKNOWN: "A key that the file format does not define.",
    Rule.FIELD_MISSING: "A required key is absent, or its value is empty.",
    Rule.FIELD_TYPE: "A value of the wrong type (a number where text is expected, ...).",
    Rule.FIELD_VALUE: "A value of the right type that breaks a constraint of its field.",
    Rule.ID_FORMAT: "An id that is not a lower-case ASCII slug.",
    Rule.ID_DUPLICATE: "An id used twice in one table (compared case-insensitively).",
    Rule.ID_FOLDER_MISMATCH: "An article whose id differs from its folder name.",
    Rule.REF_UNKNOWN: "A reference to a source, quantity or article that does not exist.",
    Rule.DATE_INVALID: "A date that is not YYYY, YYYY-MM or YYYY-MM-DD, or not in the calendar.",
    Rule.DATE_FUTURE: "A date after today.",
    Rule.SOURCE_DESCRIPTION: "An anonymous or collective source without a description.",
    Rule.QUOTE_NOT_FOUND: "A claim quote that does not occur in the article text.",
    Rule.QUOTE_AMBIGUOUS: "A claim quote that occurs more than once and has no occurrence.",
    Rule.QUOTE_OCCURRENCE: "An occurrence number larger than the number of matches.",
    Rule.QUOTE_CHARACTERS: "A quote that is not in Unicode NFC, so that it cannot match the text.",
    Rule.FIGURE_NOT_IN_QUOTE: "A figure text that does not occur inside its claim's quote.",
    Rule.FIGURE_AMBIGUOUS: "A figure text that occurs more than once in its claim's quote.",
    Rule.FIGURE_BOUNDS: "A figure whose low, value and high are out of order.",
    Rule.FIGURE_QUALIFIER: "A figure whose value and bounds do not fit its qualifier.",
    Rule.NUMBER_INEXACT: "A number that a 64-bit float cannot hold as written (more significant "
    "digits than it keeps, beyond its range, or so small that it becomes 0): it would be "
    "published as another number.",
    Rule.PART_OVERLAP: "Two parts marked non_body that overlap: mark each part of the page once.",
    Rule.AFFILIATION_CYCLE: "A source affiliated with itself, or affiliations that go round in a "
    "circle.",
    Rule.DATE_AFTER_ARTICLE: "A claim dated after the last day its article can have been "
    "published (claim_date after published, or after the end of its interval).",
    Rule.NUMBER_UNACCOUNTED: "A number in the article body that is neither inside a figure's "
    "text nor inside an exclusion's quote (nor in a part marked non_body).",
    Rule.CLAIM_ORDER: "Claims not in text order: a claim whose quote starts before the quote of "
    "the claim listed before it.",
    Rule.RELEASE_DESCRIPTOR: "A release without a readable datapackage.json, or one that differs "
    "from the descriptor nkdata writes for its tables (schemas, licences, sources, resources).",
    Rule.RELEASE_FILE: "A file the descriptor lists is missing from the release folder, or a "
    "file in the folder that the descriptor does not list (or that is not a regular file).",
    Rule.RELEASE_HASH: "A release file whose size or SHA-256 differs from the descriptor.",
    Rule.RELEASE_SCHEMA: "A Parquet file whose columns, their order or types differ from the "
    "models, or that decodes to more than a release file can hold.",
    Rule.RELEASE_REQUIRED: "An empty value in a column that may not be null.",
    Rule.RELEASE_CONSTRAINT: "A value outside its column's pattern or vocabulary.",
    Rule.RELEASE_PRIMARY_KEY: "A primary key value that is repeated.",
    Rule.RELEASE_FOREIGN_KEY: "A reference to a row that the referenced table does not hold.",
    Rule.RELEASE_CSV: "A CSV file whose values differ from its Parquet twin.",
    Rule.RELEASE_DERIVED: "A column the build derives from others that disagrees with them: a "
    "text's hash, an id made of other columns, a figure's unit, a date and its EDTF text.",
    Rule.RELEASE_REFERENCE: "A finding of frictionless, the reference validator of Data "
    "Packages (`nkdata verify --frictionless`).",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One finding, located precisely enough for an editor to jump to it.

    ``file`` is relative to the corpus root, with forward slashes. ``line`` and ``column`` are
    1-based and None when the problem concerns a whole file. ``path`` is the field path inside
    the file, such as ``claims[2].figures[0].value``.
    """

    code: Rule
    message: str
    file: str
    line: int | None = None
    column: int | None = None
    path: str = ""
    hint: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order problems by file and position so that reports read top to bottom."""
        return (self.file, self.line or 0, self.column or 0, self.path, self.code.value)

    def as_dict(self) -> dict[str, object]:
        """The JSON form of ``--format json``."""
        data = asdict(self)
        data["code"] = self.code.value
        return data


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in report order, duplicates removed."""
    return sorted(set(problems), key=Problem.sort_key)
