"""Scaffolds for contributors: ``nkdata new article``, ``nkdata new source`` and
``nkdata new quantity``.

A scaffold is written from the models in :mod:`nkdata.schema.corpus_files` and :mod:`nkdata.models`:
every field appears, in model order, under a comment made of its description (and, for a
vocabulary, its values). Nothing about a field is written here by hand, so a scaffold cannot
drift from the format.

Placeholders are chosen so that ``nkdata validate`` on a fresh scaffold reports exactly what a
contributor must supply, each problem at the line of its field:

- a required field is written as ``""``: valid YAML, invalid for every required field;
- an optional field is written with its default (``null`` or ``[]``), which is valid;
- ``text.txt`` is not created: "text.txt is missing" until the article's text is saved there.

>>> print(field_lines(ClaimEntry, "statement", '""', indent=0))
# Fill in: A self-contained English paraphrase of the claim.
statement: ""
"""

from __future__ import annotations

import json
import os
import tempfile
import textwrap
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from nkdata.corpus.layout import read_bytes
from nkdata.corpus.text import MAX_YAML_BYTES
from nkdata.corpus.yamlreader import YamlDocument, parse_yaml
from nkdata.models import Quantity, Row, Source
from nkdata.schema.corpus_files import ArticleFile, ClaimEntry, FigureEntry
from nkdata.schema.fields import is_slug

SCHEMA_COMMENT = "# yaml-language-server: $schema={path}"
"""First line of a scaffold: editors with the YAML language server then complete and check it."""
ARTICLE_SCHEMA = "../../../schemas/corpus/article.schema.json"
"""The article JSON Schema, relative to ``corpus/articles/<id>/article.yaml``."""
FILL_IN = '""'
"""The placeholder of a required field."""
FIRST_IDS: dict[type[BaseModel], str] = {ClaimEntry: "c01", FigureEntry: "f1"}
"""Id of the first entry of a nested list, in the corpus's numbering."""
EXAMPLE_ONLY = {"figures", "non_body", "exclusions"}
"""Nested lists scaffolded as a commented example: not every claim states a number, not every
page has parts that are not body, not every body a number that is not a figure."""
WIDTH = 100


class ScaffoldError(Exception):
    """A scaffold that cannot be written; ``exit_code`` is 2 for a bad request, 1 for bad data."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def field_comment(
    model: type[BaseModel], name: str, indent: int, filled: bool = False
) -> list[str]:
    """The comment above a field: what to do with it, its description and its vocabulary."""
    info = model.model_fields[name]
    words = (info.description or "").strip()
    vocabulary = _vocabulary(info.annotation)
    if vocabulary and not all(value in words for value in vocabulary):
        words += " One of: " + ", ".join(vocabulary) + "."
    status = "Optional" if not info.is_required() else "Required" if filled else "Fill in"
    prefix = " " * indent + "# "
    return textwrap.wrap(
        f"{status}: {words}", WIDTH, initial_indent=prefix, subsequent_indent=prefix + "  "
    )


def field_lines(model: type[BaseModel], name: str, value: str, indent: int) -> str:
    """A field's comment and its ``key: value`` line."""
    key = " " * indent + f"{name}: {value}"
    return "\n".join([*field_comment(model, name, indent, filled=value != FILL_IN), key])


def placeholder(model: type[BaseModel], name: str) -> str:
    """The YAML a scaffold writes for a field that has no given value."""
    info = model.model_fields[name]
    if info.is_required():
        return FILL_IN
    default = info.get_default(call_default_factory=True)
    if default is None:
        return "null"
    if default == []:
        return "[]"
    if isinstance(default, bool):
        return "true" if default else "false"
    raise TypeError(f"no scaffold placeholder for {model.__name__}.{name} = {default!r}")


def model_lines(model: type[BaseModel], given: dict[str, str], indent: int) -> list[str]:
    """Every field of ``model`` as commented YAML; the first line is left for a list dash."""
    blocks = []
    for name, info in model.model_fields.items():
        item = _item_model(info.annotation)
        if name in given:
            blocks.append(field_lines(model, name, given[name], indent))
        elif item is not None:
            blocks.append(_nested(model, name, item, indent))
        else:
            blocks.append(field_lines(model, name, placeholder(model, name), indent))
    return "\n".join(blocks).split("\n")


