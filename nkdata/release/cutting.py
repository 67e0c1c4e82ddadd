"""Cutting a release: ``nkdata release major|minor|patch`` and ``nkdata release --publish``.

Versions count from the newest *published* release: with 0.1.0 published and 0.2.0 an
unpublished draft, ``nkdata release minor`` gives 0.2.0 again (the draft is kept and its date,
citation and CHANGELOG entry refreshed), never 0.3.0; ``nkdata release major`` would move the
draft to 1.0.0 and remove the unpublished 0.2.0 folder. The kind must fit what changed since
that release (:meth:`~nkdata.release.diff.ReleaseDiff.needed_bump`); a smaller one is refused
with the reason. The files are written only once every one of them is computed and the new
dataset.yaml passes its model, each atomically.

Publishing is the maintainer's explicit act: ``nkdata release --publish`` marks the corpus's
version published in ``releases/index.json`` (committed, so every clone and CI sees it), once
the committed release matches the corpus. From then on no build may change it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nkdata.corpus.layout import parse_yaml_bytes
from nkdata.corpus.typecheck import parse_model
from nkdata.corpus.validate import Corpus
from nkdata.errors import NkdataError
from nkdata.release.build import (
    TEMP_PREFIX,
    changelog_text,
    check_release,
    previous_diff,
    write_atomically,
    write_root_files,
)
from nkdata.release.diff import Bump, ReleaseDiff, compare, dataset_tables, open_release
from nkdata.release.repofiles import (
    CHANGELOG,
    CITATION,
    changes_block,
    refresh_entry,
    set_citation,
)
from nkdata.schema.corpus_files import DatasetFile, Erratum
from nkdata.schema.export import dumps
from nkdata.schema.releasefolder import INDEX, Index, index_of


class ReleaseRefused(NkdataError):
    """A release command that does not fit the data or the releases folder; nothing written."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What ``nkdata release KIND`` will write."""

    version: str
    released: str
    base: str | None
    """The newest published release, which the version is bumped from."""
    needed: Bump | None
    why: str
    kept: bool
    """The corpus already had this unpublished version: it is refreshed, not bumped again."""
    dropped: str | None
    """An unpublished draft folder that the new version replaces."""
    files: dict[Path, str] = field(default_factory=dict)


def plan_release(
    corpus: Corpus,
    root: Path,
    releases: Path,
    kind: Bump,
    released: date,
    errata: list[Erratum],
) -> Plan:
    """Choose the version, check the kind against the diff, and compute every file's content."""
    current = corpus.dataset.version
    published = Index.read(releases).published()
    base = published[-1] if published else None
    if base is None:
        version, needed, why, diff = current, None, "no release is published yet", None
    else:
        old = open_release(base, releases)
        base_date = str(old.descriptor.get("created", ""))[:10]
        if released.isoformat() < base_date:
            raise ReleaseRefused(
                f"--date {released} is before {base_date}, the date of release {base}."
            )
        diff = compare(base, dataset_tables(old), current, corpus.arrow)
        needed, why = diff.needed_bump(base)
        _check_kind(kind, needed, why, base)
        version = kind.of(base)
        diff = _renamed(diff, version)
    draft = current if current not in published and current != version else None
    dropped = draft if draft and (releases / draft).is_dir() else None
    text = (root / "dataset.yaml").read_text(encoding="utf-8")
    files = {root / "dataset.yaml": _dataset_text(text, corpus.dataset, version, released)}
    repo = releases.parent
    if (repo / CITATION).is_file():
        cff = (repo / CITATION).read_text(encoding="utf-8")
        files[repo / CITATION] = set_citation(cff, version, released.isoformat())
    if (repo / CHANGELOG).is_file():
        block = changes_block(diff, errata, version, published=False)
        log = (repo / CHANGELOG).read_text(encoding="utf-8")
        files[repo / CHANGELOG] = refresh_entry(log, version, released.isoformat(), block, draft)
    kept = version == current and current not in published
    return Plan(version, released.isoformat(), base, needed, why, kept, dropped, files)


def _renamed(diff: ReleaseDiff, version: str) -> ReleaseDiff:
    return ReleaseDiff(diff.old, version, diff.tables, diff.figure_values)


