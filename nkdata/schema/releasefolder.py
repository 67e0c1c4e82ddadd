"""The release-folder format: names, versions, hashes and the parsing of what lists them.

A releases folder holds ``index.json`` (every version with its descriptor's hash and size, and
whether it is published) and one folder per version, ``<major>.<minor>.<patch>/``, with
``datapackage.json`` (every file of the release with its hash and size), each table as
``<table>.parquet`` and ``<table>.csv``, a ``README.md`` data card, and the charts the card
shows as ``chart-<quantity>.svg``. The folder is flat: no file name holds a folder. Everything
that reads or writes that layout takes its rules from here, so that a writer and a reader can
never disagree about them.

Nothing here touches the network or a third-party library: the loaders import it.

>>> check_version("0.10.0")
'0.10.0'
>>> sorted(["0.10.0", "0.9.1"], key=version_key)
['0.9.1', '0.10.0']
>>> sha256(b"")
'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nkdata.errors import NkdataError, ReleaseError, VersionNotFoundError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

INDEX = "index.json"
"""Name of the list of released versions, beside the version folders."""
DESCRIPTOR = "datapackage.json"
"""Name of a release's Data Package descriptor, inside its version folder."""
CARD = "README.md"
"""Name of a release's data card, inside its version folder."""
CITATION_KEY = "nkdata:citation"
TEXT_RIGHTS_KEY = "nkdata:text_rights"
"""Descriptor properties of our own (Data Package v2 has none for these), namespaced."""
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("csv", "text/csv"),
    "parquet": ("parquet", "application/vnd.apache.parquet"),
}
"""File extension → (Data Package ``format``, ``mediatype``) of every table file."""

CHART = ("svg", "image/svg+xml")
"""Data Package ``format`` and ``mediatype`` of a chart file."""

_VERSION = re.compile(r"^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*)){2}$")
_FILE_NAME = re.compile(
    r"^(?:[a-z0-9]+(?:[-_][a-z0-9]+)*\.(?:csv|parquet)|chart-[a-z0-9]+(?:-[a-z0-9]+)*\.svg)$"
)
"""A table file, or a chart of a quantity (quantity ids are slugs)."""
_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


def is_version(name: str) -> bool:
    """Whether ``name`` is a MAJOR.MINOR.PATCH version (no leading zeros)."""
    return bool(_VERSION.fullmatch(name))


def check_version(version: str) -> str:
    """``version`` if it is MAJOR.MINOR.PATCH, else :class:`VersionNotFoundError`."""
    if not isinstance(version, str) or not is_version(version):
        raise VersionNotFoundError(
            f"{version!r} is not a version; versions look like 0.1.0 "
            "(`nkdata versions` lists them)."
        )
    return version


def version_key(version: str) -> tuple[int, int, int]:
    """Sort key: ``"0.10.0"`` sorts after ``"0.9.1"``."""
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def table_file(table: str, fmt: str) -> str:
    """The file name of ``table`` in format ``fmt``: ``claims.parquet``."""
    return f"{table}.{fmt}"


def chart_file(quantity_id: str) -> str:
    """The file name of the data card's chart of a quantity: ``chart-smartphones-in-use.svg``.

    >>> chart_file("population")
    'chart-population.svg'
    """
    return f"chart-{quantity_id}.{CHART[0]}"


def sha256(data: ReadableBuffer) -> str:
    """The ``sha256:<hex>`` form descriptors and indexes use."""
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


