"""errata.yaml: the mistakes found in published releases, checked against those releases.

An erratum names a row of a published release (``table``, ``row_id``, ``wrong_in``), says what
was wrong and why, who reported it, and the release that corrects it (``fixed_in``). Checking it
means reading the release it names, hash-checked (from the releases folder beside the corpus,
else wherever :func:`nkdata.load` finds it): so this is the release stage's job, run by
``nkdata validate`` and ``nkdata build`` after the corpus's own checks. Every release's data card
lists every erratum known when it was built, so that users of an older version learn from the
newest card what was wrong in theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from nkdata.corpus.layout import ERRATA, parse_yaml_bytes, read_bytes
from nkdata.corpus.problems import Problem, Rule
from nkdata.corpus.text import MAX_YAML_BYTES
from nkdata.corpus.yamlreader import YamlDocument
from nkdata.errors import NkdataError
from nkdata.schema.releasefolder import Index, is_version, version_key

if TYPE_CHECKING:
    from nkdata.schema.corpus_files import Erratum


@dataclass(slots=True)
class Errata:
    """The errata of a corpus (none when it has no errata.yaml), and their problems."""

    entries: list[Erratum] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def corpus_version(root: Path) -> str | None:
    """dataset.yaml's version, if it can be read (its own check reports it otherwise)."""
    import yaml

    try:
        version = yaml.safe_load((root / "dataset.yaml").read_text(encoding="utf-8"))["version"]
    except (OSError, yaml.YAMLError, TypeError, KeyError, UnicodeDecodeError):
        return None
    valid = isinstance(version, str) and is_version(version) and version == version.strip()
    return version if valid else None


def check_errata(root: Path, current: str | None, releases: Path | None) -> Errata:
    """Read and check ``root/errata.yaml``: its model, unique ids, and each named row.

    ``current`` is the corpus's version (an erratum may be fixed in it before it is published;
    read from dataset.yaml when None); ``releases`` the releases folder where the versions named
    are looked for first.
    """
    path = root / ERRATA
    if not path.exists():
        return Errata()
    current = current or corpus_version(root)
    # Imported here, so that a corpus without errata never loads their models (0.08 s of the
    # 1.1 s that re-validating P100k after one edit takes).
    from nkdata.corpus.typecheck import parse_model
    from nkdata.schema.corpus_files import ErrataFile

    data, problems = read_bytes(path, ERRATA, MAX_YAML_BYTES)
    if data is None:
        return Errata([], problems)
    read, problems = parse_yaml_bytes(data, ERRATA)
    parsed, found = parse_model(read, ErrataFile)
    problems += found
    if parsed is None or read.doc is None:
        return Errata([], problems)
    checker = _RowChecker(read.doc, releases)
    seen: set[str] = set()
    for index, erratum in enumerate(parsed.errata):
        if erratum.id in seen:
            problems.append(
                checker.problem(
                    index, "id", Rule.ID_DUPLICATE, f"erratum id {erratum.id!r} is used twice"
                )
            )
        seen.add(erratum.id)
        problems += checker.check(index, erratum, current)
    return Errata(parsed.errata, problems)


@dataclass
class _RowChecker:
    """Checks errata against the releases they name, reading each release's ids once."""

    doc: YamlDocument
    releases: Path | None
    ids: dict[tuple[str, str], frozenset[str] | str | None] = field(default_factory=dict)
    """(version, table) → the table's row ids, or why they cannot be read."""

    @cached_property
    def drafts(self) -> set[str]:
        """The unpublished versions of the releases folder."""
        if self.releases is None:
            return set()
        try:
            index = Index.read(self.releases)
        except NkdataError:  # a damaged index is `nkdata build --check`'s to report
            return set()
        return {version for version, entry in index.versions.items() if not entry.published}

    def problem(self, index: int, key: str, code: Rule, message: str, hint: str = "") -> Problem:
        path = ("errata", index, key)
        line, column = self.doc.position(path) or (None, None)
        return Problem(
            code=code,
            message=message,
            file=ERRATA,
            line=line,
            column=column,
            path=f"errata[{index}].{key}",
            hint=hint,
        )

    def check(self, index: int, erratum: Erratum, current: str | None) -> list[Problem]:
        problems = []
        if erratum.wrong_in in self.drafts:
            problems.append(
                self.problem(
                    index,
                    "wrong_in",
                    Rule.FIELD_VALUE,
                    f"release {erratum.wrong_in} is not published",
                    "Errata record mistakes of published releases; fix the corpus and run "
                    "`nkdata build` instead.",
                )
            )
            return problems
        fixed = erratum.fixed_in
        if fixed is not None and current is not None and version_key(fixed) > version_key(current):
            problems.append(
                self.problem(
                    index,
                    "fixed_in",
                    Rule.FIELD_VALUE,
                    f"fixed_in {fixed} is after the corpus's version {current}",
                    "Set fixed_in when the release that corrects it is the corpus's version.",
                )
            )
        ids = self._ids(erratum.wrong_in, erratum.table)
        if ids is None:
            return problems  # the release is not on this machine: validate never downloads
        if isinstance(ids, str):
            problems.append(self.problem(index, "table", Rule.REF_UNKNOWN, ids))
        elif erratum.row_id not in ids:
            problems.append(
                self.problem(
                    index,
                    "row_id",
                    Rule.REF_UNKNOWN,
                    f"release {erratum.wrong_in} has no row {erratum.row_id!r} in {erratum.table}",
                    f"Name a row of that release: `nkdata diff {erratum.wrong_in} "
                    f"{current or 'VERSION'}` lists the rows that changed since.",
                )
            )
        return problems

    def _ids(self, version: str, table: str) -> frozenset[str] | str | None:
        key = (version, table)
        if key not in self.ids:
            self.ids[key] = self._read_ids(version, table)
        return self.ids[key]

    def _read_ids(self, version: str, table: str) -> frozenset[str] | str | None:
        """The ids of ``table`` in release ``version``; a message when the release cannot be
        read; None when it is not on this machine (beside the corpus, bundled or cached), since
        checking a contributor's corpus never touches the network."""
        from nkdata.release.diff import open_release
        from nkdata.store import bundled_folder, cached_versions

        beside = self.releases is not None and (self.releases / version).is_dir()
        if not (beside or bundled_folder(version) or version in cached_versions()):
            return None
        try:
            dataset = open_release(version, self.releases)
            if table not in dataset.table_names():
                return f"release {version} has no table {table!r}"
            return frozenset(dataset.table(table).to_arrow().column("id").to_pylist())
        except NkdataError as exc:
            return f"cannot read release {version} to check the row: {exc}"


def errata_lines(errata: list[Erratum]) -> list[str]:
    """The data card's Errata section: every erratum, newest release first."""
    if not errata:
        return ["No errata: no mistake has been reported in a published release."]
    ordered = sorted(errata, key=lambda e: (version_key(e.wrong_in), e.id), reverse=True)
    lines = [
        "Mistakes found in published releases (`errata.yaml` in the repository). A row listed "
        "here is wrong in `wrong in` and every later release before `fixed in`.",
        "",
        "| erratum | row | wrong in | fixed in | status | what | why | reported by |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for e in ordered:
        row = f"`{e.table}` `{e.row_id}`" + (f" (`{e.column}`)" if e.column else "")
        cells = [f"`{e.id}`", row, e.wrong_in, e.fixed_in or "-", e.status.value, e.what]
        cells += [e.reason, e.reported_by]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def _cell(text: str) -> str:
    """Text fit for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")
