"""The README's examples run as written, in an empty folder, offline.

The shell lines that fetch a release folder (`nkdata download ... --dest ...`) run first, through
the command line; then every Python block runs, in order, in one fresh interpreter whose
Hugging Face caches are private, with no network for nkdata or `datasets`.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import nkdata
from nkdata.cli import app
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def test_readme_python_examples_run_in_an_empty_folder(tmp_path: Path, monkeypatch) -> None:
    downloads = [
        shlex.split(line.split("#")[0])
        for block in blocks("sh")
        for line in block.splitlines()
        if line.startswith("nkdata download ") and "VERSION" not in line
    ]
    assert downloads, "the README shows how to fetch a release folder"
    monkeypatch.chdir(tmp_path)
    for command in downloads:
        result = CliRunner().invoke(app, command[1:])
        assert result.exit_code == 0, result.output
    env = {
        **os.environ,
        "HF_HOME": str(tmp_path / ".hf"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
        "NKDATA_OFFLINE": "1",
    }
    code = "\n".join(blocks("python"))
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout
    data = nkdata.load()
    assert printed.startswith(f"{data.version} {len(data.articles)} {len(data.claims)} ")
    assert ", said " in printed, "the typed example found figures"
    assert "source" in printed and "unit" in printed, "DuckDB printed the joined table"
