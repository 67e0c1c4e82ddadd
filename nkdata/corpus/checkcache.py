"""Remember which articles passed their own checks, so that validating again skips them.

An entry is an article folder that passed its own checks: its content key (SHA-256 of its folder
name, article.yaml and text.txt, see :meth:`nkdata.corpus.layout.ArticleBytes.content_key`), the
source and quantity ids it names, and, once its files had settled, their metadata (see
:data:`nkdata.corpus.layout.SIGNATURE`). Only articles whose own checks all pass are recorded,
also in a run that fails because of other files. Their references are checked against the
current registries on every run, so an edited ``sources.yaml`` or ``quantities.yaml`` is never
hidden by the cache; an article whose reference is missing is checked in full again, so that the
problem is reported with its line. The registries themselves are recorded the same way: when
their bytes are those of registries that passed every check, ``nkdata validate`` takes their ids
from the cache without parsing them. An article folder whose metadata is what was recorded is
not even read: change times cannot be set back, and metadata is recorded only for files that had
settled.

Every cache is tied to a code key: the hash of nkdata's own source files and the versions of
Python, PyYAML, libyaml, pydantic and pydantic-core. A new version of any of them, or any edit of
the package, starts with an empty cache: results are never trusted across code or schema
versions.

The cache is one file per corpus folder under ``<cache>/checks/``, where ``<cache>`` is
``$NKDATA_CACHE_DIR`` or the user's cache folder (see :mod:`nkdata.settings`); never inside the
corpus or the repository. It holds columns, one row per folder in folder order, so that a cache
of 100,000 articles loads in milliseconds: a JSON header, then the folder names, the metadata,
the content keys, and the references as indices into one list of ids (read only when an id has
left the registries). The file is mapped, not read, so that a run reads only the columns it
uses. A run that changed a few rows, each naming the ids it named, appends them to the file as a
patch (new metadata and keys, a few hundred bytes) instead of rewriting 31 MB at P100k; loading
applies the patches in order. Any other change replaces the file (atomically), so that it holds
the current articles only, as does the change after :data:`MAX_PATCHES` patches. A cache that
cannot be read is ignored, a damaged patch with whatever follows it; one that cannot be written
is skipped: it only saves time.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import mmap
import os
import struct
import sys
import tempfile
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import accumulate
from pathlib import Path
from typing import BinaryIO

from nkdata.corpus.layout import SIGNATURE
from nkdata.settings import cache_dir

FORMAT = 6
BASE_ID_SIZE = 16
"""Bytes of the random id that ties a patch to the columns it patches."""
SETTLE_SECONDS = 2.0
"""File metadata is trusted only for files last changed this long before the run that records
it: a later change then always moves their change time (file times are coarse-grained)."""
PACKAGE = Path(__file__).resolve().parent.parent
"""The nkdata package folder, whose every source file is part of the code key."""
MAGIC = b"nkdata check cache\n"
KEY_SIZE = 32
"""Bytes of a content key (a SHA-256 digest)."""
NO_SIGNATURE = bytes(SIGNATURE.size)
"""The metadata column of a folder recorded without metadata (its files had not settled)."""
PATCH = b"nkdata check patch\n"
PATCH_HEAD = struct.Struct(f"<{len(PATCH)}s{BASE_ID_SIZE}sQ")
"""The start of a patch: :data:`PATCH`, the id of the columns it patches, its number of rows;
its rows follow (:data:`PATCH_ROW`), then the SHA-256 of all that."""
PATCH_ROW = struct.Struct(f"<Q{SIGNATURE.size}s{KEY_SIZE}s")
"""A row of a patch: its number, its new metadata and its new key."""
MAX_PATCHES = 64
"""Patches a cache file takes before the next change rewrites it whole."""
MAX_PATCH_ROWS = 1024
"""Rows a patch may change (150 kB); a run that changed more rewrites the file."""
_INDEX = "I"
"""Array type of the reference columns: unsigned, at least 32 bits."""
_ITEM = array(_INDEX).itemsize

References = tuple[Sequence[str], Sequence[str]]
"""The source ids and the quantity ids an article names."""
Change = tuple[int, bytes | None, str | None, References | None]
"""A recorded row as a run found it: its new metadata (None: its files had not settled), its
new key (None: it did not pass) and the ids it names (None: as recorded)."""
Column = bytes | memoryview
"""A column of a cache file: a slice of its mapped bytes, not copied."""


def pack(sources: Iterable[str], quantities: Iterable[str]) -> str:
    """``"a b|q"`` for sources a, b and quantity q; ids are slugs (no space, no bar).

    >>> unpack(pack(["a", "b"], ["q"]))
    (['a', 'b'], ['q'])
    """
    return " ".join(sources) + "|" + " ".join(quantities)


def unpack(packed: str) -> tuple[list[str], list[str]]:
    """The source ids and the quantity ids packed by :func:`pack`."""
    sources, _, quantities = packed.partition("|")
    return sources.split(), quantities.split()


@cache
def code_key(package: Path = PACKAGE) -> str:
    """Hash of everything a check result depends on besides the corpus files: the source files
    of ``package`` and the versions of Python and of the libraries that read and check.

    >>> len(code_key())
    64
    """
    import yaml

    digest = hashlib.sha256()
    versions = [
        f"cache format {FORMAT}",
        sys.version,
        f"PyYAML {yaml.__version__} libyaml {_libyaml_version()}",
        *(installed(module) for module in ("pydantic", "pydantic_core")),
    ]
    digest.update("\n".join(versions).encode("utf-8"))
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode("utf-8"))
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def installed(module: str) -> str:
    """The installed distribution of ``module``, as its ``<name>-<version>.dist-info`` folder,
    found beside the package without importing it (importing pydantic takes 70 ms); the
    module's own version where there is no such folder.

    >>> installed("pydantic").startswith("pydantic-")
    True
    """
    spec = importlib.util.find_spec(module)
    if spec is not None and spec.origin is not None:
        prefix = f"{module.lower()}-"
        with os.scandir(Path(spec.origin).parent.parent) as entries:
            for entry in entries:
                name = entry.name.lower()
                if name.startswith(prefix) and name.endswith(".dist-info"):
                    return name
    imported = importlib.import_module(module)
    return f"{module} {getattr(imported, 'VERSION', getattr(imported, '__version__', '?'))}"


def _libyaml_version() -> str:
    try:
        from yaml._yaml import get_version_string
    except ImportError:  # pragma: no cover - every PyYAML wheel ships libyaml
        return "none"
    return str(get_version_string())


def cache_file(root: Path) -> Path:
    """The cache file of the corpus at ``root``: one per corpus folder."""
    name = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:32]
    return cache_dir() / "checks" / f"{name}.bin"


@dataclass
class Recorded:
    """What a cache file holds: the article folders as listed, in columns, and the registries
    that passed every check. Row ``i`` of every column is folder ``folders[i]``."""

    folders: list[str] = field(default_factory=list)
    """The article folders, sorted."""
    listing: bytes | None = None
    """The metadata of articles/ (:data:`nkdata.corpus.layout.LISTING`) when ``folders`` were
    its entries, all of them plain folders, and it had settled: while it is the same, so are
    they."""
    signatures: Column = b""
    """Each folder's metadata (:data:`nkdata.corpus.layout.SIGNATURE`), or :data:`NO_SIGNATURE`."""
    keys: Column = b""
    """Each folder's content key, :data:`KEY_SIZE` bytes; zeros for a folder that did not pass."""
    ids: list[str] = field(default_factory=list)
    """Every id the entries name: ``s <id>`` for a source, ``q <id>`` for a quantity."""
    counts: Column = b""
    """How many ids each folder names (array type :data:`_INDEX`)."""
    indices: Column = b""
    """The ids the folders name, folder after folder, as indices into ``ids`` (array type
    :data:`_INDEX`): counts, not offsets, so that rows are copied as they are."""
    registries: tuple[str, str] | None = None
    """Key of registries that passed every check (see ``ReadCorpus.registries_key``) and the
    ids they define, packed by :func:`pack`."""
    base: bytes | None = None
    """The id of the cache file's columns when it takes a patch (:meth:`patch`); None when
    nothing was loaded, its end is damaged, or it holds :data:`MAX_PATCHES` patches."""

    def __len__(self) -> int:
        return len(self.folders)

    def patch(self, changes: Sequence[Change]) -> bytes | None:
        """``changes`` as a patch to append to the cache file (:func:`append`), instead of
        rewriting its columns (31 MB at P100k) for a few rows: empty when every row is as
        recorded; None when the file must be rewritten: it takes no patch, more than
        :data:`MAX_PATCH_ROWS` rows changed, or a row names other ids than it did (ids are not
        patched)."""
        if self.base is None:
            return None
        named, size, rows = self.named(change[0] for change in changes), SIGNATURE.size, bytearray()
        for row, signature, key, references in changes:
            if references is not None and named[row] != _ids_of(references):
                return None
            metadata = signature or NO_SIGNATURE
            recorded = self.signatures[row * size : (row + 1) * size]
            if (metadata, key) != (recorded, key_at(self.keys, row)):
                rows += PATCH_ROW.pack(row, metadata, bytes.fromhex(key) if key else NO_KEY)
        count = len(rows) // PATCH_ROW.size
        if count > MAX_PATCH_ROWS:
            return None
        if not count:
            return b""
        body = PATCH_HEAD.pack(PATCH, self.base, count) + rows
        return body + hashlib.sha256(body).digest()

    def named(self, rows: Iterable[int]) -> dict[int, list[str]]:
        """The ids each of ``rows`` names, as recorded. One pass over the counts up to the last
        row, summed in slices: the offsets of every row would take longer."""
        counts, found, start, after = _ints(self.counts), {}, 0, 0
        for row in sorted(rows):
            start += sum(counts[after:row])
            stop = start + counts[row]
            indices = _ints(self.indices[start * _ITEM : stop * _ITEM])
            found[row] = [self.ids[i] if i < len(self.ids) else "" for i in indices]
            start, after = stop, row + 1
        return found

    def untrusted(
        self, sources: frozenset[str] | None, quantities: frozenset[str] | None
    ) -> set[int]:
        """Rows naming an id that is not in the registries (None: not checked). Each id is
        looked up once, however many articles name it; rows are looked at only when one is
        missing (an id removed from a registry, or an article recorded with an unknown id)."""
        known = {f"s {id}" for id in sources or ()} | {f"q {id}" for id in quantities or ()}
        unchecked = tuple(
            kind for kind, ids in (("s ", sources), ("q ", quantities)) if ids is None
        )
        names = {name for name in set(self.ids) - known if not name.startswith(unchecked)}
        if not names:
            return set()
        missing = {index for index, name in enumerate(self.ids) if name in names}
        offsets, indices = self.offsets, _ints(self.indices)
        if max(indices) >= len(self.ids):  # a damaged file: trust none of it
            return set(range(len(self.folders)))
        return {
            row
            for row in range(len(self.folders))
            if not missing.isdisjoint(indices[offsets[row] : offsets[row + 1]])
        }

    @cached_property
    def rows(self) -> dict[str, int]:
        """Folder name → row."""
        return {folder: row for row, folder in enumerate(self.folders)}

    @cached_property
    def offsets(self) -> array[int]:
        """Where each folder's ids start in ``indices``, and where the last ones end."""
        return array("Q", accumulate(_ints(self.counts), initial=0))


