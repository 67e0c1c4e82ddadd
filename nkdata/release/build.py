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
- Immutable: an existing version is never overwritten; rebuilding it with identical bytes is a
  no-op, with different bytes a refusal.
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
from nkdata.errors import ReleaseError
from nkdata.release.changes import release_changes
from nkdata.release.datacard import data_card
from nkdata.release.datapackage import descriptor, publishers
from nkdata.release.fileformats import write_csv, write_parquet
from nkdata.release.tablerules import table_problems
from nkdata.schema.columns import table_models
from nkdata.schema.export import dumps
from nkdata.schema.releasefolder import (
    CARD,
    DESCRIPTOR,
    FORMATS,
    INDEX,
    MAX_JSON_BYTES,
    ReleaseFile,
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

TEMP_PREFIX = ".nkdata-build-"
Progress = Callable[[str], None]


class BuildStatus(StrEnum):
    """How a build ended."""

    WRITTEN = "written"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class BuildResult:
    status: BuildStatus
    version: str
    folder: Path
    differing: tuple[str, ...] = ()


class BuildError(Exception):
    """A build that could not write (unwritable folder, full disk); nothing is left behind."""


def write_release_files(
    corpus: Corpus, folder: Path, releases: Path, progress: Progress = lambda _: None
) -> None:
    """Write every file of the release of ``corpus`` into ``folder`` (which must exist)."""
    tables = corpus.arrow
    for name in table_models():
        progress(f"table {name}")
        write_parquet(tables[name], folder / table_file(name, "parquet"))
        write_csv(tables[name], folder / table_file(name, "csv"))
    progress(CARD)
    previous = previous_version(releases, corpus.dataset.version)
    changes = release_changes(releases / previous, tables) if previous else None
    card = data_card(corpus.dataset, tables, previous, changes)
    (folder / CARD).write_text(card, encoding="utf-8", newline="\n")
    progress(DESCRIPTOR)
    names = [*(table_file(name, fmt) for name in tables for fmt in FORMATS), CARD]
    files = {name: ReleaseFile.of(folder / name) for name in names}
    package = descriptor(corpus.dataset, files, publishers=publishers(tables))
    (folder / DESCRIPTOR).write_text(dumps(package), encoding="utf-8", newline="\n")


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


def _publish(temp: Path, target: Path) -> BuildResult:
    """Rename ``temp`` to ``target``, or compare it with the release already there."""
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
    status = BuildStatus.CONFLICT if differing else BuildStatus.UNCHANGED
    return BuildResult(status, version, target, differing)


def build_release(
    corpus: Corpus,
    releases: Path,
    progress: Progress = lambda _: None,
    *,
    repository: bool = True,
) -> BuildResult:
    """Build ``releases/<version>`` atomically; refuse to change an existing version, and
    tables that break a rule ``nkdata verify`` checks (nothing is written)."""
    version = corpus.dataset.version
    broken = table_problems(corpus.arrow)
    if broken:
        listed = "; ".join(f"{p.file} [{p.path}] {p.code.value}: {p.message}" for p in broken[:5])
        raise BuildError(
            f"the tables would break {len(broken)} rule(s) ({listed}); nothing was written"
        )
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
        write_release_files(corpus, temp, releases, progress)
        temp.chmod(0o755)  # mkdtemp makes it private; a release is for everyone to read
        for path in [*temp.iterdir(), temp]:
            _fsync(path)
        progress("rename into place")
        with _exclusive(releases):
            result = _publish(temp, releases / version)
            if result.status is not BuildStatus.CONFLICT:
                _update_root_files(releases, result, repository=repository)
        return result
    except OSError as exc:
        raise BuildError(
            f"cannot write the release: {exc.strerror or exc} ({exc.filename or releases}); "
            "nothing was written"
        ) from exc
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _update_root_files(releases: Path, result: BuildResult, *, repository: bool) -> None:
    """Sync the rename, rewrite the root files; if that fails, say that the release is in place."""
    try:
        if result.status is BuildStatus.WRITTEN:
            _fsync(releases)
        write_root_files(releases, repository=repository)
    except (OSError, ReleaseError) as exc:
        raise BuildError(
            f"release {result.version} is complete at {result.folder}, but the root "
            f"{DESCRIPTOR} and {releases.name}/{INDEX} could not be updated: {_reason(exc)}; "
            "run `nkdata build` again to update them"
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


def check_release(corpus: Corpus, releases: Path, *, repository: bool = True) -> list[str]:
    """Files of the committed release, root descriptor and index that differ from a fresh build."""
    target = releases / corpus.dataset.version
    if not target.is_dir():
        return [f"{target} does not exist"]
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as scratch:
        fresh = Path(scratch) / corpus.dataset.version
        fresh.mkdir()
        write_release_files(corpus, fresh, releases)
        stale = [f"{target / name}" for name in differences(fresh, target)]
    try:
        derived = root_files(releases, repository=repository)
    except (ReleaseError, OSError) as exc:
        return [*stale, f"the root files cannot be derived: {_reason(exc)}"]
    for path, content in derived.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            stale.append(str(path))
    return stale