def list_item(model: type[BaseModel], given: dict[str, str], indent: int) -> list[str]:
    """One entry of a YAML block list: the fields of ``model``, the first key after ``- ``."""
    lines = model_lines(model, given, indent + 2)
    first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
    lead = [" " * indent + line.lstrip() for line in lines[:first]]
    return [*lead, " " * indent + "- " + lines[first].lstrip(), *lines[first + 1 :]]


def _nested(model: type[BaseModel], name: str, item: type[BaseModel], indent: int) -> str:
    """A list of nested entries, scaffolded with one entry (live, or as a commented example)."""
    pad = " " * indent
    given = {"id": FIRST_IDS[item]} if item in FIRST_IDS else {}
    block = [pad + f"{name}:", *list_item(item, given, indent + 2)]
    if name not in EXAMPLE_ONLY:
        return "\n".join([*field_comment(model, name, indent, filled=True), *block])
    how = (
        f"{pad}# To add one, replace `{name}: []` with the block below, without the leading '# '"
        " of each line."
    )
    example = [pad + "# " + line[indent:] for line in block]
    return "\n".join(
        [*field_comment(model, name, indent, filled=True), how, *example, pad + f"{name}: []"]
    )


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """``ClaimEntry`` for ``list[ClaimEntry]``; None for any other annotation."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _vocabulary(annotation: Any) -> list[str]:
    """The values of an enumeration field (possibly optional); [] for any other field."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return [str(member.value) for member in candidate]
    return []


def article_yaml(article_id: str) -> str:
    """The scaffold of ``articles/<article_id>/article.yaml``."""
    guide = (
        f'Scaffolded by `nkdata new article {article_id}`. Replace every "" with a value (the '
        "comment above each field says what it holds) and save the article's text, verbatim, as "
        "text.txt beside this file. Then run `nkdata validate "
        f"corpus/articles/{article_id}`. The comments may stay or go; the annotation guide is "
        "docs/annotation.md."
    )
    header = [
        SCHEMA_COMMENT.format(path=ARTICLE_SCHEMA),
        *textwrap.wrap(guide, WIDTH, initial_indent="# ", subsequent_indent="# "),
        "",
    ]
    return "\n".join(header + model_lines(ArticleFile, {"id": article_id}, 0)) + "\n"


REGISTRIES: dict[str, tuple[type[Row], str]] = {
    "sources": (Source, "source"),
    "quantities": (Quantity, "quantity"),
}
"""Registry file stem → the model of its entries, and what one entry is called."""


def registry_entry(model: type[Row], given: dict[str, str], indent: int = 2) -> str:
    """The scaffold of one registry entry, as a block-list item at ``indent``; ``given`` values
    (the id, and any of name, kind, label, unit, ...) are written as YAML strings."""
    values = {name: json.dumps(value, ensure_ascii=False) for name, value in given.items()}
    values["id"] = given["id"]
    return "\n".join(list_item(model, values, indent)) + "\n"


def _check_id(kind: str, new_id: str) -> None:
    if not is_slug(new_id):
        raise ScaffoldError(
            f"'{new_id}' is not a valid {kind} id: use lower-case ASCII letters, digits and "
            "single hyphens, such as 'rfa-2018-workers-russia-internet-blocked'."
        )


def new_article(corpus: Path, article_id: str) -> Path:
    """Create ``articles/<article_id>/article.yaml`` under ``corpus``; return its path.

    The folder may exist already, holding the article's ``text.txt``; an existing
    ``article.yaml`` is never replaced. The file is written to a temporary name and renamed, so
    an interrupted run leaves no half-written file.

    Examples
    --------
    >>> import tempfile
    >>> corpus = Path(tempfile.mkdtemp()) / "corpus"
    >>> (corpus / "articles").mkdir(parents=True)
    >>> new_article(corpus, "rfa-2024-phones").relative_to(corpus).as_posix()
    'articles/rfa-2024-phones/article.yaml'
    """
    _check_id("article", article_id)
    if (corpus / "articles").is_symlink():  # writing through it would write out of the corpus
        raise ScaffoldError(f"{corpus / 'articles'} is a symbolic link; nothing was written.", 1)
    folder = corpus / "articles" / article_id
    target = folder / "article.yaml"
    created = _article_folder(folder)
    if not created and os.path.lexists(target):
        raise ScaffoldError(f"{target} already exists; nothing was written.")
    try:
        write_atomic(target, article_yaml(article_id).encode("utf-8"))
    except OSError as exc:
        if created:
            folder.rmdir()
        raise ScaffoldError(f"cannot write {target}: {exc.strerror}", 1) from None
    return target


