"""Write a release: validate, build the tables, write every file into a temporary folder beside
``releases/<version>``, then rename it into place.

- Atomic: files are written and synced in a hidden ``.nkdata-build-<pid>-*`` folder, which one
  ``rename`` system call turns into ``releases/<version>``; a failed build removes its folder, and
  the next build removes what a killed one left (its process is gone). Never a partial release.
- Derived files repaired, not atomic with the release: the root ``datapackage.json`` and
  ``releases/index.json`` are rewritten after the rename, each atomically (temporary file, then
  replace). A build killed between the rename and those writes leaves the new release complete
  and them stale; ``nkdata build --check`` says so and the next ``nkdata build`` rewrites them.
- Concurrent builds publish one at a time: the rename and the root files happen under an
  exclusive lock on ``releases/`` (``flock``; POSIX only), so the last build's root files see
  every release. Of two builds of one version, one writes it; the other finds it unchanged or
  reports a conflict.
- Published releases are immutable: a version that ``releases/index.json`` marks published
  (``nkdata release --publish``) is never overwritten; rebuilding it with identical bytes is a
  no-op, with different bytes a refusal. An unpublished version is a draft: a build with
  different bytes replaces it (renamed aside, the new folder renamed in, the old one removed).
- Compared with the newest published release before it, read hash-checked (a damaged or altered
  one is an error, never a wrong count): the data card's Changes and the CHANGELOG entry's
  generated block come from that diff.
- Reproducible: the same corpus with the same pinned dependencies gives the same bytes.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from nkdata.corpus.validate import Corpus
from nkdata.errors import NkdataError, ReleaseError
from nkdata.release.cardcharts import card_charts
from nkdata.release.datacard import data_card
from nkdata.release.datapackage import descriptor, publishers
from nkdata.release.diff import ReleaseDiff, compare, dataset_tables
from nkdata.release.fileformats import write_csv, write_parquet
from nkdata.release.repofiles import (
    CHANGELOG,
    changes_block,
    citation_problem,
    has_entry,
    refresh_entry,
)
from nkdata.release.tablerules import table_problems
from nkdata.schema.columns import table_models
from nkdata.schema.corpus_files import Erratum
from nkdata.schema.export import dumps
from nkdata.schema.releasefolder import (
    CARD,
    DESCRIPTOR,
    FORMATS,
    INDEX,
    MAX_JSON_BYTES,
    Index,
    ReleaseFile,
    chart_file,
    index_of,
    parse_descriptor,
    previous_version,
    read_regular,
    release_files,
    released_versions,
    remove_stale_temps,
    table_file,
    temp_prefix,
)
from nkdata.view.ledger import ledgers

TEMP_PREFIX = ".nkdata-build-"
STEPS = len(table_models()) + 4
"""Progress steps of a build: each table, the charts, the descriptor, the card, the rename."""
Progress = Callable[[str], None]


class BuildStatus(StrEnum):
    """How a build ended."""

    WRITTEN = "written"
    REPLACED = "replaced"
    """An unpublished release rebuilt with other bytes."""
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    """A published release that the corpus no longer matches: nothing written."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    status: BuildStatus
    version: str
    folder: Path
    differing: tuple[str, ...] = ()


class BuildError(Exception):
    """A build that could not write (unwritable folder, full disk); nothing is left behind."""


class BuildRefused(NkdataError):
    """A build that must not write: a date or a repository file that contradicts the release."""


def previous_diff(corpus: Corpus, releases: Path) -> ReleaseDiff | None:
    """What changed since the newest published release before the corpus's version, read
    through the hash pinned by ``releases/index.json``; None for a first release."""
    from nkdata.loading import load_pinned

    previous = previous_version(releases, corpus.dataset.version)
    if previous is None:
        return None
    entry = Index.read(releases).versions[previous]
    old = load_pinned(releases / previous, entry)
    _check_date(corpus, previous, str(old.descriptor.get("created", ""))[:10])
    return compare(previous, dataset_tables(old), corpus.dataset.version, corpus.arrow)


