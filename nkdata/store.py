"""Where releases are on this machine, and which bytes they are trusted to hold.

Trust flows one way. An index (``index.json``, bundled with the package, or the release host's
copy kept in the cache) gives the SHA-256 of each version's ``datapackage.json``; a descriptor
whose bytes match it gives the name, size and SHA-256 of every file of the release; a file is
used only when its bytes match. Nothing here touches the network (see :mod:`nkdata.download`).

>>> check_version("0.1.0")
'0.1.0'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from nkdata import settings
from nkdata.errors import ChecksumError, NkdataError, ReleaseError, VersionNotFoundError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

B = TypeVar("B", bound="ReadableBuffer")

_VERSION = re.compile(r"^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*)){2}$")
_FILE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.(?:csv|parquet)$")
_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


class Origin(StrEnum):
    """Where a release folder is; decides what happens to a file that fails its check."""

    BUNDLED = "bundled"
    """Shipped inside the installed package: never deleted; reinstalling repairs it."""
    CACHE = "cache"
    """Downloaded into the cache: a damaged file is deleted and fetched again on next use."""
    FOLDER = "folder"
    """A folder the user named: never deleted; its own descriptor is the reference."""


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What an index vouches for: the hash and size of one version's descriptor."""

    version: str
    datapackage: str
    bytes: int


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
                version: IndexEntry(check_version(version), _hash(e["datapackage"]), _size(e))
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


@dataclass(frozen=True, slots=True)
class ReleaseFile:
    """One file of a release, as its descriptor records it."""

    name: str
    sha256: str
    bytes: int


def check_version(version: str) -> str:
    """``version`` if it is MAJOR.MINOR.PATCH, else :class:`VersionNotFoundError`."""
    if not isinstance(version, str) or not _VERSION.match(version):
        raise VersionNotFoundError(
            f"{version!r} is not a version; versions look like 0.1.0 "
            "(`nkdata versions` lists them)."
        )
    return version


def _hash(value: object) -> str:
    if not isinstance(value, str) or not _HASH.match(value):
        raise ValueError(f"{value!r} is not a sha256:<64 hex digits> hash")
    return value


def _size(entry: dict[str, Any]) -> int:
    size = entry["bytes"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"{size!r} is not a size in bytes")
    return size


def sha256(data: ReadableBuffer) -> str:
    """The ``sha256:<hex>`` form descriptors and indexes use."""
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def file_sha256(path: Path) -> str:
    """The ``sha256:<hex>`` of a file, read in blocks."""
    with path.open("rb") as handle:
        return f"sha256:{hashlib.file_digest(handle, 'sha256').hexdigest()}"


def bundled_root() -> Path | None:
    """The releases that came with the package: a wheel's ``nkdata/_releases`` or, in a source
    checkout, the repository's ``releases/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_releases", here.parent / "releases"):
        if (candidate / settings.INDEX).is_file():
            return candidate
    return None


def bundled_index() -> Index:
    """The index that came with the package (empty when none did)."""
    root = bundled_root()
    if root is None:
        return Index.empty()
    return Index.parse((root / settings.INDEX).read_bytes(), str(root / settings.INDEX))


def cached_index() -> Index:
    """The release host's index as last fetched (empty when never fetched).

    A damaged copy is deleted and treated as absent: the host's index is fetched again when a
    version it lists is needed.
    """
    path = settings.cache_dir() / settings.INDEX
    if not path.is_file():
        return Index.empty()
    try:
        return Index.parse(path.read_bytes(), str(path))
    except ReleaseError:
        path.unlink(missing_ok=True)
        return Index.empty()


def known_entry(version: str) -> IndexEntry | None:
    """The descriptor hash of ``version`` from the bundled index, else from the cached one.

    The bundled index wins: a version the package knows is pinned by the package itself.
    """
    return bundled_index().versions.get(version) or cached_index().versions.get(version)


def bundled_folder(version: str) -> Path | None:
    """The folder of ``version`` if the package carries its files (only the latest, in a wheel)."""
    root = bundled_root()
    if root is None or version not in bundled_index().versions:
        return None
    folder = root / version
    return folder if (folder / settings.DESCRIPTOR).is_file() else None


def cache_folder(version: str) -> Path:
    """Where ``version`` is (or would be) downloaded."""
    return settings.cache_dir() / check_version(version)


def release_files(descriptor: dict[str, Any], where: str) -> list[ReleaseFile]:
    """Every file a descriptor lists, with its hash and size.

    Refuses the whole descriptor if a path could leave the release folder (``../x``, ``/etc``,
    a sub-folder) or a hash or size is malformed: such a descriptor was not written by nkdata.
    """
    files = []
    try:
        for entry in descriptor["resources"]:
            name = entry["path"]
            if not isinstance(name, str) or not _FILE_NAME.match(name):
                raise ValueError(f"unsafe file path {name!r}")
            files.append(ReleaseFile(name, _hash(entry["hash"]), _size(entry)))
    except (ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"{where}: refusing the release descriptor: {exc}.") from None
    if len({file.name for file in files}) != len(files):
        raise ReleaseError(f"{where}: refusing the release descriptor: a path is listed twice.")
    return files


def parse_descriptor(data: bytes, where: str) -> dict[str, Any]:
    """A descriptor's JSON object; :class:`ReleaseError` if it is not one."""
    try:
        descriptor = json.loads(data)
    except ValueError as exc:
        raise ReleaseError(f"{where} is not valid JSON ({exc}).") from None
    if not isinstance(descriptor, dict):
        raise ReleaseError(f"{where} is not a Data Package descriptor (a JSON object).")
    return descriptor


