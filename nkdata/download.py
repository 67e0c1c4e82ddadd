"""Fetch releases from the release host with pooch: every file checked, nothing bad kept.

A version is fetched into a hidden staging folder beside its destination. Files move into place
only once every one of them matched its hash, the descriptor last, so a failed download leaves
nothing behind and a folder with a descriptor holds a whole release. Files already in place with
the right hash are not fetched again.

pooch streams each response into a temporary file and checks its hash; the downloader given to
it also refuses a redirect to another host, stops a response that grows past the size the
descriptor records, and refuses one that ends short.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol
from urllib.parse import urljoin, urlsplit

from nkdata import settings
from nkdata.errors import (
    ChecksumError,
    DownloadError,
    NkdataError,
    OfflineError,
    VersionNotFoundError,
)
from nkdata.schema.characters import escaped
from nkdata.schema.releasefolder import (
    DESCRIPTOR,
    INDEX,
    Index,
    IndexEntry,
    ReleaseFile,
    check_version,
    parse_descriptor,
    release_files,
    remove_stale_temps,
    temp_prefix,
    version_key,
)
from nkdata.store import bundled_folder, cache_folder, check_host_index, known_entry, pin

if TYPE_CHECKING:
    import requests

_CHUNK = 1 << 16


class Progress(Protocol):
    """Told how many bytes a download will fetch, then how many arrived."""

    def start(self, total: int) -> None: ...

    def advance(self, size: int) -> None: ...


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Where a release now is, and which of its files had to be fetched."""

    version: str
    folder: Path
    files: tuple[str, ...]
    """Every file of the release, descriptor first."""
    fetched: tuple[str, ...]
    """The files that were not already in place."""
    from_package: bool = False
    """The files came from the installed package (copied), not from the release host."""


def remote_index() -> Index:
    """The release host's ``index.json``, fetched fresh and kept in the cache for offline use."""
    if settings.offline():
        raise OfflineError(
            f"offline mode ({settings.OFFLINE_ENV} is set): not asking the release host "
            "which versions exist."
        )
    root = settings.cache_dir()
    with _staging(root) as staging:
        path = _retrieve(INDEX, staging, None, None)
        index = Index.parse(path.read_bytes(), f"{settings.base_url()}/{INDEX}")
        check_host_index(index)
        path.replace(root / INDEX)
    return index


def index_entry(version: str) -> IndexEntry:
    """What vouches for ``version``: the bundled or cached index, else the host's."""
    check_version(version)
    entry = known_entry(version)
    if entry is not None:
        return entry
    if settings.offline():
        raise OfflineError(
            f"version {version} is not on this machine and offline mode "
            f"({settings.OFFLINE_ENV}) is on; unset it to download the version."
        )
    index = remote_index()
    if version not in index.versions:
        listed = ", ".join(sorted(index.versions, key=version_key)) or "none"
        raise VersionNotFoundError(
            f"version {version} does not exist: {settings.base_url()}/{INDEX} lists {listed}."
        )
    return index.versions[version]


def fetch_release(
    version: str, dest: Path | None = None, *, progress: Progress | None = None
) -> FetchResult:
    """Put every file of ``version`` into ``dest`` (default: its cache folder), verified.

    A bundled version is copied from the package; any other is downloaded. Files already in
    ``dest`` with the right hash are kept; a cached file with the wrong hash is deleted.

    Parameters
    ----------
    version
        ``MAJOR.MINOR.PATCH``.
    dest
        Target folder; created if needed.
    progress
        Receives the number of bytes to fetch, then each chunk's size.

    Examples
    --------
    >>> import tempfile
    >>> import nkdata
    >>> dest = Path(tempfile.mkdtemp())
    >>> fetch_release(nkdata.load().version, dest).folder == dest  # copied from the package
    True
    """
    entry = index_entry(version)
    folder = dest if dest is not None else cache_folder(version)
    bundled = bundled_folder(version)
    obtain = _copier(bundled) if bundled is not None else _downloader(version, progress)
    descriptor_file = ReleaseFile(DESCRIPTOR, entry.datapackage, entry.bytes)
    in_cache = dest is None
    with _staging(folder.parent) as staging:
        if _in_place(folder, descriptor_file, delete_if_wrong=False):
            descriptor_path = folder / DESCRIPTOR
        else:
            _refuse_to_replace(folder, [descriptor_file], version)
            descriptor_path = obtain(descriptor_file, staging)
        where = f"the descriptor of version {version}"
        files = release_files(parse_descriptor(descriptor_path.read_bytes(), where), where)
        needed = [f for f in files if not _in_place(folder, f, delete_if_wrong=in_cache)]
        _refuse_to_replace(folder, needed, version)
        if progress is not None:
            progress.start(sum(f.bytes for f in needed))
        for file in needed:
            obtain(file, staging)
        moved = [*needed, *([descriptor_file] if descriptor_path.parent == staging else [])]
        _move(staging, folder, [file.name for file in moved])
    if in_cache:
        pin(entry)
    names = (DESCRIPTOR, *(file.name for file in files))
    fetched = tuple(file.name for file in moved)
    return FetchResult(version, folder, names, fetched, from_package=bundled is not None)


