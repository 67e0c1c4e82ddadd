"""Typed access to a release: ``nkdata.load()`` and its five tables.

A table reads its Parquet file on first use, from bytes whose SHA-256 matched the descriptor:
the bytes checked are the bytes parsed, so a damaged or altered file is never returned. pyarrow
is imported on first use, pydantic only to build typed rows, pandas and polars only to convert.

>>> import nkdata
>>> data = nkdata.load()
>>> claim = next(iter(data.claims))
>>> type(claim).__name__, len(data.claims) > 0
('Claim', True)
>>> data.sources["gideon-rachman"].name
'Gideon Rachman'
>>> "no-such-source" in data.sources
False
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from nkdata import settings
from nkdata.errors import NkdataError, OfflineError, ReleaseError
from nkdata.extras import require
from nkdata.schema.releasefolder import (
    DESCRIPTOR,
    MAX_JSON_BYTES,
    IndexEntry,
    ReleaseFile,
    check_version,
    is_version,
    open_regular,
    parse_descriptor,
    read_parquet,
    read_regular,
    release_files,
)
from nkdata.store import (
    Origin,
    bundled_folder,
    bundled_index,
    cache_folder,
    missing_files,
    read_verified,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import pandas
    import polars
    import pyarrow

    from nkdata.models import Article, Claim, Figure, PagePart, Quantity, Row, Source

R = TypeVar("R", bound="Row")
_BATCH_ROWS = 4096
"""Rows turned into Python objects at a time while iterating, to bound memory."""


class Frame:
    """What every tabular result offers: Arrow, pandas and polars forms, and a notebook view."""

    name: str

    def to_arrow(self) -> pyarrow.Table:
        raise NotImplementedError

    def to_pandas(self) -> pandas.DataFrame:
        """As a pandas DataFrame (needs the ``pandas`` extra); dates stay dates (an Arrow
        ``date32`` dtype, with ``.dt``), not ``object`` columns of Python dates."""
        require("to_pandas()", "pandas", "pandas")
        import pandas
        import pyarrow as pa

        date = pandas.ArrowDtype(pa.date32())
        return self.to_arrow().to_pandas(types_mapper={pa.date32(): date}.get)

    def to_polars(self) -> polars.DataFrame:
        """As a polars DataFrame (needs the ``polars`` extra)."""
        require("to_polars()", "polars", "polars")
        import polars

        return cast("polars.DataFrame", polars.from_arrow(self.to_arrow()))

    def _repr_html_(self) -> str:
        """The first rows as an HTML table, for notebooks; every cell escaped."""
        from nkdata.htmltable import html_table

        return html_table(self.name, self.to_arrow(), rows=10)


@dataclass(eq=False)
class Joined(Frame):
    """A ready-joined view of a release (:mod:`nkdata.joins`): one row per figure or claim."""

    name: str
    table: pyarrow.Table = field(repr=False)

    def to_arrow(self) -> pyarrow.Table:
        """The view as a ``pyarrow.Table``."""
        return self.table

    def __len__(self) -> int:
        return int(self.table.num_rows)


@dataclass(eq=False)
class Table(Frame, Generic[R]):
    """One table of a release: conversions, ``len()``, typed rows and lookup by id.

    Examples
    --------
    >>> import nkdata
    >>> figures = nkdata.load().figures
    >>> figures.to_arrow().num_rows == len(figures)
    True
    >>> figure = next(iter(figures))
    >>> figures[figure.id] == figure
    True
    """

    name: str
    """The table's name: ``articles``, ``sources``, ``claims``, ``figures`` or ``quantities``."""
    path: Path
    """The Parquet file."""
    file: ReleaseFile = field(repr=False)
    origin: Origin = field(repr=False)
    version: str = field(repr=False)
    dataset: Dataset | None = field(default=None, repr=False)
    """The release the table belongs to, for :meth:`joined`."""

    @property
    def model(self) -> type[R]:
        """The pydantic model of a row (imports pydantic on first use)."""
        from nkdata.models import TABLES

        return cast("type[R]", next(model for model in TABLES if model.table == self.name))

    @cached_property
    def _arrow(self) -> pyarrow.Table:
        return self._read(None)

    def _read(self, columns: Sequence[str] | None) -> pyarrow.Table:
        """The file's table (or these columns of it), from bytes that matched their hash."""
        import pyarrow as pa

        data = read_verified(self.path, self.file.sha256, self.origin, self.version, _read)
        where = f"{self.path.name} of release {self.version} ({self.path.parent})"
        return read_parquet(pa.BufferReader(data), data.size, where, columns)

    def to_arrow(self, columns: Sequence[str] | None = None) -> pyarrow.Table:
        """The table as a ``pyarrow.Table``, exactly as the release stores it; with
        ``columns``, only those, read afresh without keeping the whole table in memory (the
        file is checked whole all the same)."""
        if columns is None:
            return self._arrow
        if "_arrow" not in self.__dict__ or set(columns) - set(self._arrow.column_names):
            return self._read(columns)  # reading says which column is missing
        return self._arrow.select(list(columns))

    def joined(self) -> Joined:
        """This table joined with everything a reader asks about a row: for ``figures`` and
        ``claims``, the claim, its source, relay, article and publisher, under uniquely named
        columns (see :mod:`nkdata.joins`); to Arrow, pandas or polars like a table.

        >>> import nkdata
        >>> view = nkdata.load().claims.joined()
        >>> len(view) == len(nkdata.load().claims)
        True
        """
        from nkdata.joins import VIEWS, joined

        view = VIEWS.get(self.name)
        if view is None or self.dataset is None:
            raise NkdataError(
                f"the {self.name} table has no joined view; {' and '.join(VIEWS)} have one."
            )
        tables = {model.table: self.dataset.table(model.table).to_arrow() for model in _tables()}
        return Joined(f"{self.name} (joined)", joined(view, tables))

    def __len__(self) -> int:
        return int(self._arrow.num_rows)

    def __iter__(self) -> Iterator[R]:
        """Every row as a validated, immutable model instance, in primary-key order."""
        for batch in self._arrow.to_batches(max_chunksize=_BATCH_ROWS):
            for row in batch.to_pylist():
                yield self._typed(row)

    def _typed(self, row: dict[str, Any]) -> R:
        """``row`` as its model; a row the model refuses is a :class:`ReleaseError`."""
        from pydantic import ValidationError

        from nkdata.schema.characters import escaped

        try:
            return self._row_model.model_validate(row)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(map(str, first["loc"]))
            raise ReleaseError(
                f"row {escaped(str(row.get('id')))[:120]} of the {self.name} table of release "
                f"{self.version} breaks the {self.name} model ({field}: "
                f"{escaped(first['msg'])}): the release is damaged or forged; check it with "
                f"`nkdata verify {self.path.parent}`."
            ) from None

    def __getitem__(self, key: str) -> R:
        """The row whose id is ``key``; :class:`KeyError` if there is none."""
        row = self.get(key)
        if row is None:
            raise KeyError(key)
        return row

    def get(self, key: str) -> R | None:
        """The row whose id is ``key``, or None; no index of all rows is built."""
        position = self._position(key)
        if position < 0:
            return None
        return self._typed(self._arrow.slice(position, 1).to_pylist()[0])

    def __contains__(self, key: object) -> bool:
        return self._position(key) >= 0

    def _position(self, key: object) -> int:
        """Where ``key`` is in the id column: a binary search when the ids are sorted, as
        nkdata writes them, else a vectorised scan; -1 when it is not there."""
        if not isinstance(key, str):
            return -1
        ids = self._ids
        if self._sorted:
            position = bisect.bisect_left(range(len(ids)), key, key=lambda i: ids[i].as_py())
            return position if position < len(ids) and ids[position].as_py() == key else -1
        import pyarrow.compute as pc

        return int(pc.index(ids, key).as_py())

    @cached_property
    def _ids(self) -> pyarrow.ChunkedArray:
        return self._arrow.column(self.model.primary_key)

    @cached_property
    def _sorted(self) -> bool:
        """True when the ids strictly increase (checked once, vectorised)."""
        import pyarrow.compute as pc

        ids = self._ids
        if ids.null_count or len(ids) < 2:
            return not ids.null_count
        return bool(pc.all(pc.greater(ids.slice(1), ids.slice(0, len(ids) - 1))).as_py())

    @cached_property
    def _row_model(self) -> type[R]:
        """The model, once the file's columns are known to be the model's, in its order."""
        from nkdata.schema.arrow import schema_difference

        model = self.model
        if schema_difference(self._arrow.schema, model):
            raise ReleaseError(
                f"the {self.name} table of release {self.version} has other columns than this "
                f"version of nkdata knows, so its rows cannot be typed; use to_arrow() or "
                f"install the nkdata version that made the release."
            )
        return model


