"""A copy of the repository turned back into the state it had while one of its releases was an
unpublished draft: what the contributing guide's walkthrough starts from, whatever happened since.

The repository moves on: the draft is published (``nkdata release --publish``), articles are
added and later versions cut. :func:`back_to_draft` undoes that on a copy, from what the
repository itself holds: the releases after the version and their CHANGELOG entries go, the
version is marked unpublished again, and the corpus keeps only the articles and registry entries
that the version's release holds, without the errata recorded once it was published. The caller
then runs ``nkdata release minor --date`` with :func:`release_date` (as the maintainers did),
which rewrites dataset.yaml, CITATION.cff and the version's CHANGELOG entry as they were.
Corrections of rows made after the version are kept: the copy is the draft as it would be now.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml

from nkdata.schema.export import dumps
from nkdata.schema.releasefolder import Index, version_key

REGISTRIES = {"sources": "sources", "quantities": "quantities"}
"""Each registry file of corpus/ and the release table that holds its entries."""
HEADING = re.compile(r"^## \[(?P<version>[^\]\n]+)\]", re.M)


def ids_in_release(folder: Path, table: str) -> set[str]:
    """The ``id`` column of a release table, read from its CSV file."""
    csv.field_size_limit(sys.maxsize)  # article texts are long cells
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as file:
        return {row["id"] for row in csv.DictReader(file)}


def first_release(releases: Path, article: str) -> str:
    """The oldest version whose release holds ``article``."""
    versions = sorted(Index.read(releases).versions, key=version_key)
    found = [v for v in versions if article in ids_in_release(releases / v, "articles")]
    assert found, f"no release in {releases} holds the article {article}"
    return found[0]


def published_before(releases: Path, version: str) -> str:
    """The newest published version older than ``version``: the one it is bumped from."""
    older = [v for v in Index.read(releases).published() if version_key(v) < version_key(version)]
    assert older, f"no release before {version} is published"
    return older[-1]


def release_date(releases: Path, version: str) -> str:
    """The day a release was cut, from its descriptor (``created``)."""
    descriptor = json.loads((releases / version / "datapackage.json").read_text(encoding="utf-8"))
    return str(descriptor["created"])[:10]


def back_to_draft(root: Path, version: str) -> None:
    """Turn the repository copy at ``root`` back to ``version`` as an unpublished draft."""
    later = _drop_later_releases(root / "releases", version)
    corpus, release = root / "corpus", root / "releases" / version
    articles = ids_in_release(release, "articles")
    for folder in (corpus / "articles").iterdir():
        if folder.name not in articles:
            shutil.rmtree(folder)
    for registry, table in REGISTRIES.items():
        path = corpus / f"{registry}.yaml"
        kept = ids_in_release(release, table)
        drop_entries(
            path, [i for i in entry_ids(path.read_text(encoding="utf-8")) if i not in kept]
        )
    errata = corpus / "errata.yaml"
    if errata.is_file():
        drop_entries(errata, _errata_after(errata, version))
    changelog = root / "CHANGELOG.md"
    if changelog.is_file():
        changelog.write_text(_without_versions(changelog.read_text("utf-8"), later), "utf-8")


def _drop_later_releases(releases: Path, version: str) -> set[str]:
    """Remove the releases after ``version`` and mark it unpublished; the versions removed."""
    index = json.loads((releases / "index.json").read_text(encoding="utf-8"))
    later = {v for v in index["versions"] if version_key(v) > version_key(version)}
    for gone in later:
        del index["versions"][gone]
        shutil.rmtree(releases / gone, ignore_errors=True)
    index["versions"][version]["published"] = False
    index["latest"] = version
    (releases / "index.json").write_text(dumps(index), encoding="utf-8")
    return later


def _errata_after(path: Path, version: str) -> list[str]:
    """The errata recorded once ``version`` was published: about it, or fixed after it."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")).get("errata") or []
    key = version_key(version)
    return [
        e["id"]
        for e in entries
        if version_key(e["wrong_in"]) >= key
        or (e.get("fixed_in") and version_key(e["fixed_in"]) > key)
    ]


def entry_ids(text: str) -> list[str]:
    """The ids of a corpus list file's entries (``  - id: ID`` lines).

    >>> entry_ids("sources:\\n  - id: a\\n    name: A\\n  - id: b\\n")
    ['a', 'b']
    """
    return re.findall(r"^  - id: (\S+)$", text, re.M)


def without_entries(text: str, ids: Iterable[str]) -> str:
    """A corpus list file without the entries of ``ids`` (each ``  - id:`` line and the
    indented lines under it).

    >>> without_entries("sources:\\n  - id: a\\n    name: A\\n  - id: b\\n", ["a"])
    'sources:\\n  - id: b\\n'
    """
    for entry in ids:
        text = re.sub(rf"^  - id: {re.escape(entry)}\n(?:    .*\n)*", "", text, flags=re.M)
    return text


def drop_entries(path: Path, ids: list[str]) -> None:
    if ids:
        text = path.read_text(encoding="utf-8")
        path.write_text(without_entries(text, ids), encoding="utf-8")


def _without_versions(changelog: str, versions: set[str]) -> str:
    """A CHANGELOG without the entries of ``versions``.

    >>> _without_versions("# Log\\n\\n## [0.2.0] - x\\n\\nb\\n\\n## [0.1.0] - y\\n", {"0.2.0"})
    '# Log\\n\\n## [0.1.0] - y\\n'
    """
    headings = list(HEADING.finditer(changelog))
    for at, heading in reversed(list(enumerate(headings))):
        if heading.group("version") in versions:
            end = headings[at + 1].start() if at + 1 < len(headings) else len(changelog)
            changelog = changelog[: heading.start()] + changelog[end:]
    return changelog