def _refuse_to_replace(folder: Path, files: list[ReleaseFile], version: str) -> None:
    """Refuse, before anything is fetched, to replace a file in ``folder`` that is not the
    release's: a user's file of the same name in ``--dest``, or a cached descriptor that
    differs from the one the index vouches for (a version never changes; the copy is kept)."""
    taken = [f for f in files if (folder / f.name).exists() or (folder / f.name).is_symlink()]
    if not taken:
        return
    if any(f.name == DESCRIPTOR for f in taken) and folder.parent == settings.cache_dir():
        found = ReleaseFile.of(folder / DESCRIPTOR).sha256
        raise ChecksumError(
            f"the cached release {version} in {folder} has descriptor {found}, but the index "
            f"vouches for {taken[0].sha256}: a released version never changes, so your copy is "
            f"kept. If it is damaged, delete {folder} to download the version again."
        )
    names = ", ".join(f.name for f in taken)
    raise NkdataError(
        f"{folder} already holds {names}, which differ from release {version}'s; refusing to "
        "replace them, nothing was written. Move them away or choose another --dest."
    )


Obtain = Callable[[ReleaseFile, Path], Path]


def _move(staging: Path, folder: Path, names: list[str]) -> None:
    """Move checked files into ``folder``, readable by all like the files of a build."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            (staging / name).chmod(0o644)  # pooch's temporary files are private
            (staging / name).replace(folder / name)
    except OSError as exc:
        raise NkdataError(f"cannot write to {folder}: {exc.strerror or exc}.") from None


def _in_place(folder: Path, file: ReleaseFile, *, delete_if_wrong: bool) -> bool:
    """True if ``folder`` already holds ``file`` with the right bytes."""
    path = folder / file.name
    if not path.is_file():
        return False
    matches = ReleaseFile.of(path) == file
    if not matches and delete_if_wrong:
        path.unlink()
    return matches


def _copier(source: Path) -> Obtain:
    """Copy files of a bundled release, checking each hash."""

    def obtain(file: ReleaseFile, staging: Path) -> Path:
        target = staging / file.name
        try:
            shutil.copyfile(source / file.name, target)
        except OSError as exc:
            raise NkdataError(f"cannot copy {file.name}: {exc.strerror or exc}.") from None
        actual = ReleaseFile.of(target).sha256
        if actual != file.sha256:
            raise ChecksumError(
                f"{file.name} in {source} does not match its checksum: expected {file.sha256}, "
                f"got {actual}. The installed package is damaged: reinstall it "
                "(pip install --force-reinstall nkdata)."
            )
        return target

    return obtain


def _downloader(version: str, progress: Progress | None) -> Obtain:
    """Download files of ``version`` from the release host."""

    def obtain(file: ReleaseFile, staging: Path) -> Path:
        report = progress if file.name != DESCRIPTOR else None
        return _retrieve(f"{version}/{file.name}", staging, file, report)

    return obtain


@contextmanager
def _staging(parent: Path) -> Iterator[Path]:
    """A hidden temporary folder in ``parent``, removed at the end with anything left in it.

    It is named ``.nkdata-download-<pid>-*``, so that a later download removes the folders of
    downloads whose process is gone (killed by SIGKILL, or a power cut).

    Folders created to hold it are removed too if the block fails, so that a failed download
    writes nothing.
    """
    created = [p for p in (parent, *parent.parents) if not p.exists()]
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(parent, "download")  # those of downloads that were killed
        staging = Path(tempfile.mkdtemp(prefix=temp_prefix("download"), dir=parent))
    except OSError as exc:
        raise NkdataError(f"cannot write to {parent}: {exc.strerror or exc}.") from None
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:  # innermost first
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    shutil.rmtree(staging, ignore_errors=True)


def _retrieve(path: str, folder: Path, file: ReleaseFile | None, progress: Progress | None) -> Path:
    """Download ``<base URL>/<path>`` into ``folder`` with pooch, checked against ``file``."""
    url = f"{settings.base_url()}/{path}"
    if settings.offline():
        raise OfflineError(
            f"{url} is needed but offline mode ({settings.OFFLINE_ENV}) is on; unset it to "
            "download."
        )
    import pooch

    name = path.rsplit("/", 1)[-1]
    guard = _Guard(url, name, file, progress)
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)  # pooch logs every download at INFO level to stderr
    try:
        with _translated_errors(guard):
            pooch.retrieve(
                url,
                known_hash=file.sha256 if file else None,
                fname=name,
                path=folder,
                downloader=guard,
            )
    finally:
        logger.setLevel(level)
    return folder / name


@dataclass
class _Guard:
    """A pooch downloader that refuses what the release host should never send.

    It wraps :class:`pooch.HTTPDownloader`: a response hook refuses redirects to another host
    and announced sizes above the limit; a sink caps, counts and hashes the bytes written.
    """

    url: str
    name: str
    file: ReleaseFile | None
    progress: Progress | None
    actual: str | None = field(default=None, init=False)
    response: requests.Response | None = field(default=None, init=False)
    expired: bool = field(default=False, init=False)

    @property
    def limit(self) -> int:
        return self.file.bytes if self.file else settings.MAX_INDEX_BYTES

    @property
    def deadline(self) -> float:
        """Seconds the whole file may take (:data:`nkdata.settings.DEADLINE`)."""
        return settings.DEADLINE + self.limit / settings.MIN_RATE

    def _expire(self) -> None:
        """At the deadline: shut the connection, which ends a read that is waiting on it."""
        self.expired = True
        connection = getattr(self.response.raw, "connection", None) if self.response else None
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __call__(self, url: str, output_file: str, pooch: Any) -> None:
        import pooch as pooch_module
        import requests

        downloader = pooch_module.HTTPDownloader(
            chunk_size=_CHUNK, timeout=settings.TIMEOUT, hooks={"response": [self._check]}
        )
        timer = threading.Timer(self.deadline, self._expire)
        timer.daemon = True
        timer.start()
        with open(output_file, "wb") as handle:  # noqa: PTH123 - pooch gives a str path
            sink = _Sink(handle, self)
            try:
                downloader(url, sink, pooch)
            except requests.exceptions.ChunkedEncodingError:
                if not self.expired:
                    self._truncated(sink.size)
            except requests.RequestException:
                if not self.expired:
                    raise
            finally:
                timer.cancel()
        if self.expired:
            raise DownloadError(
                f"{self.name}: the release host sent {sink.size:,} bytes in "
                f"{self.deadline:.0f} s, too slowly ({self.url}); stopped, nothing was kept. "
                "Try again later."
            )
        self.actual = f"sha256:{sink.digest.hexdigest()}"
        if self.file is not None and sink.size < self.file.bytes:
            self._truncated(sink.size)

    def _check(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        """Refuse a redirect off the release host, or a body announced as too large."""
        self.response = response
        if response.is_redirect:
            target = urljoin(response.url, response.headers["location"])
            if _origin(target) != _origin(self.url):
                raise DownloadError(
                    f"{self.url} redirects to another host ({escaped(target)}); refused, "
                    "nothing was "
                    f"kept. Set {settings.BASE_URL_ENV} to a URL that serves the files itself."
                )
            return
        length = response.headers.get("content-length", "")
        if response.ok and length.isdigit() and int(length) > self.limit:
            self.oversized()

    def oversized(self) -> None:
        raise DownloadError(
            f"{self.name}: the release host sent more than the {self.limit:,} bytes expected "
            f"({self.url}); refused, nothing was kept."
        )

    def _truncated(self, size: int) -> None:
        expected = f" of {self.file.bytes:,}" if self.file else ""
        raise DownloadError(
            f"{self.name}: the download stopped after {size:,}{expected} bytes ({self.url}); "
            "nothing was kept. Try again."
        )


class _Sink:
    """The file object pooch writes into: refuses bytes past the limit, counts and hashes."""

    def __init__(self, handle: BinaryIO, guard: _Guard) -> None:
        self.handle = handle
        self.guard = guard
        self.size = 0
        self.digest = hashlib.sha256()

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        if self.size > self.guard.limit:
            self.guard.oversized()
        self.digest.update(chunk)
        if self.guard.progress is not None:
            self.guard.progress.advance(len(chunk))
        return self.handle.write(chunk)

    def flush(self) -> None:
        """pooch flushes after every chunk; the file is flushed once, when it is closed."""


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


@contextmanager
def _translated_errors(guard: _Guard) -> Iterator[None]:
    """Turn requests' and pooch's exceptions into one clear :class:`NkdataError` each."""
    import requests

    try:
        yield
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        if status == 404:
            raise DownloadError(
                f"{guard.url} does not exist on the release host (HTTP 404). Check "
                f"{settings.BASE_URL_ENV} ({settings.base_url()}); `nkdata versions` lists the "
                "versions there."
            ) from None
        raise DownloadError(
            f"the release host answered HTTP {status} for {guard.url}; try again later."
        ) from None
    except requests.RequestException as exc:
        raise DownloadError(
            f"cannot reach the release host for {guard.url} ({type(exc).__name__}). Check the "
            f"network, or set {settings.OFFLINE_ENV}=1 to use bundled and cached data only."
        ) from None
    except ValueError:
        if guard.actual is None or guard.file is None:
            raise
        raise ChecksumError(
            f"{guard.name} from {guard.url} does not match its checksum: expected "
            f"{guard.file.sha256}, got {guard.actual}. Nothing was kept; try again later, and "
            "report it if it persists: the release host serves a damaged file."
        ) from None
    except OSError as exc:
        raise NkdataError(
            f"cannot write {guard.name}: {exc.strerror or exc} ({exc.filename or ''})."
        ) from None
