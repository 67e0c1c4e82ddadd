"""The built wheel carries the latest release: installed into a fresh virtual environment
outside the repository, nkdata loads it with no network and from any directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO
from tests.support.corpusfacts import latest_release, release_state, released_versions

pytestmark = pytest.mark.slow

LATEST = latest_release()
OLDER = "0.0.1"
"""A version older than any release, added to the copy's index."""
SKIPPED = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", "*_cache", "dist", "build", "*.egg-info"
)


def run(*args: object, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built, through the sdist as `python -m build` does, from a copy of the
    repository whose index lists an older release too."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=SKIPPED)
    releases = source / "releases"
    shutil.copytree(releases / LATEST, releases / OLDER)
    index = json.loads((releases / "index.json").read_text(encoding="utf-8"))
    index["versions"][OLDER] = index["versions"][LATEST]
    (releases / "index.json").write_text(json.dumps(index), encoding="utf-8")
    run(sys.executable, "-m", "build", "--outdir", root / "dist", source, cwd=root)
    (built,) = (root / "dist").glob("nkdata-*.whl")
    return built


def test_wheel_carries_only_the_latest_release_and_the_index(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    bundled = sorted(n.removeprefix("nkdata/_releases/") for n in names if "_releases" in n)
    expected = sorted(p.name for p in (REPO / "releases" / LATEST).iterdir())
    assert bundled == sorted(["index.json", *(f"{LATEST}/{name}" for name in expected)])
    index = json.loads(zipfile.ZipFile(wheel).read("nkdata/_releases/index.json"))
    assert set(index["versions"]) == {OLDER, *released_versions()}, (
        "the index pins every version's hash"
    )
    assert index["latest"] == LATEST
    assert not [n for n in names if n.startswith(("corpus/", "tests/", "releases/"))]


def test_installed_wheel_loads_offline_from_anywhere(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)  # pip: from here
    python, cli = venv / "bin" / "python", venv / "bin" / "nkdata"
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-compile"]
    run(*pip, "-c", REPO / "constraints.txt", wheel, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env |= {
        "NKDATA_OFFLINE": "1",
        "NKDATA_CACHE_DIR": str(tmp_path / "cache"),
        "NKDATA_BASE_URL": "http://127.0.0.1:9/releases",
    }
    script = (
        "import nkdata\n"
        "data = nkdata.load()\n"
        "print(data.version, data.origin, data.path)\n"
        "print(len(data.claims), data.sources['gideon-rachman'].name)\n"
        "print(nkdata.__file__)\n"
    )
    lines = run(python, "-c", script, cwd=elsewhere, env=env).splitlines()
    version, origin, path = lines[0].split()
    assert (version, origin) == (LATEST, "bundled")
    assert Path(path).is_relative_to(venv) and Path(lines[2]).is_relative_to(venv)
    claims = pq.read_metadata(REPO / "releases" / LATEST / "claims.parquet").num_rows
    assert lines[1] == f"{claims} Gideon Rachman"
    assert not (tmp_path / "cache").exists(), "loading the bundled release writes nothing"

    verified = run(cli, "verify", path, cwd=elsewhere, env=env)
    assert verified.startswith(f"verified: release {LATEST}")
    listed = run(cli, "versions", cwd=elsewhere, env=env).splitlines()
    assert listed[1].split() == [LATEST, release_state(LATEST), "yes", "-", "?"]
    shutil.rmtree(venv)  # a few hundred MB that later pytest runs would otherwise delete
