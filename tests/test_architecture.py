"""The layout docs/architecture.md describes: imports go one way, subpackages are only folders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "nkdata"
FORBIDDEN = {
    "schema": (
        "nkdata.corpus",
        "nkdata.release",
        "nkdata.view",
        "nkdata.cli",
        "nkdata.loading",
        "nkdata.store",
    ),
    "corpus": ("nkdata.release", "nkdata.view", "nkdata.cli", "nkdata.loading", "nkdata.download"),
    "view": ("nkdata.corpus", "nkdata.release", "nkdata.cli"),
    "loading": ("nkdata.corpus", "nkdata.release", "nkdata.view", "nkdata.cli"),
}
"""Layer → modules it must not import. ``loading`` is what ``nkdata.load`` runs on."""
LOADING = ("loading.py", "store.py", "download.py", "settings.py", "errors.py", "__init__.py")


def imported(path: Path) -> set[str]:
    """Every ``nkdata...`` module that ``path`` imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("nkdata")}


def layer_files(layer: str) -> list[Path]:
    if layer == "loading":
        return [PACKAGE / name for name in LOADING]
    return sorted((PACKAGE / layer).glob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_go_one_way(layer: str) -> None:
    wrong = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in layer_files(layer)
        for name in sorted(imported(path))
        if name.startswith(FORBIDDEN[layer])
    ]
    assert wrong == []


def test_subpackages_are_only_folders() -> None:
    inits = sorted(PACKAGE.glob("*/__init__.py"))
    assert {init.parent.name for init in inits} >= {"corpus", "release", "schema", "view"}
    assert {init.parent.name: init.read_text() for init in inits if init.read_text()} == {}


def test_the_code_map_names_every_module() -> None:
    code_map = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name not in {"__init__.py", "__about__.py"}
    ]
    missing = [m for m in modules if f"`{m}`" not in code_map and f"/{m}`" not in code_map]
    assert missing == []
