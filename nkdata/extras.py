"""The optional extras: what a feature needs beyond the core install, and how to get it.

The core install loads, downloads, validates and verifies releases; libraries that only some
users need are extras, so that ``pip install nkdata`` stays small (see the README):

- ``pandas``, ``polars``: ``Table.to_pandas()``, ``Table.to_polars()``;
- ``frictionless``: ``nkdata verify --frictionless``, the reference validator;
- ``site``: matplotlib and jinja2, for the data card's charts (``nkdata build``) and
  ``nkdata site`` (``nkdata figures`` needs neither).

>>> require("nothing needed", "site")
>>> require("a test", "site", "no-such-module-here")
Traceback (most recent call last):
nkdata.errors.NkdataError: a test needs no-such-module-here: pip install 'nkdata[site]'
"""

from __future__ import annotations

import importlib.util

from nkdata.errors import NkdataError


def require(purpose: str, extra: str, *modules: str) -> None:
    """Raise :class:`NkdataError` naming the extra to install if a module is not installed."""
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if missing:
        raise NkdataError(f"{purpose} needs {', '.join(missing)}: pip install 'nkdata[{extra}]'")
