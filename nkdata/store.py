"""Where releases are on this machine, and which bytes they are trusted to hold.

Trust flows one way. An index (``index.json``, bundled with the package, or the release host's
copy kept in the cache) gives the SHA-256 of each version's ``datapackage.json``; a descriptor
whose bytes match it gives the name, size and SHA-256 of every file of the release; a file is
used only when its bytes match. Nothing here touches the network (see :mod:`nkdata.download`);
the format of what is read is :mod:`nkdata.schema.releasefolder`'s.

>>> bundled_folder("0.0.0") is None
True
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from nkdata import settings
from nkdata.errors import ChecksumError, NkdataError, ReleaseError
from nkdata.schema.releasefolder import (
    DESCRIPTOR,
    INDEX,
    MAX_JSON_BYTES,
    Index,
    IndexEntry,
    check_version,
    is_hash,
    is_version,
    parse_descriptor,
    read_regular,
    release_files,
    sha256,
    version_key,
)

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

B = TypeVar("B", bound="ReadableBuffer")


class Origin(StrEnum):
    """Where a release folder is; decides what happens to a file that fails its check."""

    BUNDLED = "bundled"
    """Shipped inside the installed package: never deleted; reinstalling repairs it."""
    CACHE = "cache"
    """Downloaded into the cache: a damaged file is deleted and fetched again on next use."""
    FOLDER = "folder"
    """A folder the user named: never deleted; its own descriptor is the reference."""


def bundled_root() -> Path | None:
    """The releases that came with the package: a wheel's ``nkdata/_releases`` or, in a source
    checkout, the repository's ``releases/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_releases", here.parent / "releases"):
        if (candidate / INDEX).is_file():
            return candidate
    return None


def bundled_index() -> Index:
    """The index that came with the package (empty when none did)."""
    root = bundled_root()
    if root is None:
        return Index.empty()
    return Index.parse((root / INDEX).read_bytes(), str(root / INDEX))


def cached_index() -> Index:
    """The release host's index as last fetched (empty when never fetched).

    A damaged copy is deleted and treated as absent: the host's index is fetched again when a
    version it lists is needed.
    """
    path = settings.cache_dir() / INDEX
    if not path.is_file():
        return Index.empty()
    try:
        return Index.parse(read_regular(path, MAX_JSON_BYTES), str(path))
    except (ReleaseError, OSError):
        path.unlink(missing_ok=True)
        return Index.empty()


def known_entry(version: str) -> IndexEntry | None:
    """The descriptor hash of ``version``: from the bundled index, else the one pinned when it
    was first downloaded here, else the cached host index.

    The bundled index wins: a version the package knows is pinned by the package itself; a
    version downloaded once is pinned by this machine (:func:`pin`), so that no later index
    of the host can change it.
    """
    return (
        bundled_index().versions.get(version)
        or pinned_entry(version)
        or cached_index().versions.get(version)
    )


def _pin_path(version: str) -> Path:
    return settings.cache_dir() / "pinned" / check_version(version)


def pinned_entry(version: str) -> IndexEntry | None:
    """The descriptor hash and size this machine recorded for ``version`` when it was first
    downloaded and checked (None if never, or if the record is unreadable)."""
    try:
        digest, size = _pin_path(version).read_text(encoding="ascii").split()
        entry = IndexEntry(version, digest, int(size))
    except (OSError, ValueError, UnicodeError):
        return None
    return entry if is_hash(entry.datapackage) and entry.bytes >= 0 else None


def pin(entry: IndexEntry) -> None:
    """Record ``entry`` as the only bytes ``entry.version`` may have on this machine. A version
    pinned before keeps its pin (the record is created, never replaced)."""
    target = _pin_path(entry.version)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}-{os.getpid()}")
    temp.write_text(f"{entry.datapackage} {entry.bytes}\n", encoding="ascii")
    try:
        os.link(temp, target)  # fails if a pin exists: never replaced
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)


def check_host_index(host: Index) -> None:
    """Refuse an index of the host that changes a version this machine knows (bundled or
    pinned): a released version never changes, and the user's copy is kept."""
    for version, entry in host.versions.items():
        known = bundled_index().versions.get(version) or pinned_entry(version)
        if known is not None and known.datapackage != entry.datapackage:
            raise ReleaseError(
                f"the release host now lists version {version} with descriptor "
                f"{entry.datapackage}, but this machine has {version} as {known.datapackage}. "
                "A released version never changes: the host's index is refused and your copy "
                f"is kept. Report it to the release host ({settings.base_url()})."
            )


def bundled_folder(version: str) -> Path | None:
    """The folder of ``version`` if the package carries its files (only the latest, in a wheel)."""
    root = bundled_root()
    if root is None or version not in bundled_index().versions:
        return None
    folder = root / version
    return folder if (folder / DESCRIPTOR).is_file() else None


def cache_folder(version: str) -> Path:
    """Where ``version`` is (or would be) downloaded."""
    return settings.cache_dir() / check_version(version)


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
        if origin is Origin.CACHE and path.name != DESCRIPTOR:
            path.unlink(missing_ok=True)  # its descriptor, checked, says what it must hold
        raise ChecksumError(
            f"{path.name} in {path.parent} does not match its checksum: expected {expected}, "
            f"got {actual}. "
            + (
                _KEPT.format(folder=path.parent)
                if origin is Origin.CACHE and path.name == DESCRIPTOR
                else repair_hint(origin, path.parent, version)
            )
        )
    return data


_KEPT = (
    "A version never changes, so this copy is kept, not replaced; if it is damaged, delete "
    "{folder} to download the version again."
)


def missing_files(folder: Path) -> list[str]:
    """Files of the release in ``folder`` that are not there (all, without a descriptor).

    A stat per file, no hashing: hashes are checked when a file is read.
    """
    path = folder / DESCRIPTOR
    if not path.is_file():
        return [DESCRIPTOR]
    try:
        data = read_regular(path, MAX_JSON_BYTES)
        files = release_files(parse_descriptor(data, str(path)), str(path))
    except (ReleaseError, OSError):
        return [DESCRIPTOR]
    return [file.name for file in files if not (folder / file.name).is_file()]


def cached_versions() -> list[str]:
    """Versions whose every file is in the cache, oldest first."""
    root = settings.cache_dir()
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if is_version(p.name) and not missing_files(p)]
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
    published: bool | None
    """Published (never to change again) if the bundled index or the host's says so, a draft
    if those that list it say so; None when neither lists it."""


def version_statuses(host: Index | None) -> list[VersionStatus]:
    """Every version known here or listed in ``host``, newest first."""
    index = bundled_index()
    bundled = {version for version in index.versions if bundled_folder(version)}
    cached = set(cached_versions())
    indexes = [index, *([host] if host else [])]
    listed = {version for listing in indexes for version in listing.versions}
    return [
        VersionStatus(
            version,
            version in bundled,
            version in cached,
            None if host is None else version in host.versions,
            host is not None and version == host.latest,
            _published(version, indexes),
        )
        for version in sorted(bundled | cached | listed, key=version_key, reverse=True)
    ]


def _published(version: str, indexes: list[Index]) -> bool | None:
    """Whether any index calls ``version`` published (which is for good); None if none lists
    it."""
    entries = [listing.versions[version] for listing in indexes if version in listing.versions]
    return any(entry.published for entry in entries) if entries else None
