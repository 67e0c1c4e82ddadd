"""nkdata: a curated, versioned, validated dataset of news reporting on North Korea's internet
access and information control, as linked tables of articles, sources, claims and figures.

>>> import nkdata
>>> isinstance(nkdata.__version__, str)
True
"""

from __future__ import annotations

from nkdata.__about__ import __version__

__all__ = ["__version__"]
