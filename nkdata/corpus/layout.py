"""The read stage: find the corpus files, read them safely, and report the layout's problems.

Layout::

    dataset.yaml  sources.yaml  quantities.yaml  [errata.yaml]  [README.md]
    articles/<article-id>/article.yaml
    articles/<article-id>/text.txt

Every other file is a stray; every symbolic link is refused (it could point out of the corpus).
Nothing is followed, nothing is written.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nkdata.corpus.problems import Problem, Rule
from nkdata.corpus.text import MAX_TEXT_BYTES, MAX_YAML_BYTES, check_text, decode
from nkdata.corpus.yamlreader import YamlDocument, parse_yaml

REGISTRIES = ("dataset.yaml", "sources.yaml", "quantities.yaml")
ARTICLE_FILES = ("article.yaml", "text.txt")
ERRATA = "errata.yaml"
"""Optional: mistakes in published releases, checked by :mod:`nkdata.release.errata`."""
ALLOWED_AT_ROOT = {*REGISTRIES, ERRATA, "articles", "README.md"}
_ARTICLE_FILES = set(ARTICLE_FILES)


@dataclass(slots=True)
class ReadFile:
    """One YAML file as read: its parsed document, or None when it could not be parsed."""

    file: str
    doc: YamlDocument | None


@dataclass(slots=True)
class ReadArticle:
    """One article folder as read."""

    folder: str
    yaml: ReadFile
    text_file: str
    text: str | None


def digest(parts: Sequence[bytes]) -> str:
    """SHA-256 of ``parts``, their lengths first: no two lists of as many parts share it."""
    hasher = hashlib.sha256(b"".join(len(part).to_bytes(8, "little") for part in parts))
    for part in parts:
        hasher.update(part)
    return hasher.hexdigest()


@dataclass(slots=True)
class ArticleBytes:
    """The two files of an article folder as bytes (None where unreadable), before decoding."""

    folder: str
    yaml: bytes | None
    text: bytes | None
    problems: list[Problem]

    def content_key(self) -> str | None:
        """SHA-256 of the folder name and both files; None unless both files were read.

        Everything an article's own checks look at, so equal keys mean equal check results.
        """
        if self.yaml is None or self.text is None:
            return None
        return digest((self.folder.encode("utf-8"), self.yaml, self.text))


@dataclass(slots=True)
class ReadCorpus:
    """Everything the read stage found, with its problems: the shared registries as bytes (None
    where unreadable; :meth:`parse_registries` parses them) and the article folders."""

    root: Path
    registry_bytes: dict[str, bytes | None]
    article_folders: list[str]
    problems: list[Problem] = field(default_factory=list)
    listing: bytes | None = None
    """The metadata of articles/ (:data:`LISTING`), taken before listing it, when every entry
    in it was a plain folder."""

    def registries_key(self) -> str | None:
        """SHA-256 of the three registries; None unless all three were read."""
        parts = [self.registry_bytes.get(name) for name in REGISTRIES]
        return None if None in parts else digest(parts)  # type: ignore[arg-type]

    def parse_registries(self) -> tuple[dict[str, ReadFile], list[Problem]]:
        """The registries parsed, and the problems of decoding and parsing them."""
        parsed, problems = {}, []
        for name in REGISTRIES:
            data = self.registry_bytes.get(name)
            parsed[name], found = (
                (ReadFile(name, None), []) if data is None else parse_yaml_bytes(data, name)
            )
            problems += found
        return parsed, problems


def read_bytes(path: str | Path, file: str, limit: int) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a regular file within ``limit``; a problem for a link, a folder or a giant."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        name = Path(path).name
        hint = _MISSING_HINTS.get(name, _REGISTRY_HINT).format(folder=Path(path).parent.name)
        return None, [
            Problem(code=Rule.FILE_MISSING, message=f"{name} is missing", file=file, hint=hint)
        ]
    except OSError as exc:
        return None, [
            Problem(code=Rule.FILE_UNREADABLE, message=f"cannot read: {exc.strerror}", file=file)
        ]
    if stat.S_ISLNK(info.st_mode):
        return None, [
            Problem(
                code=Rule.FILE_SYMLINK,
                message="a symbolic link, not a file",
                file=file,
                hint="Replace the link with the file itself.",
            )
        ]
    if not stat.S_ISREG(info.st_mode):
        return None, [Problem(code=Rule.FILE_UNREADABLE, message="not a regular file", file=file)]
    if info.st_size > limit:
        return None, [
            Problem(
                code=Rule.FILE_TOO_LARGE,
                message=f"{info.st_size:,} bytes; the limit is {limit:,}",
                file=file,
                hint="Corpus files are small; check that this is the right file.",
            )
        ]
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 - the hot path: no pathlib objects
            return handle.read(), []
    except OSError as exc:
        return None, [
            Problem(code=Rule.FILE_UNREADABLE, message=f"cannot read: {exc.strerror}", file=file)
        ]


_MISSING_HINTS = {
    "article.yaml": "Create it with `nkdata new article {folder}`, a template of every field.",
    "text.txt": "Save the article's text here, verbatim, as UTF-8 (see CONTRIBUTING.md).",
}
_REGISTRY_HINT = "Every corpus has it beside articles/; copy it from nkdata's corpus/."
_LINK_HINT = "Replace the link with the folder itself."


def parse_yaml_bytes(data: bytes, file: str) -> tuple[ReadFile, list[Problem]]:
    """Decode and parse the bytes of one YAML file."""
    text, problems = decode(data, file)
    if text is None:
        return ReadFile(file, None), problems
    parsed = parse_yaml(text, file)
    if isinstance(parsed, Problem):
        return ReadFile(file, None), [parsed]
    return ReadFile(file, parsed), list(parsed.problems)


def decode_text(data: bytes | None, file: str) -> tuple[str | None, list[Problem]]:
    """Decode an article text and check its rules; the text is kept unless it cannot be decoded."""
    if data is None:
        return None, []
    text, problems = decode(data, file)
    if text is None:
        return None, problems
    return text, check_text(text, file)


LISTING = struct.Struct("<QQqq")
"""The metadata of articles/, packed: device, inode, modification and change time."""
SIGNATURE = struct.Struct("<QQqqQQQqqQQQqq")
"""The signature of an article folder: what the file system says of it and its two files,
without reading them, packed. Device, inode, modification and change time of the folder, then
device, inode, size, modification and change time of article.yaml and of text.txt.

