"""Decode a corpus file's bytes and check the text rules: UTF-8, no BOM, LF, NFC, no invisibles,
not empty.

Texts are evidence: nothing here changes a character. A rule that fails is reported with the
line and column of the first offending character, and the text is still returned where it could
be decoded, so that later checks (quotes) can run too.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata

from nkdata.corpus.problems import Problem, Rule
from nkdata.schema.characters import describe_char, has_invisible, is_invisible

MAX_TEXT_BYTES = 5_000_000
"""Largest text.txt read (5 MB); news articles are a few kilobytes."""
MAX_YAML_BYTES = 5_000_000
"""Largest YAML file read (5 MB)."""


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a code-point offset: a binary search in the text's line
    starts, listed once per text, so that locating many offsets stays near-linear.

    >>> line_column("ab\\ncd", 4)
    (2, 2)
    """
    starts = _line_starts(text)
    line = bisect.bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


def problem_at(text: str, offset: int, code: Rule, message: str, file: str, hint: str) -> Problem:
    """A problem at a code-point ``offset`` of ``text``, located by its line and column."""
    line, column = line_column(text, offset)
    return Problem(code=code, message=message, file=file, line=line, column=column, hint=hint)


@functools.lru_cache(maxsize=4)
def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in re.finditer("\n", text))]


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text of ``data``, or None with a ``text-encoding`` problem."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        return None, [
            problem_at(
                good,
                len(good),
                Rule.TEXT_ENCODING,
                f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
                file,
                "Save the file as UTF-8; if it came from a web page, copy the text again.",
            )
        ]


def check_text(text: str, file: str) -> list[Problem]:
    """Problems of an article text: empty, BOM, CR line ends, non-NFC, invisible characters."""
    problems: list[Problem] = []
    if not text.strip():
        problems.append(
            Problem(
                code=Rule.TEXT_EMPTY,
                message="the text is empty" if not text else "the text holds only white space",
                file=file,
                hint="Paste the article text, verbatim, into text.txt.",
            )
        )
    if text.startswith("\ufeff"):
        problems.append(
            problem_at(
                text,
                0,
                Rule.TEXT_BOM,
                "the text starts with a byte-order mark (U+FEFF)",
                file,
                "Save the file as UTF-8 without BOM.",
            )
        )
    if (cr := text.find("\r")) >= 0:
        problems.append(
            problem_at(
                text,
                cr,
                Rule.TEXT_LINE_ENDS,
                f"{text.count(chr(13))} carriage return(s); line ends must be LF",
                file,
                "Convert line ends to LF (for example `dos2unix text.txt`).",
            )
        )
    if not unicodedata.is_normalized("NFC", text):
        offset, written, normal = first_non_nfc(text)
        problems.append(
            problem_at(
                text,
                offset,
                Rule.TEXT_NOT_NFC,
                "the text is not in Unicode normalisation form NFC: "
                f"{_code_points(written)} here is {_code_points(normal)} in NFC",
                file,
                "Normalise the file to NFC (python: unicodedata.normalize('NFC', text)).",
            )
        )
    problems.extend(_invisibles(text, file))
    return problems


def first_non_nfc(text: str) -> tuple[int, str, str]:
    """The first character that keeps ``text`` from being NFC (a combining mark that composes
    with the letter before it, a character NFC replaces), the characters from where the text
    first differs from its NFC form up to it, and their NFC form.

    >>> first_non_nfc("cafe\u0301 ok")
    (4, 'e\u0301', 'é')
    """
    offset = 0
    for line in text.split("\n"):
        if not unicodedata.is_normalized("NFC", line):
            normal = unicodedata.normalize("NFC", line)
            pairs = enumerate(zip(line, normal, strict=False))
            at = next((i for i, (a, b) in pairs if a != b), min(len(line), len(normal)))
            stop = min(at + _MAX_SEQUENCE, len(line))
            end = next(
                (
                    i
                    for i in range(at + 1, stop + 1)
                    if not unicodedata.is_normalized("NFC", line[at:i])
                ),
                at + 1,
            )
            written = line[at:end]
            return offset + end - 1, written, unicodedata.normalize("NFC", written)
        offset += len(line) + 1
    return 0, "", ""


_MAX_SEQUENCE = 32
"""Characters after the first difference searched for the one that makes it (bounded work)."""


def _nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def _code_points(chars: str) -> str:
    return " ".join(f"U+{ord(char):04X}" for char in chars) or "nothing"


def _invisibles(text: str, file: str) -> list[Problem]:
    if not has_invisible(text):
        return []
    bad = {char for char in set(text) if char != "\r" and is_invisible(char)}
    if text.startswith("\ufeff") and text.count("\ufeff") == 1:
        bad.discard("\ufeff")  # already reported as text-bom
    if not bad:
        return []
    found = [offset for offset, char in enumerate(text) if char in bad]
    hint = "Remove it unless the original text has it; it breaks quote matching."
    return [
        problem_at(text, offset, Rule.TEXT_CONTROL_CHAR, describe_char(text[offset]), file, hint)
        for offset in found[:20]
    ]
