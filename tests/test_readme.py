"""The README's examples run as written, in an empty folder, offline.

Every Python block runs, in order, in one fresh interpreter started in an empty folder, whose
Hugging Face caches are private, with no network for nkdata or `datasets` (tests/test_wheel.py
runs them again from an installed wheel).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nkdata
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, re.DOTALL)


def offline_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HOME": str(tmp_path / ".hf"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
        "NKDATA_OFFLINE": "1",
    }


def test_readme_python_examples_run_in_an_empty_folder(tmp_path: Path) -> None:
    code = "\n".join(python_blocks())
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=offline_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout
    data = nkdata.load()
    assert printed.startswith(
        f"{data.version} {len(data.articles)} {len(data.claims)} {len(data.figures)}\n"
    )
    assert ", said " in printed and ", published " in printed, "the typed example ran"
    assert "published_edtf" in printed, "DuckDB printed the joined table"
    assert f"{len(data.figures)} " in printed, "datasets loaded the figures by configuration"
    assert [p.name for p in tmp_path.iterdir()] == [".hf"], "the examples write nothing else"