A file's change time (ctime) moves with every write, rename or change of attributes and cannot
be set back; the folder's moves when an entry is added, removed or renamed in it. So a signature
equal to one taken when all three had settled (:func:`settled`: well before the run that took
it) means the same two files with the same bytes and nothing beside them; git and mypy trust
file metadata alike."""
_TIMES = {LISTING.size: (2, 3), SIGNATURE.size: (2, 3, 7, 8, 12, 13)}


def settled(packed: bytes | None, settled_ns: int | None) -> bytes | None:
    """A packed :data:`SIGNATURE` or :data:`LISTING` whose times are all before ``settled_ns``,
    so that it may be recorded; None if any is later (or ``settled_ns`` is None: record none)."""
    if packed is None or settled_ns is None:
        return None
    fields = (SIGNATURE if len(packed) == SIGNATURE.size else LISTING).unpack(packed)
    return packed if max(fields[at] for at in _TIMES[len(packed)]) < settled_ns else None


def open_articles(root: Path) -> int | None:
    """A descriptor of the articles/ folder (never a link) for :func:`article_signature`; the
    caller closes it."""
    try:
        return os.open(root / "articles", _FOLDER_FLAGS)
    except OSError:
        return None


def article_signature(articles: int, folder: str) -> bytes | None:
    """The :data:`SIGNATURE` of an article folder (``articles``: a descriptor of articles/) that
    is a folder holding two regular files; None otherwise, and the folder is then read and
    checked.

    Three ``stat`` calls, the least that sees an edit of either file and a file added beside
    them: the folder's own times do not move when a file in it is rewritten in place. Called for
    every folder of the corpus on every run, so kept lean.
    """
    try:
        found = os.stat(folder, dir_fd=articles, follow_symlinks=False)
        yaml = os.stat(folder + "/article.yaml", dir_fd=articles, follow_symlinks=False)
        text = os.stat(folder + "/text.txt", dir_fd=articles, follow_symlinks=False)
        if _ISREG(yaml.st_mode) and _ISREG(text.st_mode) and _ISDIR(found.st_mode):
            return _pack(
                found.st_dev, found.st_ino, found.st_mtime_ns, found.st_ctime_ns,
                yaml.st_dev, yaml.st_ino, yaml.st_size, yaml.st_mtime_ns, yaml.st_ctime_ns,
                text.st_dev, text.st_ino, text.st_size, text.st_mtime_ns, text.st_ctime_ns,
            )  # fmt: skip
    except (OSError, ValueError, struct.error):  # struct: a number beyond 64 bits
        pass
    return None


_ISREG, _ISDIR, _pack = stat.S_ISREG, stat.S_ISDIR, SIGNATURE.pack


def settled_signature(root: Path, folder: str, settled_ns: int) -> bytes | None:
    """The :data:`SIGNATURE` of one article folder if its files last changed before
    ``settled_ns``; None if they changed later, or it has none."""
    articles = open_articles(root)
    if articles is None:
        return None
    try:
        signature = article_signature(articles, folder)
    finally:
        os.close(articles)
    return settled(signature, settled_ns)


def read_article_bytes(root: Path, folder: str) -> ArticleBytes:
    """The bytes of an article folder's two files, with any stray entries beside them."""
    base = f"articles/{folder}"
    path = os.path.join(root, base)  # noqa: PTH118 - the hot path: no pathlib objects
    plain = _plain_article(path)
    if plain is not None:
        return ArticleBytes(folder, *plain, [])
    if Path(path).is_symlink():  # only when asked for this folder: a corpus scan skips links
        link = Problem(
            code=Rule.FILE_SYMLINK,
            message="a symbolic link, not a folder",
            file=base,
            hint=_LINK_HINT,
        )
        return ArticleBytes(folder, None, None, [link])
    problems = _strays(path, base, _ARTICLE_FILES)
    yaml, yaml_problems = read_bytes(f"{path}/article.yaml", f"{base}/article.yaml", MAX_YAML_BYTES)
    text, text_problems = read_bytes(f"{path}/text.txt", f"{base}/text.txt", MAX_TEXT_BYTES)
    return ArticleBytes(folder, yaml, text, problems + yaml_problems + text_problems)