NO_KEY = bytes(KEY_SIZE)


def key_at(keys: Column, row: int | None) -> str | None:
    """The content key under which folder ``row`` passed, from a keys column; None if it did not
    pass or was not recorded (``row`` None)."""
    key = keys[row * KEY_SIZE : (row + 1) * KEY_SIZE] if row is not None else NO_KEY
    return key.hex() if key != NO_KEY else None


class Builder:
    """The columns of a new :class:`Recorded`, row after row in folder order: runs of rows kept
    from an earlier one, and new rows. Kept rows are taken as slices of the earlier columns and
    joined once, so that rewriting a cache of 100,000 folders takes milliseconds."""

    def __init__(self, old: Recorded) -> None:
        self.old = old
        self.new = Recorded(ids=list(old.ids))
        self._pieces: tuple[list[Column], ...] = ([], [], [], [])
        """Signatures, keys, counts, indices."""
        self._ids: dict[str, int] | None = None
        self._run: tuple[int, int] | None = None

    def keep_rows(self, start: int, stop: int) -> None:
        """Add rows ``start`` to ``stop`` (excluded) of the earlier cache as they are."""
        if start >= stop:
            return
        if self._run is not None and self._run[1] == start:
            self._run = (self._run[0], stop)
            return
        self._flush()
        self._run = (start, stop)

    def update(self, row: int, signature: bytes | None) -> None:
        """Add row ``row`` of the earlier cache with new metadata (same bytes, new file times)."""
        self._flush()
        self._run = (row, row + 1)
        self._flush()  # the row alone, so that its metadata is the last piece
        self._pieces[0][-1] = signature or NO_SIGNATURE

    def add(
        self,
        folder: str,
        signature: bytes | None = None,
        key: str | None = None,
        references: References = ((), ()),
    ) -> None:
        """Add a row: its metadata when its files had settled, its key and what it names; only
        its name for a folder that did not pass."""
        self._flush()
        self.new.folders.append(folder)
        if self._ids is None:
            self._ids = {name: index for index, name in enumerate(self.new.ids)}
        named = array(_INDEX)
        for name in _ids_of(references):
            index = self._ids.setdefault(name, len(self.new.ids))
            if index == len(self.new.ids):
                self.new.ids.append(name)
            named.append(index)
        row = (
            signature or NO_SIGNATURE,
            bytes.fromhex(key) if key is not None else NO_KEY,
            array(_INDEX, [len(named)]).tobytes(),
            named.tobytes(),
        )
        for pieces, piece in zip(self._pieces, row, strict=True):
            pieces.append(piece)

    def build(self, listing: bytes | None, registries: tuple[str, str] | None) -> Recorded:
        self._flush()
        new = self.new
        new.signatures, new.keys, new.counts, new.indices = map(b"".join, self._pieces)
        new.listing, new.registries = listing, registries
        return new

    def _flush(self) -> None:
        """Take the pending run of kept rows, one slice per column (copied only when joined)."""
        if self._run is None:
            return
        (start, stop), old = self._run, self.old
        self._run = None
        self.new.folders += old.folders[start:stop]
        first, last = old.offsets[start], old.offsets[stop]
        slices = (
            memoryview(old.signatures)[start * SIGNATURE.size : stop * SIGNATURE.size],
            memoryview(old.keys)[start * KEY_SIZE : stop * KEY_SIZE],
            memoryview(old.counts)[start * _ITEM : stop * _ITEM],
            memoryview(old.indices)[first * _ITEM : last * _ITEM],
        )
        for pieces, piece in zip(self._pieces, slices, strict=True):
            pieces.append(piece)