def _check_kind(kind: Bump, needed: Bump | None, why: str, base: str) -> None:
    if needed is None:
        raise ReleaseRefused(
            f"nothing changed since release {base}: there is nothing to release. "
            "Add or correct rows first (`nkdata diff` shows what changed)."
        )
    if kind.rank < needed.rank:
        raise ReleaseRefused(
            f"`nkdata release {kind}` does not fit: since release {base}, {why}; that needs "
            f"`nkdata release {needed}` (→ {needed.of(base)}) or larger. Nothing was written."
        )


def _dataset_text(text: str, dataset: DatasetFile, version: str, released: date) -> str:
    """dataset.yaml with version, released and the citation's version and year set; every other
    line (comments, order, wrapping) as it was."""
    text = re.sub(r"^version:.*$", f"version: {version}", text, count=1, flags=re.M)
    text = re.sub(r"^released:.*$", f"released: {released.isoformat()}", text, count=1, flags=re.M)
    match = re.search(r"^citation:.*(?:\n[ \t]+.*)*", text, flags=re.M)
    if match:
        old = re.escape(dataset.version)
        citation = re.sub(rf"(?<![0-9.]){old}(?![0-9])", version, match.group(0))
        citation = re.sub(r"\((?:19|20)[0-9]{2}\)", f"({released.year})", citation)
        text = text[: match.start()] + citation + text[match.end() :]
    parsed, _ = parse_model(parse_yaml_bytes(text.encode("utf-8"), "dataset.yaml")[0], DatasetFile)
    if parsed is None or parsed.version != version or version not in parsed.citation:
        raise ReleaseRefused(
            f"cannot set the version in corpus/dataset.yaml's citation (it does not name "
            f"{dataset.version}): write {version} into it by hand, then run this again."
        )
    return text


def apply_plan(plan: Plan, releases: Path) -> None:
    """Write the plan's files; remove the unpublished draft it replaces."""
    for path, content in plan.files.items():
        write_atomically(path, content)
    if plan.dropped is not None:
        # a build's temporary prefix: if this process is killed, the next build removes it
        aside = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=releases))
        (releases / plan.dropped).rename(aside / plan.dropped)
        shutil.rmtree(aside, ignore_errors=True)
        write_root_files(releases)


def publish(corpus: Corpus, releases: Path, errata: list[Erratum]) -> str:
    """Mark the corpus's version published in ``releases/index.json``; return it.

    Refused unless the release is built and everything ``nkdata build --check`` compares
    matches the corpus: what is published is exactly what was reviewed.
    """
    version = corpus.dataset.version
    index = Index.read(releases)
    if version in index.published():
        raise ReleaseRefused(f"release {version} is already published.")
    if version not in index.versions:
        raise ReleaseRefused(f"release {version} has not been built: run `nkdata build` first.")
    stale = check_release(corpus, releases, errata)
    if stale:
        raise ReleaseRefused(
            f"release {version} does not match the corpus ({'; '.join(stale)}): run "
            "`nkdata build`, review and commit, then publish."
        )
    package = index_of(releases)
    versions = package["versions"]
    assert isinstance(versions, dict)
    versions[version]["published"] = True
    write_atomically(releases / INDEX, dumps(package))
    changelog = releases.parent / CHANGELOG
    if changelog.is_file():
        diff = previous_diff(corpus, releases)
        text = changelog_text(changelog.read_text(encoding="utf-8"), corpus, diff, errata, True)
        write_atomically(changelog, text)
    return version


def bump_advice(corpus: Corpus, releases: Path) -> str:
    """Why a published version cannot take the corpus, and the release command that fits."""
    version = corpus.dataset.version
    old = open_release(version, releases)
    diff = compare(version, dataset_tables(old), version, corpus.arrow)
    needed, why = diff.needed_bump(version)
    kind = needed or Bump.PATCH
    return (
        f"release {version} is published ({releases / INDEX}) and never changes, and the corpus "
        f"differs from it ({why}). Start the next version with `nkdata release {kind}` "
        f"(→ {kind.of(version)}: it sets version, released and citation in corpus/dataset.yaml, "
        f"{CITATION} and the {CHANGELOG} entry), then run `nkdata build`."
    )