def repair_hint(origin: Origin, folder: Path, version: str) -> str:
    """What the user should do about a damaged or missing file in ``folder``."""
    if origin is Origin.CACHE:
        return (
            f"It was removed from the cache; load version {version} again, or run "
            f"`nkdata download {version}`, to fetch it afresh."
        )
    if origin is Origin.BUNDLED:
        return (
            "The installed package is damaged: reinstall it (pip install --force-reinstall nkdata)."
        )
    return (
        f"Fetch the release again (`nkdata download {version} --dest {folder}`) "
        f"and check it with `nkdata verify {folder}`."
    )


def read_verified(
    path: Path, expected: str, origin: Origin, version: str, read: Callable[[Path], B]
) -> B:
    """What ``read`` makes of ``path``, only if those bytes have the SHA-256 ``expected``.

    The bytes returned are the bytes hashed, so a file changed between check and use is never
    used. On a mismatch a cached file is deleted; a bundled file or a user's folder is left alone.
    """
    try:
        data = read(path)
    except OSError as exc:
        raise NkdataError(
            f"cannot read {path}: {exc.strerror or exc}. "
            + repair_hint(origin, path.parent, version)
        ) from None
    actual = sha256(data)
    if actual != expected:
        if origin is Origin.CACHE:
            path.unlink(missing_ok=True)
        raise ChecksumError(
            f"{path.name} in {path.parent} does not match its checksum: expected {expected}, "
            f"got {actual}. " + repair_hint(origin, path.parent, version)
        )
    return data


def missing_files(folder: Path) -> list[str]:
    """Files of the release in ``folder`` that are not there (all, without a descriptor).

    A stat per file, no hashing: hashes are checked when a file is read.
    """
    path = folder / settings.DESCRIPTOR
    if not path.is_file():
        return [settings.DESCRIPTOR]
    try:
        files = release_files(parse_descriptor(path.read_bytes(), str(path)), str(path))
    except ReleaseError:
        return [settings.DESCRIPTOR]
    return [file.name for file in files if not (folder / file.name).is_file()]


def cached_versions() -> list[str]:
    """Versions whose every file is in the cache, oldest first."""
    root = settings.cache_dir()
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if _VERSION.match(p.name) and not missing_files(p)]
    return sorted(found, key=version_key)


@dataclass(frozen=True, slots=True)
class VersionStatus:
    """Where one version is: in the package, in the cache, on the release host."""

    version: str
    bundled: bool
    cached: bool
    on_host: bool | None
    """None when the host was not asked (offline, or unreachable)."""
    latest: bool
    """The host's latest version (never set when the host was not asked)."""


def version_statuses(host: Index | None) -> list[VersionStatus]:
    """Every version known here or listed in ``host``, newest first."""
    index = bundled_index()
    bundled = {version for version in index.versions if bundled_folder(version)}
    cached = set(cached_versions())
    known = bundled | cached | set(index.versions) | set(host.versions if host else ())
    return [
        VersionStatus(
            version,
            version in bundled,
            version in cached,
            None if host is None else version in host.versions,
            host is not None and version == host.latest,
        )
        for version in sorted(known, key=version_key, reverse=True)
    ]


def version_key(version: str) -> tuple[int, int, int]:
    """Sort key: ``"0.10.0"`` sorts after ``"0.9.1"``."""
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch
