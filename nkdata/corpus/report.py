"""Render problems for people (text), tools (JSON lines) and GitHub Actions (annotations)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import PurePosixPath

from nkdata.corpus.problems import Problem
from nkdata.schema.characters import escaped


class Format(StrEnum):
    """Output formats of ``nkdata validate`` and ``nkdata verify``."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


def render(problems: Iterable[Problem], prefix: str, fmt: Format) -> list[str]:
    """One or more lines per problem; file paths are shown under ``prefix`` (the corpus path).

    A line never carries a control or invisible character of a file name or value, so that a
    hostile corpus cannot forge report lines or drive the terminal: TEXT and GITHUB show them as
    escapes (``\\x1b``, ``\\u200b``); JSON escapes them as JSON does.
    """
    renderer = {Format.TEXT: _text, Format.JSON: _json, Format.GITHUB: _github}[fmt]
    return [escaped(line) for problem in problems for line in renderer(problem, prefix)]


def _where(problem: Problem, prefix: str) -> str:
    file = str(PurePosixPath(prefix) / problem.file) if prefix else problem.file
    if problem.line is None:
        return file
    return f"{file}:{problem.line}:{problem.column}"


def _text(problem: Problem, prefix: str) -> list[str]:
    field = f" [{problem.path}]" if problem.path else ""
    lines = [f"{_where(problem, prefix)}: {problem.code.value}{field} {problem.message}"]
    if problem.hint:
        lines.append(f"    hint: {problem.hint}")
    return lines


def _json(problem: Problem, prefix: str) -> list[str]:
    data = problem.as_dict()
    data["file"] = str(PurePosixPath(prefix) / problem.file) if prefix else problem.file
    return [json.dumps(data, ensure_ascii=False, sort_keys=True)]


def _escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def _github(problem: Problem, prefix: str) -> list[str]:
    file = str(PurePosixPath(prefix) / problem.file) if prefix else problem.file
    props = [f"file={_escape(file, property_value=True)}"]
    if problem.line is not None:
        props += [f"line={problem.line}", f"col={problem.column}"]
    props.append(f"title={_escape(problem.code.value, property_value=True)}")
    body = problem.message + (f" [{problem.path}]" if problem.path else "")
    body += f" Hint: {problem.hint}" if problem.hint else ""
    return [f"::error {','.join(props)}::{_escape(body)}"]


def summary(problems: list[Problem], articles: int) -> str:
    """The closing line of a text report."""
    if not problems:
        return f"valid: {articles} article(s), no problems"
    files = len({problem.file for problem in problems})
    return f"invalid: {len(problems)} problem(s) in {files} file(s)"