def _read(path: Path) -> pyarrow.Buffer:
    """The bytes of the regular file ``path`` (never a FIFO or a link, see
    :func:`~nkdata.schema.releasefolder.open_regular`) in a buffer that Arrow owns: a table
    parsed from a Python ``bytes`` object can abort the interpreter at exit
    (apache/arrow#34314; seen with pyarrow 26)."""
    import pyarrow as pa

    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        buffer = pa.allocate_buffer(size)
        if handle.readinto(memoryview(buffer)) != size:
            raise OSError(0, "the file changed while it was read", str(path))
    return buffer


def _tables() -> tuple[type[Row], ...]:
    from nkdata.models import TABLES

    return TABLES


@dataclass(frozen=True, eq=False)
class Dataset:
    """One version of nkdata: five linked tables and the descriptor that lists them.

    ``descriptor`` is the release's Data Package (title, licences, sources, contributors,
    schemas); ``origin`` says whether the files came with the package, from the download
    cache or from a folder given to :func:`load`.
    """

    version: str
    path: Path
    descriptor: dict[str, Any] = field(repr=False)
    origin: Origin = Origin.FOLDER

    @cached_property
    def articles(self) -> Table[Article]:
        """Articles with their verbatim texts."""
        return self._table("articles")

    @cached_property
    def sources(self) -> Table[Source]:
        """People, organisations, outlets, government bodies and anonymous sources."""
        return self._table("sources")

    @cached_property
    def claims(self) -> Table[Claim]:
        """Claims, each attributed to one source, with exact quotes and offsets."""
        return self._table("claims")

    @cached_property
    def figures(self) -> Table[Figure]:
        """Numbers stated in claims, normalised to quantities."""
        return self._table("figures")

    @cached_property
    def quantities(self) -> Table[Quantity]:
        """The vocabulary of quantities that makes figures comparable."""
        return self._table("quantities")

    @cached_property
    def page_parts(self) -> Table[PagePart]:
        """The parts of each article's text that are not its body (headline, menus, comments)."""
        return self._table("page_parts")

    def table_names(self) -> list[str]:
        """The tables this release holds, as its descriptor lists them (an older release may
        lack a table that this version of nkdata knows)."""
        files = release_files(self.descriptor, f"{self.path / DESCRIPTOR}")
        return [f.name.removesuffix(".parquet") for f in files if f.name.endswith(".parquet")]

    def table(self, name: str) -> Table[Any]:
        """The table called ``name``, as its attribute gives it: ``data.table("claims")``."""
        names = [model.table for model in _tables()]
        if name not in names:
            raise NkdataError(f"no table {name!r}; the tables are {', '.join(names)}.")
        table: Table[Any] = getattr(self, name)
        return table

    def _table(self, name: str) -> Table[Any]:
        where = f"{self.path / DESCRIPTOR}"
        files = {file.name: file for file in release_files(self.descriptor, where)}
        file = files.get(f"{name}.parquet")
        if file is None:
            raise ReleaseError(f"{where} lists no {name}.parquet.")
        return Table(name, self.path / file.name, file, self.origin, self.version, self)