def _check_date(corpus: Corpus, previous: str, previous_date: str) -> None:
    """Refuse a ``released`` date before the previous release's (a bump that kept the date)."""
    released = str(corpus.dataset.released)
    if released < previous_date:
        raise BuildRefused(
            f"corpus/dataset.yaml: released {released} is before {previous_date}, the date of "
            f"release {previous}: run `nkdata release patch|minor|major`, which sets version, "
            "released and citation together (or correct the date by hand)."
        )


def write_release_files(
    corpus: Corpus,
    folder: Path,
    releases: Path,
    progress: Progress = lambda _: None,
    errata: list[Erratum] | None = None,
) -> ReleaseDiff | None:
    """Write every file of the release of ``corpus`` into ``folder`` (which must exist);
    return its diff from the release before it."""
    tables = corpus.arrow
    for name in table_models():
        progress(f"table {name}")
        write_parquet(tables[name], folder / table_file(name, "parquet"))
        write_csv(tables[name], folder / table_file(name, "csv"))
    progress("charts")
    by_quantity = ledgers(tables)  # once, for the charts and the card's text
    charts = card_charts(tables, by_quantity)
    for chart in charts:
        (folder / chart_file(chart.quantity_id)).write_bytes(chart.svg)
    labels = {chart.quantity_id: chart.label for chart in charts}
    progress(CARD)
    diff = previous_diff(corpus, releases)
    card = data_card(corpus.dataset, tables, diff, errata or [], labels, by_quantity)
    (folder / CARD).write_text(card, encoding="utf-8", newline="\n")
    progress(DESCRIPTOR)
    names = [table_file(name, fmt) for name in tables for fmt in FORMATS]
    names += [chart_file(chart.quantity_id) for chart in charts]
    files = {name: ReleaseFile.of(folder / name) for name in [*names, CARD]}
    package = descriptor(corpus.dataset, files, publishers=publishers(tables), charts=labels)
    (folder / DESCRIPTOR).write_text(dumps(package), encoding="utf-8", newline="\n")
    return diff


def differences(left: Path, right: Path) -> list[str]:
    """Names of files that differ between two release folders, or exist in only one."""
    names = sorted({p.name for p in left.iterdir()} | {p.name for p in right.iterdir()})
    return [
        name
        for name in names
        if not (
            (left / name).is_file()
            and (right / name).is_file()
            and filecmp.cmp(left / name, right / name, shallow=False)
        )
    ]


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's entries to disk, so a rename never publishes lost data."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (``flock``; where there is none, no lock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle is closed
        yield
    finally:
        os.close(handle)


def _publish(temp: Path, target: Path, published: bool) -> BuildResult:
    """Rename ``temp`` to ``target``, or compare it with the release already there and replace
    that one if it is not published."""
    version = target.name
    if not target.exists():
        try:
            temp.rename(target)
        except OSError:
            if not target.is_dir():
                raise
        else:
            return BuildResult(BuildStatus.WRITTEN, version, target)
    differing = tuple(differences(temp, target))
    if not differing:
        return BuildResult(BuildStatus.UNCHANGED, version, target)
    if published:
        return BuildResult(BuildStatus.CONFLICT, version, target, differing)
    aside = Path(
        tempfile.mkdtemp(prefix=f"{temp_prefix('build')}{version}-old-", dir=target.parent)
    )
    target.rename(aside / version)
    temp.rename(target)
    shutil.rmtree(aside, ignore_errors=True)
    return BuildResult(BuildStatus.REPLACED, version, target, differing)


