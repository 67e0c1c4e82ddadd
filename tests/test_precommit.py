"""The pre-commit hook of .pre-commit-hooks.yaml, run by the real pre-commit tool on real commits.

A temporary "hook repository" holds this working tree's package and hook definition, committed;
a temporary "data repository" holds a copy of the corpus and a .pre-commit-config.yaml that uses
the hook. pre-commit builds the hook's environment with pip (from the package registry, pinned by
constraints.txt), with its home and pip's cache under tmp_path; that build is the cost of this
test (25-45 s on the 2-core machine, depending on the registry).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ARTICLE, CORPUS, REPO, edit, line_of

pytestmark = pytest.mark.slow

HOOK_REPO_FILES = (
    "pyproject.toml",
    "README.md",
    ".pre-commit-hooks.yaml",
    "nkdata",
    "hatch_build.py",
)


def git(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Git without the user's configuration; pre-commit's home and pip's cache in tmp_path."""
    return {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Contributor",
        "GIT_AUTHOR_EMAIL": "contributor@example.org",
        "GIT_COMMITTER_NAME": "Contributor",
        "GIT_COMMITTER_EMAIL": "contributor@example.org",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_CONSTRAINT": str(REPO / "constraints.txt"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_CACHE_DIR": str(tmp_path / "pip-cache"),
        "NKDATA_OFFLINE": "1",
    }


def hook_repository(root: Path, env: dict[str, str]) -> str:
    """A git repository with this working tree's package and hooks; return its commit."""
    for name in HOOK_REPO_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    assert git(root, "init", "-q", "-b", "main", env=env).returncode == 0
    git(root, "add", ".", env=env)
    assert git(root, "commit", "-q", "-m", "hooks", env=env).returncode == 0
    return git(root, "rev-parse", "HEAD", env=env).stdout.strip()


def test_hook_blocks_a_broken_article_and_passes_a_good_one(tmp_path: Path, env) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    rev = hook_repository(hooks, env)
    data = tmp_path / "data"
    shutil.copytree(CORPUS, data / "corpus")
    (data / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: nkdata-validate\n",
        encoding="utf-8",
    )
    assert git(data, "init", "-q", "-b", "main", env=env).returncode == 0
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=data,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    git(data, "add", ".", env=env)
    good = git(data, "commit", "-m", "corpus as released", env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "nkdata validate" in good.stdout + good.stderr

    yaml = data / "corpus" / "articles" / ARTICLE / "article.yaml"
    edit(yaml, "laborers sent to work in Russia\n", "labourers sent to work in Russia\n")
    git(data, "add", ".", env=env)
    broken = git(data, "commit", "-m", "a quote off by one letter", env=env)
    output = broken.stdout + broken.stderr
    assert broken.returncode != 0, output
    line = line_of(yaml, "labourers sent to work")
    assert f"corpus/articles/{ARTICLE}/article.yaml:{line}:" in output
    assert "quote-not-found [claims[1].quote]" in output
    assert git(data, "log", "--oneline", env=env).stdout.count("\n") == 1  # nothing committed

    edit(yaml, "labourers sent to work in Russia\n", "laborers sent to work in Russia\n")
    (data / "corpus" / "articles" / ARTICLE / "text.txt").write_text(
        (CORPUS / "articles" / ARTICLE / "text.txt").read_text(encoding="utf-8") + "\n",
        encoding="utf-8",
    )
    git(data, "add", ".", env=env)
    fixed = git(data, "commit", "-m", "an added line at the end of the text", env=env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert git(data, "log", "--oneline", env=env).stdout.count("\n") == 2