def _ids_of(references: References) -> list[str]:
    """The ids of ``references`` as the cache names them, in the order it records them."""
    sources, quantities = references
    return [*(f"s {s}" for s in sources), *(f"q {q}" for q in quantities)]


def load(root: Path) -> Recorded:
    """What was recorded for ``root`` by this code version; empty when there is nothing, or
    when the file is not what :func:`save` writes (truncated, any other shape, a header nested
    too deeply): a cache only saves time, so a damaged one is never an error."""
    try:
        with cache_file(root).open("rb") as file:
            data = _mapped(file)
        return _decode(data) or Recorded()
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError):
        return Recorded()


def _mapped(file: BinaryIO) -> Column:
    """The bytes of ``file``: mapped where the cache file is replaced by renaming (POSIX), so
    that 31 MB are not copied and the columns a run never touches are never read; read on
    Windows, where a mapped file could not be replaced. Privately: patches are applied to this
    copy only. The file is never truncated in place, so a mapping stays whole."""
    if os.name != "posix":
        return memoryview(bytearray(file.read()))
    return memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY))


def save(root: Path, recorded: Recorded) -> None:
    """Replace what is recorded for ``root`` (atomically; silently skipped if unwritable)."""
    target = cache_file(root)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".checks-", dir=target.parent)
        temp = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                out.writelines(_encode(root, recorded))
            temp.replace(target)
        finally:
            temp.unlink(missing_ok=True)
    except OSError:
        return


