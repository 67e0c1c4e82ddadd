"""Where nkdata looks for data: every default and every environment override, in one place.

- ``NKDATA_CACHE_DIR``: folder for downloaded releases, one per version
  (default: the platform's user cache folder, from platformdirs);
- ``NKDATA_BASE_URL``: URL under which ``index.json`` and ``<version>/<file>`` are served
  (default: :data:`DEFAULT_BASE_URL`);
- ``NKDATA_OFFLINE``: ``1``/``true`` never uses the network (default: off).
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_BASE_URL = "https://github.com/nkdata-project/nkdata/raw/main/releases"
"""Release host: ``<base>/index.json`` lists versions, ``<base>/<version>/<file>`` serves files.
A version's files never change once released, so a URL always names the same bytes."""

CACHE_ENV = "NKDATA_CACHE_DIR"
BASE_URL_ENV = "NKDATA_BASE_URL"
OFFLINE_ENV = "NKDATA_OFFLINE"
INDEX = "index.json"
"""Name of the list of released versions, beside the version folders."""


def cache_dir() -> Path:
    """The download cache: ``$NKDATA_CACHE_DIR`` or the platform's user cache folder."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("nkdata", appauthor=False))


def base_url() -> str:
    """The release host, without a trailing slash."""
    return os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL).rstrip("/")


def offline() -> bool:
    """True when ``$NKDATA_OFFLINE`` is set to a true value."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}
