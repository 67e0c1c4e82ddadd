"""Typed access to a release: ``nkdata.load()`` and its tables.

>>> import nkdata
>>> data = nkdata.load()
>>> claim = next(iter(data.claims))
>>> type(claim).__name__, len(data.claims) > 0
('Claim', True)
>>> data.sources["gideon-rachman"].name
'Gideon Rachman'
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from nkdata.datapackage import DESCRIPTOR
from nkdata.download import (
    NkdataError,
    bundled_folder,
    bundled_index,
    check_file,
    descriptor_files,
    fetch_release,
)
from nkdata.models import Article, Claim, Figure, Quantity, Row, Source

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow

R = TypeVar("R", bound=Row)


@dataclass
class Table(Generic[R]):
    """One table of a release: ``len()``, iteration as typed rows, lookup by id, conversions.

    The Parquet file is read on first use, after its checksum is verified.
    """

    model: type[R]
    path: Path
    expected_hash: str
    _index: dict[str, int] | None = field(default=None, init=False, repr=False)

    @cached_property
    def _arrow(self) -> pyarrow.Table:
        import pyarrow.parquet as pq

        from nkdata.arrowtables import arrow_schema

        check_file(self.path, self.expected_hash)
        return pq.read_table(self.path).cast(arrow_schema(self.model))

    def to_arrow(self) -> pyarrow.Table:
        """The table as a ``pyarrow.Table`` with the release's exact schema."""
        return self._arrow

    def to_pandas(self) -> pandas.DataFrame:
        """The table as a pandas DataFrame (needs the ``pandas`` extra)."""
        return self._arrow.to_pandas()

    def to_polars(self) -> polars.DataFrame:
        """The table as a polars DataFrame (needs the ``polars`` extra)."""
        try:
            import polars
        except ImportError:
            raise NkdataError("to_polars() needs polars: pip install 'nkdata[polars]'") from None
        result = polars.from_arrow(self._arrow)
        assert isinstance(result, polars.DataFrame)
        return result

    def __len__(self) -> int:
        return int(self._arrow.num_rows)

    def __iter__(self) -> Iterator[R]:
        for batch in self._arrow.to_batches():
            for row in batch.to_pylist():
                yield self.model.model_validate(row)

    def __contains__(self, key: object) -> bool:
        return key in self._ids()

    def __getitem__(self, key: str) -> R:
        """The row whose id is ``key``; KeyError if there is none."""
        position = self._ids()[key]
        return self.model.model_validate(self._arrow.slice(position, 1).to_pylist()[0])

    def get(self, key: str) -> R | None:
        """The row whose id is ``key``, or None."""
        return self[key] if key in self._ids() else None

    def _ids(self) -> dict[str, int]:
        if self._index is None:
            ids = self._arrow.column(self.model.primary_key).to_pylist()
            self._index = {key: position for position, key in enumerate(ids)}
        return self._index


@dataclass
class Dataset:
    """One version of nkdata: five linked tables and their descriptor."""

    version: str
    path: Path
    descriptor: dict[str, Any]

    def _table(self, model: type[R]) -> Table[R]:
        hashes = dict(descriptor_files(self.descriptor))
        name = f"{model.table}.parquet"
        return Table(model, self.path / name, hashes[name])

    @cached_property
    def articles(self) -> Table[Article]:
        """Articles with their verbatim texts."""
        return self._table(Article)

    @cached_property
    def sources(self) -> Table[Source]:
        """People, organisations, outlets, government bodies and anonymous sources."""
        return self._table(Source)

    @cached_property
    def claims(self) -> Table[Claim]:
        """Claims, each attributed to one source, with exact quotes and offsets."""
        return self._table(Claim)

    @cached_property
    def figures(self) -> Table[Figure]:
        """Numbers stated in claims, normalised to quantities."""
        return self._table(Figure)

    @cached_property
    def quantities(self) -> Table[Quantity]:
        """The vocabulary of quantities that makes figures comparable."""
        return self._table(Quantity)


def load(version: str | None = None) -> Dataset:
    """Load a release: the bundled one by default, or ``version`` (downloaded once, cached).

    Parameters
    ----------
    version
        ``"MAJOR.MINOR.PATCH"``; pin it in analysis code so results do not move when nkdata is
        upgraded. None loads the release bundled with the installed package.

    Examples
    --------
    >>> data = load("0.1.0")          # doctest: +SKIP
    >>> data.figures.to_pandas()      # doctest: +SKIP
    """
    if version is None:
        version = bundled_index().get("latest")
        if version is None:
            raise NkdataError(
                "no release is bundled with this installation; "
                "pass a version, e.g. nkdata.load('0.1.0')."
            )
    folder = bundled_folder(version) or fetch_release(version)
    descriptor = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    return Dataset(version, folder, descriptor)