def _article_folder(folder: Path) -> bool:
    """Create ``folder``, or accept a plain folder already there (its text.txt saved first).

    Return whether it was created, so that a failed write removes only what it made.
    """
    try:
        folder.mkdir()
        return True
    except FileExistsError:
        if folder.is_symlink() or not folder.is_dir():
            raise ScaffoldError(
                f"{folder} is not a plain folder; nothing was written.", 1
            ) from None
        return False
    except OSError as exc:
        raise ScaffoldError(f"cannot create {folder}: {exc.strerror}", 1) from None


def new_entries(corpus: Path, registry: str, entries: list[dict[str, str]]) -> Path:
    """Append a scaffolded entry for each of ``entries`` (each with an ``id``) to
    ``<registry>.yaml``; return the file's path.

    All or nothing: the bytes already in the file are kept as they are (the entries are added
    after them), an id that exists or is given twice refuses the whole request, and the file is
    replaced atomically.
    """
    model, entry_name = REGISTRIES[registry]
    new_ids = [entry["id"] for entry in entries]
    for new_id in new_ids:
        _check_id(entry_name, new_id)
    path = corpus / f"{registry}.yaml"
    old, problems = read_bytes(path, path.name, MAX_YAML_BYTES)  # no link, FIFO or giant
    if old is None:
        raise ScaffoldError(f"cannot read {path}: {problems[0].message}", 1)
    ids, indent = _registry_ids(old, path, registry)
    taken = [i for i in new_ids if i.casefold() in {known.casefold() for known in ids}]
    if taken:
        named = ", ".join(f"'{i}'" for i in taken)
        raise ScaffoldError(f"{entry_name} {named} is already in {path}; nothing was written.")
    if len({i.casefold() for i in new_ids}) != len(new_ids):
        raise ScaffoldError(f"an {entry_name} id is given twice; nothing was written.")
    newline = "\r\n" if b"\r\n" in old else "\n"
    added = "".join(registry_entry(model, entry, indent) for entry in entries)
    new = old + (b"" if old.endswith(b"\n") or not old else newline.encode())
    new += added.replace("\n", newline).encode("utf-8")
    if _registry_ids(new, path, registry)[0] != [*ids, *new_ids]:
        raise ScaffoldError(
            f"cannot append to {path} safely: its {registry} list is not a block list at the "
            "end of the file. Add the entries by hand.",
            1,
        )
    try:
        write_atomic(path, new)
    except OSError as exc:
        raise ScaffoldError(f"cannot write {path}: {exc.strerror}", 1) from None
    return path


def _registry_ids(data: bytes, path: Path, key: str) -> tuple[list[str], int]:
    """The ids in a registry file, and the indentation of its list dashes."""
    parsed = parse_yaml(data.decode("utf-8", errors="replace"), path.name)
    if not isinstance(parsed, YamlDocument):
        raise ScaffoldError(
            f"{path} does not parse ({parsed.message}); run `nkdata validate` and fix it first.", 1
        )
    entries = parsed.data.get(key) if isinstance(parsed.data, dict) else None
    if not isinstance(entries, list):
        raise ScaffoldError(f"{path} has no '{key}:' list; run `nkdata validate`.", 1)
    ids = [entry.get("id") if isinstance(entry, dict) else None for entry in entries]
    first = parsed.positions.get((key, 0))
    return [str(i) for i in ids], (first[1] - 3 if first else 2)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(path.stat().st_mode & 0o7777 if path.exists() else _new_file_mode())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _new_file_mode() -> int:
    """The mode ``open()`` would give a new file: 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
