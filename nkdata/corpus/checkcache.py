"""Remember which articles passed their own checks, so that validating again skips them.

An entry maps an article's content key (SHA-256 of its folder name, article.yaml and text.txt, see
:meth:`nkdata.corpus.layout.ArticleBytes.content_key`) to the source and quantity ids the article
names. Only articles whose own checks all pass are recorded, also in a run that fails because of
other files. Their references are checked against the current registries on every run, so an edited
``sources.yaml`` or ``quantities.yaml`` is never hidden by the cache; an article whose reference is
missing is checked in full again, so that the problem is reported with its line. The registries
themselves are recorded the same way: when their bytes are those of registries that passed every
check, ``nkdata validate`` takes their ids from the cache without parsing them. An article folder
whose files' metadata (inode, size, modification and change times, see
:class:`nkdata.corpus.layout.Signature`) is what it was when an entry was recorded is not even read:
its change times cannot be set back, and metadata is recorded only for files that had settled.

Every cache is tied to a code key: the hash of nkdata's own source files and the versions of
Python, PyYAML, libyaml, pydantic and pydantic-core. A new version of any of them, or any edit of
the package, starts with an empty cache: results are never trusted across code or schema
versions.

The cache is one JSON file per corpus folder under ``<cache>/checks/``, where ``<cache>`` is
``$NKDATA_CACHE_DIR`` or the user's cache folder (see :mod:`nkdata.settings`); never inside the
corpus or the repository. A full run replaces the file (atomically), so that it holds the
current articles only; a run on one article adds to it. A cache that cannot be read is ignored;
one that cannot be written is skipped: it only saves time.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeGuard

from nkdata.settings import cache_dir

FORMAT = 4
SETTLE_SECONDS = 2.0
"""File metadata is trusted only for files last changed this long before the run that records
it: a later change then always moves their change time (file times are coarse-grained)."""
PACKAGE = Path(__file__).resolve().parent.parent
"""The nkdata package folder, whose every source file is part of the code key."""
References = str
"""The source ids and the quantity ids an article names, packed in one string (see
:func:`pack`): a cache of ten thousand entries then loads in milliseconds."""


def pack(sources: list[str], quantities: list[str]) -> References:
    """``"a b|q"`` for sources a, b and quantity q; ids are slugs (no space, no bar).

    >>> unpack(pack(["a", "b"], ["q"]))
    (['a', 'b'], ['q'])
    """
    return " ".join(sources) + "|" + " ".join(quantities)


def unpack(references: References) -> tuple[list[str], list[str]]:
    """The source ids and the quantity ids packed by :func:`pack`."""
    sources, _, quantities = references.partition("|")
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
    return cache_dir() / "checks" / f"{name}.json"


@dataclass(slots=True)
class Recorded:
    """What a cache file holds: article entries, and the registries that passed every check."""

    entries: dict[str, References] = field(default_factory=dict)
    """Content key of an article that passed its own checks → the ids it names."""
    registries: tuple[str, References] | None = None
    """Key of registries that passed every check (see ``ReadCorpus.registries_key``) and the
    ids they define."""
    signatures: dict[str, str] = field(default_factory=dict)
    """``"<folder>/<signature>"`` → content key: the file metadata under which an article's
    files had the bytes of an entry (see :class:`nkdata.corpus.layout.Signature`), so that they
    need not be read."""
    verified: str | None = None
    """Key of registries in which every entry's references were found: with those registries,
    every entry is trusted without looking at its references."""


def load(root: Path) -> Recorded:
    """What was recorded for ``root`` by this code version; empty when there is nothing, or
    when the file is not what :func:`save` writes (any other shape, JSON nested too deeply):
    a cache only saves time, so a damaged one is never an error."""
    try:
        stored = json.loads(cache_file(root).read_bytes())
    except (OSError, ValueError, RecursionError):
        return Recorded()
    if not isinstance(stored, dict) or (stored.get("format"), stored.get("code")) != (
        FORMAT,
        code_key(),
    ):
        return Recorded()
    entries, signatures = stored.get("entries"), stored.get("signatures")
    registries, verified = stored.get("registries"), stored.get("verified")
    if not (_texts(entries) and _texts(signatures)):
        return Recorded()
    if not (isinstance(registries, list) and len(registries) == 2 and _texts(dict([registries]))):
        registries = None
    return Recorded(
        dict(entries),
        (registries[0], registries[1]) if registries else None,
        dict(signatures),
        verified if isinstance(verified, str) else None,
    )


def _texts(mapping: object) -> TypeGuard[dict[str, str]]:
    """Whether ``mapping`` is a dict of text to text."""
    return isinstance(mapping, dict) and all(
        isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()
    )


def save(root: Path, recorded: Recorded) -> None:
    """Replace what is recorded for ``root`` (atomically; silently skipped if unwritable)."""
    target = cache_file(root)
    content = {
        "format": FORMAT,
        "code": code_key(),
        "corpus": str(root.resolve()),
        "registries": recorded.registries,
        "entries": recorded.entries,
        "signatures": recorded.signatures,
        "verified": recorded.verified,
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(content, separators=(",", ":")).encode("utf-8")
        handle, name = tempfile.mkstemp(prefix=".checks-", dir=target.parent)
        temp = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            temp.replace(target)
        finally:
            temp.unlink(missing_ok=True)
    except OSError:
        return
