"""nkdata: a curated, versioned, validated dataset of news reporting on North Korea's internet
access and information control, as linked tables of articles, sources, claims and figures.

``import nkdata`` is cheap: the loaders, pyarrow and pydantic are imported on first use.

>>> import nkdata
>>> isinstance(nkdata.__version__, str)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nkdata.__about__ import __version__

if TYPE_CHECKING:
    from nkdata.loading import Dataset, Table, load

__all__ = ["Dataset", "Table", "__version__", "load"]


def __getattr__(name: str) -> Any:
    """Import the loaders on first use (PEP 562)."""
    if name in {"load", "Dataset", "Table"}:
        import importlib

        return getattr(importlib.import_module("nkdata.loading"), name)
    raise AttributeError(f"module 'nkdata' has no attribute {name!r}")
