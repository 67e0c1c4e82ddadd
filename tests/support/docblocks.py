"""The fenced blocks of the repository's Markdown guides, for the tests that run or check them.

A block is fenced at column 0 (```lang ... ```); each of its lines keeps its line number in the
file, so that a failing test names the line to fix. The ``nkdata`` commands of a shell block are
checked against the command line itself: the command exists, and its ``--help`` exits 0 and
mentions every option the block uses (nothing else runs: such blocks may need the network).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

import typer
from typer.testing import CliRunner

from nkdata.cli import app

FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```[ \t]*$", re.M | re.S)
SEPARATORS = {"&&", "||", ";", "|"}


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, the line of its opening fence, and its lines, each with
    its line number in the file."""

    lang: str
    line: int
    lines: list[tuple[int, str]]


def blocks(markdown: str, lang: str | None = None) -> list[Block]:
    """Every fenced block of ``markdown`` (of language ``lang``, if given), in order.

    >>> [b.lines for b in blocks("text\\n```sh\\nnkdata info\\n```\\n", "sh")]
    [[(3, 'nkdata info')]]
    """
    found = []
    for match in FENCE.finditer(markdown):
        fence = markdown.count("\n", 0, match.start()) + 1
        lines = list(enumerate(match.group(2).splitlines(), fence + 1))
        if lang is None or match.group(1) == lang:
            found.append(Block(match.group(1), fence, lines))
    return found


def nkdata_commands(markdown: str) -> list[tuple[int, list[str]]]:
    """The arguments of every ``nkdata`` command in the ``sh`` blocks, with its line number.

    A command is split from the next at ``&&``, ``||``, ``;`` and ``|``; comments are dropped;
    the program may be given with a path (``.venv/bin/nkdata``).

    >>> nkdata_commands("```sh\\npip install x && .venv/bin/nkdata build  # note\\n```\\n")
    [(2, ['build'])]
    """
    commands = []
    for block in blocks(markdown, "sh"):
        for number, line in block.lines:
            words: list[str] = []
            for word in [*shlex.split(line, comments=True), ";"]:
                if word not in SEPARATORS:
                    words.append(word)
                    continue
                if words and (words[0] == "nkdata" or words[0].endswith("/nkdata")):
                    commands.append((number, words[1:]))
                words = []
    return commands


def help_problems(args: list[str]) -> list[str]:
    """Why ``nkdata ARGS`` is not a real command with real options; empty when it is.

    Words before the first option that name (sub)commands must exist; every option word
    (``--kind``, ``[--kind``, ``--format=json``) must appear in the command's ``--help``.

    >>> help_problems(["new", "source", "ID...", "[--kind", "K]"])
    []
    >>> help_problems(["build", "--fast"])
    ['`nkdata build --help` does not mention --fast']
    """
    command = typer.main.get_command(app)
    path: list[str] = []
    rest = list(args)
    while (commands := getattr(command, "commands", None)) is not None:  # a group
        name = rest.pop(0) if rest else ""
        if name not in commands:
            return [f"`{' '.join(['nkdata', *path])}` has no command {name!r}"]
        path.append(name)
        command = commands[name]
    shown = CliRunner().invoke(app, [*path, "--help"])
    if shown.exit_code != 0:
        return [f"`nkdata {' '.join(path)} --help` exits {shown.exit_code}"]
    options = [word.strip("[]").split("=")[0] for word in rest if word.strip("[").startswith("-")]
    return [
        f"`nkdata {' '.join(path)} --help` does not mention {option}"
        for option in options
        if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", shown.output)
    ]
