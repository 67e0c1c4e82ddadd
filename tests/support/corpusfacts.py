"""What a test may know of the corpus and the releases it tests: read from them, never written down.

A contributor adds an article, a maintainer bumps the version: neither may break a test. So no
test names a version, a row count or a release folder of the live repository; each asks these
helpers, which read the files the package reads, through code of their own (PyYAML, JSON and
Parquet metadata), so that a wrong count in nkdata cannot agree with itself:

- :func:`corpus_version`: the ``version`` of a corpus's ``dataset.yaml``;
- :func:`latest_release`, :func:`released_versions`: from a releases folder's ``index.json``;
- :func:`next_version`: the version a maintainer would bump to;
- :func:`corpus_counts`: rows per table, counted in the corpus files;
- :func:`release_counts`: rows per table, from a release folder's Parquet metadata;
- :func:`bump_version`: what a maintainer edits in ``dataset.yaml`` to make a new version;
- :func:`field_line`, :func:`set_field`: a top-level ``key: value`` line of a YAML file, read
  or replaced whatever its value is now.

A test that needs exact numbers makes them itself: it adds known rows to a copy of the corpus
and checks the difference (``tests/support/newarticle.py``, ``tests/test_growth.py``), or writes
a corpus of its own (``tests/test_properties.py``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
RELEASES = REPO / "releases"

_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def dataset(corpus: Path = CORPUS) -> dict[str, Any]:
    """A corpus's ``dataset.yaml``, as PyYAML reads it."""
    data: dict[str, Any] = yaml.safe_load((corpus / "dataset.yaml").read_text(encoding="utf-8"))
    return data


def corpus_version(corpus: Path = CORPUS) -> str:
    """The version a build of ``corpus`` writes: ``dataset.yaml``'s ``version``."""
    version = dataset(corpus)["version"]
    assert isinstance(version, str) and _VERSION.match(version), version
    return version


def version_key(version: str) -> tuple[int, int, int]:
    match = _VERSION.match(version)
    assert match, f"{version!r} is not MAJOR.MINOR.PATCH"
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def next_version(version: str, part: str = "minor") -> str:
    """``version`` bumped as CONTRIBUTING.md says: ``major``, ``minor`` (new rows) or ``patch``."""
    major, minor, patch = version_key(version)
    bumped = {
        "major": (major + 1, 0, 0),
        "minor": (major, minor + 1, 0),
        "patch": (major, minor, patch + 1),
    }[part]
    return ".".join(map(str, bumped))


def index(releases: Path = RELEASES) -> dict[str, Any]:
    """A releases folder's ``index.json``."""
    data: dict[str, Any] = json.loads((releases / "index.json").read_text(encoding="utf-8"))
    return data


def released_versions(releases: Path = RELEASES) -> list[str]:
    """The versions ``index.json`` lists, oldest first."""
    return sorted(index(releases)["versions"], key=version_key)


def release_state(version: str, releases: Path = RELEASES) -> str:
    """``published`` or ``draft``, as ``index.json`` says and ``nkdata versions`` prints it."""
    published = index(releases)["versions"][version].get("published", True)
    return "published" if published else "draft"


def latest_release(releases: Path = RELEASES) -> str:
    """The latest released version: what ``nkdata.load()`` loads from a checkout."""
    latest = index(releases)["latest"]
    assert latest == released_versions(releases)[-1], "index.json: latest is not the newest"
    return str(latest)


def release_folder(version: str | None = None, releases: Path = RELEASES) -> Path:
    """The folder of ``version`` (default: the latest) in a releases folder."""
    return releases / (version or latest_release(releases))


def release_counts(folder: Path) -> dict[str, int]:
    """Rows per table of a release folder, from each Parquet file's metadata."""
    import pyarrow.parquet as pq

    return {
        path.name.removesuffix(".parquet"): pq.read_metadata(path).num_rows
        for path in sorted(folder.glob("*.parquet"))
    }


def chart_files(folder: Path) -> list[str]:
    """The data card's charts a release folder holds: one per quantity with more than one
    figure, counted in its figures.csv."""
    import csv
    from collections import Counter

    with (folder / "figures.csv").open(encoding="utf-8", newline="") as handle:
        counts = Counter(row["quantity_id"] for row in csv.DictReader(handle))
    return sorted(f"chart-{quantity}.svg" for quantity, n in counts.items() if n > 1)


def corpus_counts(corpus: Path) -> dict[str, int]:
    """Rows per table of the five tables a corpus's files spell out, counted in the files: an
    article folder is an article, a registry entry a source or quantity, and each claim and
    figure of an ``article.yaml`` one row."""
    articles = [
        yaml.safe_load((folder / "article.yaml").read_text(encoding="utf-8"))
        for folder in sorted((corpus / "articles").iterdir())
        if folder.is_dir()
    ]
    claims = [claim for article in articles for claim in article.get("claims") or []]

    def registry(name: str) -> int:
        return len(yaml.safe_load((corpus / f"{name}.yaml").read_text(encoding="utf-8"))[name])

    return {
        "articles": len(articles),
        "claims": len(claims),
        "figures": sum(len(claim.get("figures") or []) for claim in claims),
        "quantities": registry("quantities"),
        "sources": registry("sources"),
    }


def field_line(path: Path, key: str) -> str:
    """The top-level line ``key: ...`` of a YAML file as it is now, such as
    ``published: '2018-09-05'``; a test edits it without knowing its value."""
    found = re.findall(rf"^{re.escape(key)}:.*$", path.read_text(encoding="utf-8"), re.M)
    assert len(found) == 1, f"{path} has {len(found)} top-level {key!r} lines"
    return str(found[0])


def set_field(path: Path, key: str, value: str) -> str:
    """Replace the top-level line ``key: ...`` of a YAML file by ``key: value``; the old line."""
    old = field_line(path, key)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"{old}\n", f"{key}: {value}\n", 1), encoding="utf-8")
    assert field_line(path, key) == f"{key}: {value}"
    return old


def bump_version(corpus: Path, version: str, released: str | None = None) -> str:
    """Make ``corpus`` the next release, as a maintainer does: ``version``, and the citation
    that names it (and ``released``, when given). Returns the version it had."""
    path = corpus / "dataset.yaml"
    old = corpus_version(corpus)
    set_field(path, "version", version)
    if released is not None:
        set_field(path, "released", released)
    text = path.read_text(encoding="utf-8")
    citation = text[text.index("\ncitation:") :]
    assert f"version {old}" in citation, "the citation does not name the version"
    path.write_text(
        text.replace(citation, citation.replace(f"version {old}", f"version {version}")),
        encoding="utf-8",
    )
    assert corpus_version(corpus) == version
    return old