def load(version: str | None = None, *, path: str | os.PathLike[str] | None = None) -> Dataset:
    """Load a release: the one installed with nkdata, another version, or a release folder.

    Parameters
    ----------
    version
        ``"MAJOR.MINOR.PATCH"``. None loads the release bundled with the installed package,
        without the network. Another version is downloaded once into the cache (see
        :mod:`nkdata.settings`) and loaded from there afterwards, offline too. Pin it in
        analysis code so that results do not move when nkdata is upgraded.
    path
        A release folder (or its ``datapackage.json``), such as one written by
        ``nkdata download --dest``. Its files are checked against its own descriptor; with
        ``version`` too, the folder must hold that version.

    Raises
    ------
    NkdataError
        With a message that says what to do: unknown version, offline without the data, the
        release host unreachable or failing, a file that does not match its checksum.

    Examples
    --------
    >>> import nkdata
    >>> latest = nkdata.load()                    # the release installed with nkdata
    >>> pinned = nkdata.load(latest.version)      # a version, such as nkdata.load("0.1.0")
    >>> folder = nkdata.load(path=latest.path)    # a folder from `nkdata download --dest`
    >>> pinned.version == folder.version == latest.version
    True
    >>> len(latest.figures.to_pandas()) == len(latest.figures)
    True
    """
    if path is not None:
        return _load_folder(Path(path), version)
    if version is None:
        version = bundled_index().latest
        if version is None:
            raise NkdataError(
                "no release is bundled with this installation of nkdata; pass a version, "
                "e.g. nkdata.load('0.1.0')."
            )
    check_version(version)
    bundled = bundled_folder(version)
    if bundled is not None:
        return _open(bundled, Origin.BUNDLED, bundled_index().versions[version])
    return _load_cached(version)


