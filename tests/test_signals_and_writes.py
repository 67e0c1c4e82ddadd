"""Classes 5 and 6 of the trust issue: SIGTERM to `nkdata build` or `nkdata validate` (the
process alone, not its group) ends it as Ctrl-C does, its workers gone and nothing left behind;
`nkdata build --releases DIR` writes nothing outside DIR, and a broken newer release is a clear
error, not a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import tree
from tests.support.smallrelease import small_corpus

NKDATA = Path(sys.executable).parent / "nkdata"


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("command", ["validate", "build"])
def test_class5_sigterm_ends_the_command_and_its_workers(tmp_path: Path, command: str) -> None:
    corpus = small_corpus(tmp_path, 400)
    args = [str(NKDATA), command, str(corpus)]
    if command == "build":
        args += ["--releases", str(tmp_path / "releases"), "--quiet"]
    else:
        args += ["--no-cache"]
    env = {**os.environ, "NKDATA_WORKERS": "2"}
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2 and process.poll() is None:
        workers = children(process.pid)
        time.sleep(0.01)
    if process.poll() is not None:
        pytest.skip("the command ended before its workers could be seen")
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)  # EOF: no worker holds the pipes open
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert b"Traceback" not in stderr
    deadline = time.monotonic() + 5  # a loaded machine may take a moment to reap them
    while [pid for pid in workers if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)]
    releases = tmp_path / "releases"
    assert not releases.exists() or not [p for p in releases.iterdir() if p.name.startswith(".")]


def test_class6_build_into_another_folder_writes_only_there(tmp_path: Path, nkdata) -> None:
    corpus = small_corpus(tmp_path / "repo", 3)
    mine = tmp_path / "mine"
    mine.mkdir()
    (tmp_path / "datapackage.json").write_text("my own descriptor\n", encoding="utf-8")
    outside = lambda: {k: v for k, v in tree(tmp_path).items() if not k.startswith("mine")}  # noqa: E731
    before = outside()
    run = nkdata("build", corpus, "--releases", mine, "--quiet")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert outside() == before
    assert not (tmp_path / "repo" / "datapackage.json").exists()


def test_class6_build_into_the_current_folder_writes_no_absolute_paths(
    tmp_path: Path, nkdata, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = small_corpus(tmp_path / "repo", 3)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    run = nkdata("build", corpus, "--releases", ".", "--quiet")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert not (tmp_path / "datapackage.json").exists()
    assert '"/' not in (out / "index.json").read_text(encoding="utf-8")


def test_class6_repository_build_writes_the_root_descriptor(tmp_path: Path, nkdata) -> None:
    corpus = small_corpus(tmp_path / "repo", 3)
    run = nkdata("build", corpus, "--quiet")
    assert run.exit_code == 0, run.stdout + run.stderr
    root = (tmp_path / "repo" / "datapackage.json").read_text(encoding="utf-8")
    assert '"path": "releases/' in root


def test_class9_a_broken_newer_release_is_a_clear_error(tmp_path: Path, nkdata) -> None:
    corpus = small_corpus(tmp_path / "repo", 3)
    releases = tmp_path / "repo" / "releases"
    newer = releases / "9.0.0"
    newer.mkdir(parents=True)
    (newer / "datapackage.json").write_text("{ broken", encoding="utf-8")
    run = nkdata("build", corpus, "--quiet")
    assert run.exit_code == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert "9.0.0/datapackage.json is not valid JSON" in run.stderr
    check = nkdata("build", corpus, "--check")
    assert check.exit_code == 1 and "cannot be derived" in check.stderr
