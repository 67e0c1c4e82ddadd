"""nkdata: a curated, versioned, validated dataset of news reporting on North Korea's internet
access and information control, as linked tables of articles, sources, claims and figures.

``import nkdata`` is cheap: the loaders, pyarrow and pydantic are imported on first use.

>>> import nkdata
>>> data = nkdata.load()                     # the release installed with the package
>>> isinstance(len(data.claims), int)
True
"""

from __future__ import annotations

from nkdata.__about__ import __version__
from nkdata.errors import (
    ChecksumError,
    DownloadError,
    NkdataError,
    OfflineError,
    ReleaseError,
    VersionNotFoundError,
)

TYPE_CHECKING = False  # not `from typing import`: typing alone would triple the import time
if TYPE_CHECKING:
    from typing import Any

    from nkdata.loading import Dataset, Table, load

__all__ = [
    "ChecksumError",
    "Dataset",
    "DownloadError",
    "NkdataError",
    "OfflineError",
    "ReleaseError",
    "Table",
    "VersionNotFoundError",
    "__version__",
    "load",
]

_LAZY = {"load", "Dataset", "Table"}


def __getattr__(name: str) -> Any:
    """Import the loaders on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module("nkdata.loading"), name)
    raise AttributeError(f"module 'nkdata' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY)
