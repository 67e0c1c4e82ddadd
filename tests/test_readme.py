"""The README's examples run as written, in an empty folder, offline.

Every Python block runs, in order, in one fresh interpreter started in an empty folder, whose
Hugging Face caches are private, with no network for nkdata or `datasets` (tests/test_wheel.py
runs them again from an installed wheel). The `nkdata` commands of the shell blocks, which need
the network or a new environment, are checked against the command line: each exists, with every
option it uses. The example problem is what `nkdata validate` prints. The README stays within
9 KiB.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import nkdata
from tests.conftest import ARTICLE, REPO, edit
from tests.support.docblocks import blocks, help_problems, nkdata_commands

README = (REPO / "README.md").read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return ["\n".join(text for _, text in block.lines) for block in blocks(README, "python")]


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


@pytest.mark.parametrize(
    ("line", "args"), nkdata_commands(README), ids=[f"line{n}" for n, _ in nkdata_commands(README)]
)
def test_readme_shell_commands_exist_with_their_options(line: int, args: list[str]) -> None:
    assert help_problems(args) == [], f"README.md line {line}"


def test_readme_problem_example_is_what_validate_prints(
    corpus: Path, nkdata, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example: a quote of the rfa article typed with "labourers" where the text has
    "laborers"."""
    (example,) = blocks(README, "")
    quote = "blocked for laborers sent to work in Russia\n"
    edit(corpus / "articles" / ARTICLE / "article.yaml", quote, quote.replace("labor", "labour"))
    monkeypatch.chdir(corpus.parent)
    run = nkdata("validate", f"corpus/articles/{ARTICLE}")
    assert run.exit_code == 1
    assert (run.stdout + run.stderr).splitlines() == [text for _, text in example.lines]


def test_readme_stays_within_9_kib() -> None:
    assert len(README.encode("utf-8")) <= 9 * 1024