def append(root: Path, patch: bytes) -> None:
    """Append ``patch`` (:meth:`Recorded.patch`) to the cache file of ``root``; silently skipped
    if unwritable. Never creates the file: a patch means nothing without the columns it patches.
    A patch that lands on a file another run has just rewritten is skipped when loaded, and one
    cut short is ignored with any after it: each names its columns and ends with its hash."""
    if not patch:
        return
    try:
        handle = os.open(cache_file(root), os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
    except OSError:
        return
    try:
        rest = memoryview(patch)
        while rest:
            rest = rest[os.write(handle, rest) :]
    except OSError:
        return
    finally:
        os.close(handle)


def _encode(root: Path, recorded: Recorded) -> list[Column]:
    columns = [
        "\0".join(recorded.folders).encode("utf-8", "surrogateescape"),
        recorded.signatures,
        recorded.keys,
        "\0".join(recorded.ids).encode("utf-8", "surrogateescape"),
        recorded.counts,
        recorded.indices,
    ]
    header = {
        "format": FORMAT,
        "code": code_key(),
        "corpus": str(root.resolve()),
        "listing": recorded.listing.hex() if recorded.listing is not None else None,
        "registries": recorded.registries,
        "id": os.urandom(BASE_ID_SIZE).hex(),
        "rows": len(recorded.folders),
        "index": [_ITEM, sys.byteorder],
        "columns": [len(column) for column in columns],
    }
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return [MAGIC, len(encoded).to_bytes(8, "little"), encoded, *columns]


def _decode(data: Column) -> Recorded | None:
    """The columns of a cache file, or None when it is not one of this code version (any
    inconsistency raises ValueError, IndexError, KeyError, TypeError or RecursionError)."""
    if data[: len(MAGIC)] != MAGIC:
        return None
    at = len(MAGIC) + 8
    size = int.from_bytes(data[len(MAGIC) : at], "little")
    header = json.loads(bytes(data[at : at + size]))
    if not isinstance(header, dict) or (header.get("format"), header.get("code")) != (
        FORMAT,
        code_key(),
    ):
        return None
    if header["index"] != [_ITEM, sys.byteorder]:
        return None
    at += size
    columns, view = [], memoryview(data)  # slices of one buffer: 30 MB are not copied
    for length in header["columns"]:
        columns.append(view[at : at + length])
        at += length
    if at > len(data):
        raise ValueError("truncated")
    names, signatures, keys, ids, counts, indices = columns
    rows, listing = header["rows"], header["listing"]
    recorded = Recorded(
        str(names, "utf-8", "surrogateescape").split("\0") if rows else [],
        bytes.fromhex(listing) if listing is not None else None,
        signatures,
        keys,
        str(ids, "utf-8", "surrogateescape").split("\0") if ids else [],
        counts,
        indices,
        _registries(header["registries"]),
    )
    sizes = (len(recorded.folders), len(signatures), len(keys), len(counts), len(indices) % _ITEM)
    if sizes != (rows, rows * SIGNATURE.size, rows * KEY_SIZE, rows * _ITEM, 0):
        raise ValueError("columns of different lengths")
    if sum(_ints(counts)) * _ITEM != len(indices):
        raise ValueError("references out of range")
    base = bytes.fromhex(header["id"])
    if len(base) != BASE_ID_SIZE:
        raise ValueError("not an id")
    if _apply_patches(view[at:], base, signatures, keys):
        recorded.base = base
    return recorded


def _apply_patches(
    patches: memoryview, base: bytes, signatures: memoryview, keys: memoryview
) -> bool:
    """Apply the patches that follow the columns, in order, skipping those of other columns
    (appended by a run that had loaded the file this one replaced). Whether the file takes
    another: its end is whole and it holds fewer than :data:`MAX_PATCHES`."""
    at, count, size, digest = 0, 0, SIGNATURE.size, hashlib.sha256().digest_size
    while at < len(patches):
        if at + PATCH_HEAD.size > len(patches):
            return False  # cut short
        magic, patched, rows = PATCH_HEAD.unpack_from(patches, at)
        end = at + PATCH_HEAD.size + rows * PATCH_ROW.size
        whole = hashlib.sha256(patches[at:end]).digest() == patches[end : end + digest]
        if magic != PATCH or not whole:
            return False  # cut short, or damaged: what follows cannot be trusted either
        if patched == base:
            for row, signature, key in PATCH_ROW.iter_unpack(patches[at + PATCH_HEAD.size : end]):
                if (row + 1) * size > len(signatures):
                    raise ValueError("a patched row out of range")
                signatures[row * size : (row + 1) * size] = signature
                keys[row * KEY_SIZE : (row + 1) * KEY_SIZE] = key
        at, count = end + digest, count + 1
    return count < MAX_PATCHES


def _ints(column: Column) -> array[int]:
    """The numbers of a reference column (``array(_INDEX, view)`` would take each byte)."""
    numbers = array(_INDEX)
    numbers.frombytes(column)
    return numbers


def _registries(stored: object) -> tuple[str, str] | None:
    if isinstance(stored, list) and len(stored) == 2 and all(isinstance(s, str) for s in stored):
        return stored[0], stored[1]
    return None