def _plain_article(path: str) -> tuple[bytes, bytes] | None:
    """The two files of an article folder that holds nothing else, both plain files within their
    limits; None for anything else, which :func:`read_article_bytes` then reads carefully.

    Reading every article is most of re-validating an unchanged corpus: this is the lean way.
    """
    opened = _open_plain(path)
    if opened is None:
        return None
    folder = opened[0]
    try:
        return _plain_file("article.yaml", folder, MAX_YAML_BYTES), _plain_file(
            "text.txt", folder, MAX_TEXT_BYTES
        )
    except (OSError, _NotPlain):
        return None
    finally:
        os.close(folder)


def _open_plain(path: str) -> tuple[int, dict[str, os.DirEntry[str]]] | None:
    """A descriptor of an article folder that holds its two files and nothing else, both regular
    files, with its entries (the caller closes it); None for any other folder, or a link."""
    try:
        handle = os.open(path, _FOLDER_FLAGS)  # a link is refused here, never followed
    except OSError:
        return None
    try:
        with os.scandir(handle) as listing:
            entries = {entry.name: entry for entry in listing}
        if entries.keys() == _ARTICLE_FILES and all(
            entry.is_file(follow_symlinks=False) for entry in entries.values()
        ):
            return handle, entries
    except OSError:
        pass
    os.close(handle)
    return None


