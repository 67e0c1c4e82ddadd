"""Where nkdata looks for data: every default and every environment override, in one place.

- ``NKDATA_CACHE_DIR``: folder for downloaded releases, one sub-folder per version
  (default: the platform's user cache folder, from platformdirs);
- ``NKDATA_BASE_URL``: URL under which ``index.json`` and ``<version>/<file>`` are served
  (default: :data:`DEFAULT_BASE_URL`);
- ``NKDATA_OFFLINE``: any value but ``0``, ``false``, ``no``, ``off`` or empty keeps nkdata off
  the network; only bundled and cached releases are used (default: online).

This module is imported by ``nkdata.load`` and must stay cheap: no third-party import at the top.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from nkdata.errors import NkdataError

DEFAULT_BASE_URL = "https://raw.githubusercontent.com/nkdata-project/nkdata/main/releases"
"""Release host: ``<base>/index.json`` lists versions, ``<base>/<version>/<file>`` serves files.
A version's files never change once released, and each is checked against a hash that the
package already knows (or that the index vouches for), so a URL always yields the same bytes.
The host must serve files without redirecting to another host: such redirects are refused."""

CACHE_ENV = "NKDATA_CACHE_DIR"
BASE_URL_ENV = "NKDATA_BASE_URL"
OFFLINE_ENV = "NKDATA_OFFLINE"

TIMEOUT = 30.0
"""Seconds to wait for the release host to connect or to send the next bytes."""
DEADLINE = 120.0
"""Seconds a download of one file may take, plus one second per :data:`MIN_RATE` bytes: a
host that trickles a byte at a time can no longer hold a download forever."""
MIN_RATE = 64 * 1024
"""Bytes per second below which a download of a large file runs out of time."""
MAX_INDEX_BYTES = 1 << 20
"""Largest index.json accepted; release files are capped at the size their descriptor gives."""

_FALSE = {"", "0", "false", "no", "off"}


def cache_dir() -> Path:
    """The download cache: ``$NKDATA_CACHE_DIR`` or the platform's user cache folder."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("nkdata", appauthor=False))


def base_url() -> str:
    """The release host (``$NKDATA_BASE_URL`` or the default), without a trailing slash."""
    url = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise NkdataError(
            f"{BASE_URL_ENV} must be an http(s) URL such as {DEFAULT_BASE_URL}; it is {url!r}."
        )
    return url.rstrip("/")


def offline() -> bool:
    """True when ``$NKDATA_OFFLINE`` is set to anything but a false value."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in _FALSE
