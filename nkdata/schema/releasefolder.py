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
import io
import json
import os
import re
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from nkdata.errors import NkdataError, ReleaseError, VersionNotFoundError

if TYPE_CHECKING:
    import pyarrow
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
MAX_FILE_BYTES = 2 << 30
"""Largest release file nkdata reads (2 GiB; a table of a hundred thousand articles is a few
hundred MB): a descriptor that lists a larger one is refused before a byte is read."""
MAX_JSON_BYTES = 16 << 20
"""Largest descriptor or index read (16 MiB; a descriptor is under 100 KB)."""

_VERSION = re.compile(r"^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*)){2}$")
_FILE_NAME = re.compile(
    r"^(?:[a-z0-9]+(?:[-_][a-z0-9]+)*\.(?:csv|parquet)|chart-[a-z0-9]+(?:-[a-z0-9]+)*\.svg"
    rf"|{re.escape(CARD)})$"
)
"""A table file, a chart of a quantity (quantity ids are slugs), or the data card."""
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
        """The name, ``sha256:<hex>`` and size of the file at ``path``, read in blocks (see
        :func:`open_regular` for what is refused)."""
        with open_regular(path) as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            size = handle.tell()
        return cls(path.name, f"sha256:{digest}", size)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def open_regular(path: Path) -> io.BufferedReader:
    """``path`` opened for reading, if it is a regular file: a symbolic link, a FIFO (whose
    reader would wait forever), a device or a folder is refused with an :class:`OSError`, and
    so is a file over :data:`MAX_FILE_BYTES`. Nothing is read to find out."""
    handle = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file", str(path))
        if info.st_size > MAX_FILE_BYTES:
            raise OSError(0, f"{info.st_size:,} bytes, more than nkdata reads", str(path))
        os.set_blocking(handle, True)
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


def read_regular(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_regular`), at most ``limit``."""
    with open_regular(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(0, f"more than {limit:,} bytes", str(path))
    return data


def parse_json(data: bytes, where: str) -> Any:
    """JSON of ``data``; :class:`ReleaseError` naming ``where`` if it is not JSON, or nests so
    deep that the parser would overflow its stack (``[[[[...]]]]``)."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ReleaseError(f"{where} is not valid JSON ({reason}).") from None


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
            raw = parse_json(data, where)
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


def is_hash(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a ``sha256:<64 hex digits>`` hash."""
    return isinstance(value, str) and bool(_HASH.fullmatch(value))


def _hash(value: object) -> str:
    if not is_hash(value):
        raise ValueError(f"{value!r} is not a sha256:<64 hex digits> hash")
    return value


def _published(entry: dict[str, Any]) -> bool:
    published = entry.get("published", True)
    if not isinstance(published, bool):
        raise ValueError(f"published {published!r} is not true or false")
    return published


def _size(entry: dict[str, Any]) -> int:
    size = entry["bytes"]
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_FILE_BYTES:
        raise ValueError(f"{size!r} is not a size in bytes up to {MAX_FILE_BYTES:,}")
    return size


def parse_descriptor(data: bytes, where: str) -> dict[str, Any]:
    """A descriptor's JSON object; :class:`ReleaseError` if it is not one."""
    descriptor = parse_json(data, where)
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


def temp_prefix(kind: str) -> str:
    """The prefix of a writer's temporary files and folders beside release folders:
    ``.nkdata-<kind>-<pid>-``. The process id lets a later writer tell them stale."""
    return f".nkdata-{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_temps(folder: Path, kind: str) -> None:
    """Remove the temporaries of ``kind`` left in ``folder`` by writers that were killed (their
    process is gone); a running writer's are left alone, so two can run at once."""
    prefix = f".nkdata-{kind}-"
    for entry in folder.glob(f"{prefix}*"):
        pid = entry.name.removeprefix(prefix).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


DECODED_PER_BYTE = 64
"""A Parquet file may decode to at most this many bytes per byte of file (plus 64 MiB): real
tables decode to a few times their size, and a file of 1 MB that unpacks to gigabytes (every
row alike, run-length encoded) is refused before it fills the memory."""
_BATCH_ROWS = 65_536


def read_parquet(
    source: Any, size: int, where: str, columns: Sequence[str] | None = None
) -> pyarrow.Table:
    """The table of the Parquet file ``source`` (``size`` bytes), or these ``columns`` of it,
    read in batches, in one chunk.

    :class:`~nkdata.errors.ReleaseError` if it is not Parquet, lacks a column asked for,
    decodes to more than :data:`DECODED_PER_BYTE` times its size, or holds an invalid value
    (such as text that is not UTF-8).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    limit = DECODED_PER_BYTE * size + (64 << 20)
    try:
        with pq.ParquetFile(source) as parquet:  # pq.read_table would import pyarrow.dataset
            schema = parquet.schema_arrow
            missing = sorted(set(columns or ()) - set(schema.names))
            if missing:
                raise ReleaseError(
                    f"{where} has no column {', '.join(missing)}: it was made by another "
                    "version of nkdata; install that version to read it by column."
                )
            if columns is not None:
                schema = pa.schema([schema.field(name) for name in columns])
            batches, decoded = [], 0
            chosen = list(columns) if columns is not None else None
            for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=chosen):
                decoded += batch.nbytes
                if decoded > limit:
                    raise ReleaseError(
                        f"{where} decodes to more than {limit:,} bytes, far more than a table "
                        f"of {size:,} bytes holds; it is not a release table."
                    )
                batches.append(batch)
            table = pa.Table.from_batches(batches, schema=schema).combine_chunks()
    except pa.ArrowException as exc:
        raise ReleaseError(f"{where} is not a readable Parquet file ({exc}).") from None
    for name, column in zip(table.column_names, table.columns, strict=True):
        try:  # Parquet readers do not check that text is UTF-8; Python's str would fail later
            column.validate(full=True)
        except pa.ArrowException as exc:
            raise ReleaseError(f"{where}: column {name} is not valid ({exc}).") from None
    return table