class _NotPlain(Exception):
    """A file that changed, or is not a plain file within its limit."""


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
_FOLDER_FLAGS = _OPEN_FLAGS | getattr(os, "O_DIRECTORY", 0)


def _plain_file(name: str, folder: int, limit: int) -> bytes:
    handle = os.open(name, _OPEN_FLAGS, dir_fd=folder)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise _NotPlain
        data = os.read(handle, info.st_size + 1)
    finally:
        os.close(handle)
    if len(data) != info.st_size:
        raise _NotPlain
    return data


def read_article(raw: ArticleBytes) -> tuple[ReadArticle, list[Problem]]:
    """Decode and parse an article folder's files read by :func:`read_article_bytes`."""
    base = f"articles/{raw.folder}"
    yaml_file, yaml_problems = ReadFile(f"{base}/article.yaml", None), list[Problem]()
    if raw.yaml is not None:
        yaml_file, yaml_problems = parse_yaml_bytes(raw.yaml, f"{base}/article.yaml")
    text, text_problems = decode_text(raw.text, f"{base}/text.txt")
    article = ReadArticle(raw.folder, yaml_file, f"{base}/text.txt", text)
    return article, raw.problems + yaml_problems + text_problems


def read_layout(root: Path, known: tuple[bytes | None, list[str]] | None = None) -> ReadCorpus:
    """Read the shared registries' bytes and list the article folders (read apart).

    ``known``: the metadata of articles/ and its folders, as recorded by an earlier run. While
    articles/ has that metadata, no entry was added, removed or renamed in it (its change time
    moves with each), so its folders are those, and listing 100,000 of them again is skipped.
    """
    corpus = ReadCorpus(root, {}, [])
    corpus.problems.extend(_strays(root, "", ALLOWED_AT_ROOT))
    for name in REGISTRIES:
        corpus.registry_bytes[name], problems = read_bytes(root / name, name, MAX_YAML_BYTES)
        corpus.problems.extend(problems)
    articles = root / "articles"
    try:
        info = articles.lstat()
    except OSError:
        info = None
    if info is not None and stat.S_ISLNK(info.st_mode):
        return corpus  # _strays reported it
    if info is None or not stat.S_ISDIR(info.st_mode):
        corpus.problems.append(
            Problem(
                code=Rule.FILE_MISSING,
                message="the articles/ folder is missing",
                file="articles",
                hint="Create corpus/articles/ with one folder per article.",
            )
        )
        return corpus
    listing: bytes | None = LISTING.pack(
        info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns
    )
    if known is not None and known[0] == listing:
        corpus.article_folders, corpus.listing = list(known[1]), listing
        return corpus
    for entry in sorted(os.scandir(articles), key=lambda e: e.name):
        file = f"articles/{entry.name}"
        if entry.is_symlink():
            corpus.problems.append(
                Problem(
                    code=Rule.FILE_SYMLINK,
                    message="a symbolic link, not a folder",
                    file=file,
                    hint="Replace the link with the folder itself.",
                )
            )
            listing = None
        elif not entry.is_dir():
            corpus.problems.append(
                Problem(
                    code=Rule.FILE_STRAY,
                    message="a file among the article folders",
                    file=file,
                    hint="Move it into an article folder or remove it.",
                )
            )
            listing = None
        else:
            corpus.article_folders.append(entry.name)
    corpus.listing = listing
    return corpus


def _strays(folder: str | Path, base: str, allowed: set[str]) -> list[Problem]:
    problems = []
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return []
    for entry in entries:
        name = entry.name
        file = f"{base}/{name}" if base else name
        if entry.is_symlink():
            problems.append(
                Problem(
                    code=Rule.FILE_SYMLINK,
                    message="a symbolic link, not a file",
                    file=file,
                    hint="Replace the link with the file itself.",
                )
            )
        elif name not in allowed:
            problems.append(
                Problem(
                    code=Rule.FILE_STRAY,
                    message=f"'{name}' is not part of the corpus format",
                    file=file,
                    hint=f"Expected only: {', '.join(sorted(allowed))}. Remove or move it.",
                )
            )
    return problems