def build_release(
    corpus: Corpus,
    releases: Path,
    progress: Progress = lambda _: None,
    errata: list[Erratum] | None = None,
    *,
    repository: bool = True,
) -> BuildResult:
    """Build ``releases/<version>`` atomically; refuse to change a published version, replace
    an unpublished one; refuse tables that break a rule ``nkdata verify`` checks. Also rewrites
    the root files (the root descriptor only for the ``repository``'s own releases folder) and
    the version's CHANGELOG block.

    Raises :class:`BuildRefused` (or another :class:`~nkdata.errors.NkdataError`: a damaged
    previous release) before anything is written.
    """
    version = corpus.dataset.version
    broken = table_problems(corpus.arrow)
    if broken:
        listed = "; ".join(f"{p.file} [{p.path}] {p.code.value}: {p.message}" for p in broken[:5])
        raise BuildError(
            f"the tables would break {len(broken)} rule(s) ({listed}); nothing was written"
        )
    repo = releases.parent
    problem = citation_problem(repo, corpus.dataset)
    if problem:
        raise BuildRefused(f"{problem}: run `nkdata release patch|minor|major`, which sets both.")
    changelog = repo / CHANGELOG
    if changelog.is_file() and not has_entry(changelog.read_text(encoding="utf-8"), version):
        raise BuildRefused(
            f"{changelog} has no entry for {version}: run `nkdata release patch|minor|major`, "
            "which writes it (and says which kind fits the changes)."
        )
    published = version in Index.read(releases).published()
    try:
        releases.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(releases, "build")
        remove_stale_temps(releases.parent, "build")
        temp = Path(tempfile.mkdtemp(prefix=f"{temp_prefix('build')}{version}-", dir=releases))
    except OSError as exc:
        raise BuildError(
            f"cannot write to {releases}: {exc.strerror or exc}; nothing was written"
        ) from exc
    try:
        diff = write_release_files(corpus, temp, releases, progress, errata)
        temp.chmod(0o755)  # mkdtemp makes it private; a release is for everyone to read
        for path in [*temp.iterdir(), temp]:
            _fsync(path)
        progress("rename into place")
        with _exclusive(releases):
            result = _publish(temp, releases / version, published)
            if result.status is not BuildStatus.CONFLICT:
                _update_root_files(
                    releases,
                    result,
                    lambda: _update_changelog(changelog, corpus, diff, errata or [], published),
                    repository=repository,
                )
        return result
    except OSError as exc:
        raise BuildError(
            f"cannot write the release: {exc.strerror or exc} ({exc.filename or releases}); "
            "nothing was written"
        ) from exc
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def changelog_text(
    text: str,
    corpus: Corpus,
    diff: ReleaseDiff | None,
    errata: list[Erratum],
    published: bool,
) -> str:
    """The CHANGELOG with the generated block of the corpus's version as the release gives it."""
    dataset = corpus.dataset
    block = changes_block(diff, errata, dataset.version, published=published)
    return refresh_entry(text, dataset.version, str(dataset.released), block)


def _update_changelog(
    path: Path, corpus: Corpus, diff: ReleaseDiff | None, errata: list[Erratum], published: bool
) -> None:
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        write_atomically(path, changelog_text(text, corpus, diff, errata, published))


def _update_root_files(
    releases: Path, result: BuildResult, changelog: Callable[[], None], *, repository: bool
) -> None:
    """Sync the rename, rewrite the root files and the CHANGELOG block; if that fails, say that
    the release is in place."""
    try:
        if result.status is not BuildStatus.UNCHANGED:
            _fsync(releases)
        write_root_files(releases, repository=repository)
        changelog()
    except (OSError, ReleaseError) as exc:
        raise BuildError(
            f"release {result.version} is complete at {result.folder}, but the root "
            f"{DESCRIPTOR}, {releases.name}/{INDEX} and {CHANGELOG} could not be updated: "
            f"{_reason(exc)}; run `nkdata build` again to update them"
        ) from exc


def _reason(exc: OSError | ReleaseError) -> str:
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc} ({exc.filename or ''})"
    return str(exc)


