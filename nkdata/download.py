"""Find a release: bundled with the package, in the download cache, or fetched with pooch.

Trust flows from ``index.json`` (bundled with the package, or fetched) to each version's
``datapackage.json`` (checked against its hash in the index) to every file (checked against
its hash in the descriptor). A file that fails its check is deleted and never returned.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nkdata import settings
from nkdata.datapackage import DESCRIPTOR, file_stats

_FILE_NAME = re.compile(r"^[a-z0-9-]+\.(?:csv|parquet)$")
_VERSION = re.compile(r"^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*)){2}$")


class NkdataError(Exception):
    """An error whose message is meant for the user as it is: what went wrong and what to do."""


class VersionNotFoundError(NkdataError):
    """The requested version is neither bundled nor available from the release host."""


class OfflineError(NkdataError):
    """Offline mode is on and the data is not on this machine."""


class DownloadError(NkdataError):
    """The release host could not be reached or answered with an error."""


class ChecksumError(NkdataError):
    """A file's bytes do not match the hash its descriptor records; the file was removed."""


def bundled_releases() -> Path | None:
    """The releases that came with the package: a wheel's ``nkdata/_releases`` or, in a
    source checkout, the repository's ``releases/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_releases", here.parent / "releases"):
        if (candidate / settings.INDEX).is_file():
            return candidate
    return None


def read_index(path: Path) -> dict[str, Any]:
    """A parsed index.json."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def bundled_index() -> dict[str, Any]:
    """The index of bundled releases (empty when none is bundled)."""
    root = bundled_releases()
    return read_index(root / settings.INDEX) if root else {"latest": None, "versions": {}}


def bundled_folder(version: str) -> Path | None:
    """The folder of a bundled version, if its files came with the package."""
    root = bundled_releases()
    folder = root / version if root else None
    return folder if folder is not None and (folder / DESCRIPTOR).is_file() else None


def cached_versions() -> list[str]:
    """Versions with a complete, verified download in the cache."""
    root = settings.cache_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / ".complete").is_file())


def remote_index() -> dict[str, Any]:
    """The release host's index.json, fetched fresh (it grows with every release)."""
    if settings.offline():
        raise OfflineError(
            f"offline mode ({settings.OFFLINE_ENV} is set): cannot list the "
            "versions on the release host."
        )
    path = _fetch("index.json", settings.cache_dir(), None, progress=False, fresh=True)
    return read_index(path)


def check_file(path: Path, expected: str) -> None:
    """Raise ChecksumError, after deleting ``path``, unless its hash is ``expected``."""
    actual = f"sha256:{file_stats(path).sha256}"
    if actual != expected:
        path.unlink(missing_ok=True)
        raise ChecksumError(
            f"{path.name}: checksum mismatch, expected {expected}, got {actual}. The file was "
            "removed; run the command again to download it afresh, and report the problem if "
            "it persists."
        )


def descriptor_files(descriptor: dict[str, Any]) -> list[tuple[str, str]]:
    """(file name, expected hash) of every resource; refuses names that could leave the folder."""
    files = []
    for entry in descriptor.get("resources", []):
        name = str(entry.get("path", ""))
        if not _FILE_NAME.match(name):
            raise NkdataError(f"the descriptor names an unsafe file path {name!r}; refusing it.")
        files.append((name, str(entry.get("hash", ""))))
    return files


def fetch_release(version: str, dest: Path | None = None, *, progress: bool = False) -> Path:
    """Download (or complete) ``version`` into ``dest`` or the cache; return the folder.

    Every file is checked against its hash; what is already there and matches is not fetched
    again.
    """
    if not _VERSION.match(version):
        raise VersionNotFoundError(f"{version!r} is not a version (MAJOR.MINOR.PATCH).")
    folder = dest if dest is not None else settings.cache_dir() / version
    expected = _descriptor_hash(version)
    descriptor_path = _fetch(f"{version}/{DESCRIPTOR}", folder, expected, progress=False)
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    for name, file_hash in descriptor_files(descriptor):
        _fetch(f"{version}/{name}", folder, file_hash, progress=progress)
    (folder / ".complete").write_text(version, encoding="utf-8")
    return folder


def copy_bundled(version: str, dest: Path) -> Path:
    """Copy a bundled version's files to ``dest``, checking each hash on the way."""
    source = bundled_folder(version)
    if source is None:
        raise VersionNotFoundError(f"version {version} is not bundled with this package.")
    dest.mkdir(parents=True, exist_ok=True)
    descriptor = json.loads((source / DESCRIPTOR).read_text(encoding="utf-8"))
    for name in [DESCRIPTOR, "README.md", *(n for n, _ in descriptor_files(descriptor))]:
        shutil.copyfile(source / name, dest / name)
    for name, file_hash in descriptor_files(descriptor):
        check_file(dest / name, file_hash)
    return dest


def _descriptor_hash(version: str) -> str | None:
    """The descriptor hash from the bundled index, else from the host's index."""
    known = bundled_index()["versions"].get(version)
    if known is None and not settings.offline():
        known = remote_index()["versions"].get(version)
    if known is None:
        if settings.offline():
            cached = settings.cache_dir() / version / DESCRIPTOR
            if cached.is_file():
                return None  # verified when it was downloaded; files are checked below
            raise OfflineError(
                f"version {version} is not on this machine and offline mode "
                f"({settings.OFFLINE_ENV}) is on; unset it to download."
            )
        raise VersionNotFoundError(
            f"version {version} is not listed at {settings.base_url()}/index.json; "
            "`nkdata versions` lists the versions there."
        )
    return str(known["datapackage"])


def _fetch(
    name: str, folder: Path, known_hash: str | None, *, progress: bool, fresh: bool = False
) -> Path:
    """One file from the release host into ``folder``, verified against ``known_hash``."""
    target = folder / name.rsplit("/", 1)[-1]
    if target.is_file() and not fresh:
        if known_hash is None:
            return target
        try:
            check_file(target, known_hash)
            return target
        except ChecksumError:
            pass  # removed: fetch it again below
    if settings.offline():
        raise OfflineError(
            f"{target.name} is not in the cache and offline mode "
            f"({settings.OFFLINE_ENV}) is on; unset it to download."
        )
    import pooch

    url = f"{settings.base_url()}/{name}"
    if fresh:
        target.unlink(missing_ok=True)
    with _translated_errors(url, target):
        pooch.retrieve(
            url, known_hash=known_hash, fname=target.name, path=folder, progressbar=progress
        )
    return target


@contextmanager
def _translated_errors(url: str, target: Path) -> Iterator[None]:
    """Turn requests' and pooch's exceptions into one clear NkdataError each."""
    import requests

    try:
        yield
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        if status == 404:
            raise VersionNotFoundError(f"{url} does not exist (HTTP 404).") from None
        raise DownloadError(
            f"the release host answered HTTP {status} for {url}; try again later."
        ) from None
    except requests.RequestException as exc:
        raise DownloadError(
            f"cannot reach {url}: {type(exc).__name__}. Check the network, "
            f"or set {settings.OFFLINE_ENV}=1 to use cached data only."
        ) from None
    except ValueError as exc:
        if "hash" not in str(exc).lower():
            raise
        target.unlink(missing_ok=True)
        raise ChecksumError(
            f"{target.name}: the download does not match its checksum "
            f"({exc}). Nothing was kept; try again, and report the problem if "
            "it persists."
        ) from None
