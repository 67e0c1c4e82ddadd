"""The read stage: find the corpus files, read them safely, and report the layout's problems.

Layout::

    dataset.yaml  sources.yaml  quantities.yaml  [README.md]
    articles/<article-id>/article.yaml
    articles/<article-id>/text.txt

Every other file is a stray; every symbolic link is refused (it could point out of the corpus).
Nothing is followed, nothing is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from nkdata.problems import Problem, Rule
from nkdata.textfile import MAX_TEXT_BYTES, MAX_YAML_BYTES, check_text, decode
from nkdata.yamlfile import YamlDocument, parse_yaml

REGISTRIES = ("dataset.yaml", "sources.yaml", "quantities.yaml")
ARTICLE_FILES = ("article.yaml", "text.txt")
ALLOWED_AT_ROOT = {*REGISTRIES, "articles", "README.md"}


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


@dataclass(slots=True)
class ReadCorpus:
    """Everything the read stage found, with its problems."""

    root: Path
    registries: dict[str, ReadFile]
    article_folders: list[str]
    problems: list[Problem] = field(default_factory=list)


def read_bytes(path: Path, file: str, limit: int) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a regular file within ``limit``; a problem for a link, a folder or a giant."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None, [
            Problem(Rule.FILE_MISSING, f"{path.name} is missing", file, hint=_MISSING_HINT)
        ]
    except OSError as exc:
        return None, [Problem(Rule.FILE_UNREADABLE, f"cannot read: {exc.strerror}", file)]
    if path.is_symlink():
        return None, [
            Problem(
                Rule.FILE_SYMLINK,
                "a symbolic link, not a file",
                file,
                hint="Replace the link with the file itself.",
            )
        ]
    if not path.is_file():
        return None, [Problem(Rule.FILE_UNREADABLE, "not a regular file", file)]
    if info.st_size > limit:
        return None, [
            Problem(
                Rule.FILE_TOO_LARGE,
                f"{info.st_size:,} bytes; the limit is {limit:,}",
                file,
                hint="Corpus files are small; check that this is the right file.",
            )
        ]
    try:
        return path.read_bytes(), []
    except OSError as exc:
        return None, [Problem(Rule.FILE_UNREADABLE, f"cannot read: {exc.strerror}", file)]


_MISSING_HINT = "Create it; `nkdata new article <id>` scaffolds an article folder."
_LINK_HINT = "Replace the link with the folder itself."


def read_yaml(path: Path, file: str) -> tuple[ReadFile, list[Problem]]:
    """Read and parse one YAML file."""
    data, problems = read_bytes(path, file, MAX_YAML_BYTES)
    if data is None:
        return ReadFile(file, None), problems
    text, problems = decode(data, file)
    if text is None:
        return ReadFile(file, None), problems
    parsed = parse_yaml(text, file)
    if isinstance(parsed, Problem):
        return ReadFile(file, None), [parsed]
    return ReadFile(file, parsed), list(parsed.problems)


def read_text(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    """Read an article text and check its rules; the text is kept unless it cannot be decoded."""
    data, problems = read_bytes(path, file, MAX_TEXT_BYTES)
    if data is None:
        return None, problems
    text, problems = decode(data, file)
    if text is None:
        return None, problems
    return text, check_text(text, file)


def read_article(root: Path, folder: str) -> tuple[ReadArticle, list[Problem]]:
    """Read one article folder: its YAML, its text, and any stray entries beside them."""
    base = f"articles/{folder}"
    if (root / base).is_symlink():  # only when asked for this folder: a corpus scan skips links
        return ReadArticle(folder, ReadFile(f"{base}/article.yaml", None), "", None), [
            Problem(Rule.FILE_SYMLINK, "a symbolic link, not a folder", base, hint=_LINK_HINT)
        ]
    problems = _strays(root / "articles" / folder, base, set(ARTICLE_FILES))
    yaml_file, yaml_problems = read_yaml(root / base / "article.yaml", f"{base}/article.yaml")
    text, text_problems = read_text(root / base / "text.txt", f"{base}/text.txt")
    article = ReadArticle(folder, yaml_file, f"{base}/text.txt", text)
    return article, problems + yaml_problems + text_problems


def read_layout(root: Path) -> ReadCorpus:
    """Read the shared registries and list the article folders (their files are read apart)."""
    corpus = ReadCorpus(root, {}, [])
    corpus.problems.extend(_strays(root, "", ALLOWED_AT_ROOT))
    for name in REGISTRIES:
        corpus.registries[name], problems = read_yaml(root / name, name)
        corpus.problems.extend(problems)
    articles = root / "articles"
    if articles.is_symlink():
        return corpus  # _strays reported it
    if not articles.is_dir():
        corpus.problems.append(
            Problem(
                Rule.FILE_MISSING,
                "the articles/ folder is missing",
                "articles",
                hint="Create corpus/articles/ with one folder per article.",
            )
        )
        return corpus
    for entry in sorted(os.scandir(articles), key=lambda e: e.name):
        file = f"articles/{entry.name}"
        if entry.is_symlink():
            corpus.problems.append(
                Problem(
                    Rule.FILE_SYMLINK,
                    "a symbolic link, not a folder",
                    file,
                    hint="Replace the link with the folder itself.",
                )
            )
        elif not entry.is_dir():
            corpus.problems.append(
                Problem(
                    Rule.FILE_STRAY,
                    "a file among the article folders",
                    file,
                    hint="Move it into an article folder or remove it.",
                )
            )
        else:
            corpus.article_folders.append(entry.name)
    return corpus


def _strays(folder: Path, base: str, allowed: set[str]) -> list[Problem]:
    problems = []
    try:
        names = sorted(entry.name for entry in folder.iterdir())
    except OSError:
        return []
    for name in names:
        file = f"{base}/{name}" if base else name
        if (folder / name).is_symlink():
            problems.append(
                Problem(
                    Rule.FILE_SYMLINK,
                    "a symbolic link, not a file",
                    file,
                    hint="Replace the link with the file itself.",
                )
            )
        elif name not in allowed:
            problems.append(
                Problem(
                    Rule.FILE_STRAY,
                    f"'{name}' is not part of the corpus format",
                    file,
                    hint=f"Expected only: {', '.join(sorted(allowed))}. Remove or move it.",
                )
            )
    return problems