def _load_cached(version: str) -> Dataset:
    from nkdata.download import fetch_release, index_entry

    entry = index_entry(version)
    folder = cache_folder(version)
    missing = missing_files(folder)
    if missing:
        if settings.offline():
            raise OfflineError(
                f"version {version} is not completely in the cache {folder} "
                f"(missing {', '.join(missing)}) and offline mode ({settings.OFFLINE_ENV}) is "
                "on; unset it to download the version."
            )
        fetch_release(version)
    return _open(folder, Origin.CACHE, entry)


def _open(folder: Path, origin: Origin, entry: IndexEntry) -> Dataset:
    """A dataset whose descriptor matches the hash that an index vouches for."""
    path = folder / DESCRIPTOR
    data = read_verified(path, entry.datapackage, origin, entry.version, _read_json)
    return Dataset(entry.version, folder, parse_descriptor(data, str(path)), origin)


def load_pinned(folder: Path, entry: IndexEntry) -> Dataset:
    """The release in ``folder`` (a version folder of a releases folder, left alone on a
    mismatch), its descriptor checked against the hash ``entry`` of that folder's index pins:
    an altered release is refused even when its descriptor was rewritten to match."""
    return _open(folder, Origin.FOLDER, entry)


def _read_json(path: Path) -> bytes:
    return read_regular(path, MAX_JSON_BYTES)


def _load_folder(path: Path, version: str | None) -> Dataset:
    """A dataset from a folder the user names; its own descriptor is the reference."""
    folder = path.parent if path.name == DESCRIPTOR else path
    descriptor_path = folder / DESCRIPTOR
    if not descriptor_path.exists():
        raise NkdataError(f"{folder} is not a release folder: it has no {DESCRIPTOR}.")
    try:
        data = _read_json(descriptor_path)
    except OSError as exc:
        raise ReleaseError(f"cannot read {descriptor_path}: {exc.strerror or exc}.") from None
    descriptor = parse_descriptor(data, str(descriptor_path))
    found = descriptor.get("version")
    if not isinstance(found, str) or not is_version(found):
        raise ReleaseError(f"{descriptor_path} has no version of the form MAJOR.MINOR.PATCH.")
    if version is not None and found != version:
        raise NkdataError(f"{folder} holds release {found}, not {version}.")
    release_files(descriptor, str(descriptor_path))  # refuses unsafe paths now, not on use
    return Dataset(found, folder, descriptor, Origin.FOLDER)