def root_descriptor(releases: Path) -> dict[str, object] | None:
    """The repository's datapackage.json: the latest release's, with paths into releases/.

    :class:`ReleaseError` if that descriptor cannot be read (edited by hand, a broken newer
    release): the root files are then left as they are.
    """
    versions = released_versions(releases)
    if not versions:
        return None
    latest = versions[-1]
    where = f"{releases.name}/{latest}/{DESCRIPTOR}"
    package = parse_descriptor(read_regular(releases / latest / DESCRIPTOR, MAX_JSON_BYTES), where)
    release_files(package, where)  # every path a plain file name, so the prefix is safe
    prefix = f"{releases.name}/{latest}/"
    for entry in package["resources"]:
        entry["path"] = prefix + entry["path"]
    return dict(package)


def root_files(releases: Path, *, repository: bool = True) -> dict[Path, str]:
    """The files derived from all releases: releases/index.json, and the root datapackage.json
    when ``releases`` is the repository's folder beside the corpus."""
    package = root_descriptor(releases)
    if package is None:
        return {}
    files = {releases.parent / DESCRIPTOR: dumps(package)} if repository else {}
    return {**files, releases / INDEX: dumps(index_of(releases))}


def write_root_files(releases: Path, *, repository: bool = True) -> None:
    """Write every file of :func:`root_files` atomically (temporary file, then replace)."""
    for target, content in root_files(releases, repository=repository).items():
        write_atomically(target, content)


def write_atomically(target: Path, content: str) -> None:
    """Write ``content`` to ``target`` through a synced temporary file renamed over it."""
    handle, name = tempfile.mkstemp(prefix=temp_prefix("build"), dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        temp.chmod(0o644)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)


def check_release(
    corpus: Corpus,
    releases: Path,
    errata: list[Erratum] | None = None,
    *,
    repository: bool = True,
) -> list[str]:
    """What differs from a fresh build: files of the committed release, the root descriptor and
    index, every published release against the hash the index pins, CITATION.cff and the
    version's CHANGELOG entry. Each line names the file."""
    version = corpus.dataset.version
    target = releases / version
    stale = [f"{target} does not exist"] if not target.is_dir() else []
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as scratch:
        fresh = Path(scratch) / version
        fresh.mkdir()
        diff = write_release_files(corpus, fresh, releases, errata=errata)
        if target.is_dir():
            stale += [f"{target / name}" for name in differences(fresh, target)]
    try:
        derived = root_files(releases, repository=repository)
    except (ReleaseError, OSError) as exc:
        return [*stale, f"the root files cannot be derived: {_reason(exc)}"]
    for path, content in derived.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            stale.append(str(path))
    stale += altered_published(releases)
    repo = releases.parent
    problem = citation_problem(repo, corpus.dataset)
    if problem:
        stale.append(problem)
    changelog = repo / CHANGELOG
    if changelog.is_file():
        text = changelog.read_text(encoding="utf-8")
        published = version in Index.read(releases).published()
        if not has_entry(text, version) or text != changelog_text(
            text, corpus, diff, errata or [], published
        ):
            stale.append(f"{changelog} (the entry of {version})")
    return stale


def altered_published(releases: Path) -> list[str]:
    """Files of published releases that are missing or differ from what the index pins."""
    found = []
    for version, entry in Index.read(releases).versions.items():
        folder = releases / version
        descriptor = folder / DESCRIPTOR
        if not entry.published:
            continue
        if not descriptor.is_file() or ReleaseFile.of(descriptor) != ReleaseFile(
            DESCRIPTOR, entry.datapackage, entry.bytes
        ):
            found.append(f"{descriptor} (published: its hash is pinned in {releases / INDEX})")
            continue
        where = str(descriptor)
        for file in release_files(parse_descriptor(descriptor.read_bytes(), where), where):
            path = folder / file.name
            if not path.is_file() or ReleaseFile.of(path) != file:
                found.append(f"{path} (published: its hash is pinned in {descriptor})")
    return found
