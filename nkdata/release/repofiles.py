"""The repository files that follow a release: ``CITATION.cff`` and the ``CHANGELOG.md`` entry.

They live beside ``corpus/`` (a corpus copied alone has neither, and neither is then checked).
``CITATION.cff``'s ``version`` and ``date-released`` equal dataset.yaml's ``version`` and
``released``. A CHANGELOG entry is ``## [VERSION] - DATE``, then the maintainers' own words,
then a block between two markers that ``nkdata release`` and ``nkdata build`` write from the
release's diff (counts, schema changes, changed figure values, errata corrected): the words
above the block are never touched, the block is never edited by hand.

>>> text = "# Changelog\\n\\n## [0.1.0] - 2026-11-23\\n\\nFirst.\\n"
>>> print(refresh_entry(text, "0.2.0", "2026-12-01", ["Counts."]))
# Changelog
<BLANKLINE>
## [0.2.0] - 2026-12-01
<BLANKLINE>
<!-- nkdata:changes (generated: write your own words above this line) -->
Counts.
<!-- /nkdata:changes -->
<BLANKLINE>
## [0.1.0] - 2026-11-23
<BLANKLINE>
First.
<BLANKLINE>
"""

from __future__ import annotations

import re
from pathlib import Path

from nkdata.release.diff import ReleaseDiff
from nkdata.release.diffreport import summary
from nkdata.schema.corpus_files import DatasetFile, Erratum

CITATION = "CITATION.cff"
CHANGELOG = "CHANGELOG.md"
START = "<!-- nkdata:changes (generated: write your own words above this line) -->"
END = "<!-- /nkdata:changes -->"
_HEADING = re.compile(r"^## \[(?P<version>[^\]\n]+)\][^\n]*$", re.MULTILINE)
_CFF_LINES = {"version": "version", "released": "date-released"}


def citation_fields(text: str) -> dict[str, str]:
    """The top-level ``version`` and ``date-released`` lines of a CITATION.cff, unquoted."""
    found = {}
    for key in _CFF_LINES.values():
        match = re.search(rf"^{key}:[ \t]*(.*?)[ \t]*$", text, re.MULTILINE)
        if match:
            found[key] = match.group(1).strip("\"'")
    return found


def set_citation(text: str, version: str, released: str) -> str:
    """CITATION.cff with its version and date lines set, every other line as it was."""
    for key, value in (("version", version), ("date-released", f'"{released}"')):
        text, count = re.subn(rf"^{key}:.*$", f"{key}: {value}", text, count=1, flags=re.M)
        if not count:
            text = text.rstrip("\n") + f"\n{key}: {value}\n"
    return text


def citation_problem(repo: Path, dataset: DatasetFile) -> str | None:
    """What is wrong with ``repo/CITATION.cff`` against dataset.yaml, if anything."""
    path = repo / CITATION
    if not path.is_file():
        return None
    fields = citation_fields(path.read_text(encoding="utf-8"))
    expected = {"version": dataset.version, "date-released": str(dataset.released)}
    wrong = [
        f"{key} is {fields.get(key)!r}, not {value!r}"
        for key, value in expected.items()
        if fields.get(key) != value
    ]
    if not wrong:
        return None
    return f"{path}: {'; '.join(wrong)} (corpus/dataset.yaml's version and released)"


def changes_block(
    diff: ReleaseDiff | None,
    errata: list[Erratum],
    version: str,
    *,
    published: bool,
) -> list[str]:
    """The generated part of a version's CHANGELOG entry, without its markers."""
    lines = (
        []
        if published
        else [
            "Not published yet: this release may still change (`nkdata release --publish` "
            "freezes it).",
            "",
        ]
    )
    lines += summary(diff) if diff is not None else ["First release: every row is new."]
    fixed = [e for e in errata if e.fixed_in == version]
    if fixed:
        lines += ["", "Errata corrected (see the data card's Errata section):", ""]
        lines += [
            f"- `{e.id}`: {e.table} `{e.row_id}` (wrong in {e.wrong_in}): {e.what}" for e in fixed
        ]
    return lines


def _span(text: str, version: str) -> tuple[int, int] | None:
    """Where the entry of ``version`` starts and ends in a CHANGELOG."""
    headings = list(_HEADING.finditer(text))
    for i, match in enumerate(headings):
        if match.group("version") == version:
            end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
            return match.start(), end
    return None


def has_entry(text: str, version: str) -> bool:
    return _span(text, version) is not None


def refresh_entry(
    text: str, version: str, released: str, block: list[str], replacing: str | None = None
) -> str:
    """The CHANGELOG with the entry of ``version`` dated and its generated block rewritten.

    The entry of ``replacing`` (an unpublished version that ``version`` replaces) becomes it,
    with its words kept; with neither entry, a new one goes above the newest entry.
    """
    generated = "\n".join([START, *block, END])
    span = _span(text, version) or (_span(text, replacing) if replacing else None)
    heading = f"## [{version}] - {released}"
    if span is None:
        first = _HEADING.search(text)
        at = first.start() if first else len(text)
        prefix = text[:at] if first else text.rstrip("\n") + "\n\n"
        return f"{prefix}{heading}\n\n{generated}\n\n{text[at:]}".rstrip("\n") + "\n"
    start, end = span
    entry = text[start:end]
    body = entry.split("\n", 1)[1] if "\n" in entry else ""
    if START in body and END in body:
        before, rest = body.split(START, 1)
        body = before + generated + rest.split(END, 1)[1]
    else:
        body = body.rstrip("\n") + "\n\n" + generated + "\n"
    tail = "\n" if end < len(text) else ""
    return text[:start] + f"{heading}\n{body.rstrip(chr(10))}\n{tail}" + text[end:]
