"""SECURITY.md names, for every promise, the test that checks it: each name must be a test."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def named_tests(text: str) -> list[tuple[str, str]]:
    """``(file, test)`` for every ``file.py::test`` and every ``::test`` after it."""
    found, current = [], ""
    for file, test in re.findall(r"`(?:([\w/]+\.py))?::(test_\w+)`", text):
        current = file or current
        found.append((current, test))
    return found


def test_every_test_that_security_md_names_exists() -> None:
    names = named_tests((ROOT / "SECURITY.md").read_text(encoding="utf-8"))
    assert len(names) > 40
    missing = []
    for file, test in names:
        tree = ast.parse((ROOT / "tests" / file).read_text(encoding="utf-8"))
        functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        if test not in functions:
            missing.append(f"{file}::{test}")
    assert missing == []