@dataclass(frozen=True, slots=True)
class ReleaseFile:
    """One file of a release, as its descriptor records it (or as it is on disk)."""

    name: str
    sha256: str
    bytes: int

    @classmethod
    def of(cls, path: Path) -> ReleaseFile:
        """The name, ``sha256:<hex>`` and size of the file at ``path``, read in blocks."""
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            size = handle.tell()
        return cls(path.name, f"sha256:{digest}", size)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What an index vouches for: the hash and size of one version's descriptor.

    ``published`` is the maintainer's explicit, committed word (``nkdata release --publish``)
    that the version is out and never changes again; an unpublished version is a draft that
    ``nkdata build`` may replace. An index written before drafts existed lists only published
    versions, so an entry without the key is published.
    """

    version: str
    datapackage: str
    bytes: int
    published: bool = True

    def as_json(self) -> dict[str, object]:
        """The entry as ``index.json`` writes it."""
        return {"datapackage": self.datapackage, "bytes": self.bytes, "published": self.published}


@dataclass(frozen=True, slots=True)
class Index:
    """A parsed ``index.json``: every released version and the latest one."""

    latest: str | None
    versions: dict[str, IndexEntry]

    @classmethod
    def parse(cls, data: bytes, where: str) -> Index:
        """Read an index; :class:`ReleaseError` naming ``where`` if it is malformed."""
        try:
            raw = json.loads(data)
            versions = {
                version: IndexEntry(
                    check_version(version), _hash(e["datapackage"]), _size(e), _published(e)
                )
                for version, e in raw["versions"].items()
            }
            latest = raw["latest"]
            if latest is not None and latest not in versions:
                raise ValueError(f"latest {latest!r} is not among the versions")
        except (ValueError, KeyError, TypeError, AttributeError, NkdataError) as exc:
            raise ReleaseError(f"{where} is not a valid release index ({exc}).") from None
        return cls(latest, versions)

    @classmethod
    def empty(cls) -> Index:
        return cls(None, {})

    @classmethod
    def read(cls, releases: Path) -> Index:
        """The ``index.json`` of a releases folder (empty when there is none yet)."""
        path = releases / INDEX
        if not path.is_file():
            return cls.empty()
        return cls.parse(path.read_bytes(), str(path))

    def published(self) -> list[str]:
        """The published versions, oldest first."""
        return sorted((v for v, e in self.versions.items() if e.published), key=version_key)


def index_of(releases: Path) -> dict[str, object]:
    """The ``index.json`` of a releases folder: every version with its descriptor's hash.

    A published version's entry is copied from the index as it is, never recomputed: it pins
    the bytes that were published, and stays listed even if its folder went missing (which
    ``nkdata build --check`` reports). Every other version folder is listed as a draft.
    """
    frozen = {v: e for v, e in Index.read(releases).versions.items() if e.published}
    entries = dict(frozen)
    for version in released_versions(releases):
        if version not in frozen:
            file = ReleaseFile.of(releases / version / DESCRIPTOR)
            entries[version] = IndexEntry(version, file.sha256, file.bytes, published=False)
    ordered = sorted(entries, key=version_key)
    versions = {version: entries[version].as_json() for version in ordered}
    return {"latest": ordered[-1] if ordered else None, "versions": versions}


def _hash(value: object) -> str:
    if not isinstance(value, str) or not _HASH.fullmatch(value):
        raise ValueError(f"{value!r} is not a sha256:<64 hex digits> hash")
    return value


def _published(entry: dict[str, Any]) -> bool:
    published = entry.get("published", True)
    if not isinstance(published, bool):
        raise ValueError(f"published {published!r} is not true or false")
    return published


def _size(entry: dict[str, Any]) -> int:
    size = entry["bytes"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"{size!r} is not a size in bytes")
    return size


def parse_descriptor(data: bytes, where: str) -> dict[str, Any]:
    """A descriptor's JSON object; :class:`ReleaseError` if it is not one."""
    try:
        descriptor = json.loads(data)
    except ValueError as exc:
        raise ReleaseError(f"{where} is not valid JSON ({exc}).") from None
    if not isinstance(descriptor, dict):
        raise ReleaseError(f"{where} is not a Data Package descriptor (a JSON object).")
    return descriptor


def release_files(descriptor: dict[str, Any], where: str) -> list[ReleaseFile]:
    """Every file a descriptor lists, with its hash and size.

    Refuses the whole descriptor if a path could leave the release folder (``../x``, ``/etc``,
    a sub-folder) or a hash or size is malformed: such a descriptor was not written by nkdata.
    """
    files = []
    try:
        for entry in descriptor["resources"]:
            name = entry["path"]
            if not isinstance(name, str) or not _FILE_NAME.fullmatch(name):
                raise ValueError(f"unsafe file path {name!r}")
            files.append(ReleaseFile(name, _hash(entry["hash"]), _size(entry)))
    except (ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"{where}: refusing the release descriptor: {exc}.") from None
    if len({file.name for file in files}) != len(files):
        raise ReleaseError(f"{where}: refusing the release descriptor: a path is listed twice.")
    return files


def released_versions(releases: Path) -> list[str]:
    """The versions in a releases folder, oldest first (temporary build folders are skipped).

    A folder counts once its descriptor is in place; the rename that publishes a release moves
    the whole folder, so a version folder without one is not a release.
    """
    if not releases.is_dir():
        return []
    found = [
        p.name for p in releases.iterdir() if is_version(p.name) and (p / DESCRIPTOR).is_file()
    ]
    return sorted(found, key=version_key)


def previous_version(releases: Path, version: str) -> str | None:
    """The newest published version older than ``version``: what a release is compared with."""
    older = [v for v in Index.read(releases).published() if version_key(v) < version_key(version)]
    return older[-1] if older else None
