"""Fault injection: builds killed at every step, builds racing, full disks and locked folders.

A real `nkdata build` runs in a subprocess through tests/support/faultbuild.py, which can kill it
with SIGKILL, pause it or make a write fail at each step that changes the file system. After each
fault the invariant is checked from the outside:

- ``releases/<version>`` is absent, or complete: exactly the files its datapackage.json lists,
  each with its size and hash; an earlier release is untouched;
- the root datapackage.json and releases/index.json are each the old file or the new one,
  never a mix; ``nkdata build --check`` says which repair is needed;
- the next `nkdata build` succeeds and leaves exactly the tree an undisturbed build leaves
  (temporaries of the killed build removed).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from nkdata.schema.releasefolder import ReleaseFile
from tests.conftest import CORPUS, edit, tree
from tests.support.corpusfacts import bump_version, corpus_version, next_version

FAULTBUILD = Path(__file__).parent / "support" / "faultbuild.py"
OLD = corpus_version()
"""The version a build of the corpus writes."""
NEW = next_version(OLD)
"""The version a maintainer bumps it to."""
ROOT_FILES = ("datapackage.json", "releases/index.json")


@dataclass
class Started:
    """A faultbuild process and its log of points."""

    process: subprocess.Popen[str]
    log: Path

    def points(self) -> list[str]:
        return read_points(self.log)

    def wait_until(self, *, paused: bool = False, point: str = "", timeout: float = 60) -> None:
        """Until the build pauses or reaches ``point`` (or ends, which the caller checks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if paused and Path(f"{self.log}.paused").exists():
                return
            if point and point in self.points():
                return
            time.sleep(0.01)
        assert self.process.poll() is not None or not (paused or point), "timed out"

    def go(self) -> None:
        Path(f"{self.log}.go").touch()

    def finish(self, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        stdout, stderr = self.process.communicate(timeout=timeout)
        assert "Traceback" not in stdout + stderr, stderr
        return subprocess.CompletedProcess([], self.process.returncode, stdout, stderr)


def read_points(log: Path) -> list[str]:
    """The points a faultbuild process logged, in order."""
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    return [line.split(" ", 1)[1] for line in text.splitlines()]


def start(corpus: Path, log: Path, *args: str, **faults: str) -> Started:
    """Start ``nkdata build CORPUS`` under faultbuild.py; ``faults`` become NKDATA_FAULT_*."""
    env = {**os.environ, "NKDATA_FAULT_LOG": str(log), "NKDATA_FAULT_NOSYNC": "1"}
    env.update({f"NKDATA_FAULT_{key.upper()}": value for key, value in faults.items()})
    process = subprocess.Popen(
        [sys.executable, str(FAULTBUILD), "build", str(corpus), "--quiet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    return Started(process, log)


def fault_build(corpus: Path, log: Path, *args: str, **faults: str):
    return start(corpus, log, *args, **faults).finish()


@pytest.fixture
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process builds without fsync: it changes nothing a killed process leaves behind."""
    from nkdata.release import build

    monkeypatch.setattr(build, "_fsync", lambda _: None)


# ---------------------------------------------------------------- checking a repository


def release_is_complete(folder: Path) -> None:
    """Exactly the files the descriptor lists (the card among them) and itself, sizes and
    hashes."""
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    listed = {entry["path"]: entry for entry in package["resources"]}
    assert sorted(p.name for p in folder.iterdir()) == sorted([*listed, "datapackage.json"])
    for name, entry in listed.items():
        stats = ReleaseFile.of(folder / name)
        assert (stats.bytes, stats.sha256) == (entry["bytes"], entry["hash"]), name
    assert (folder / "README.md").read_text(encoding="utf-8").startswith("---\n")


def visible(state: dict[str, str]) -> dict[str, str]:
    """A tree without the hidden temporaries of builds."""
    return {k: v for k, v in state.items() if not Path(k).name.startswith(".nkdata-build-")}


@dataclass
class Scenario:
    """A repository before a build (``before``) and after an undisturbed one (``after``)."""

    name: str
    template: Path
    before: dict[str, str]
    after: dict[str, str]
    points: list[str]

    def copy(self, target: Path) -> Path:
        shutil.copytree(self.template, target, symlinks=True)
        return target


def make_scenario(tmp: Path, name: str) -> Scenario:
    """'first': no release yet, OLD is built. 'next': OLD released, NEW is built."""
    from typer.testing import CliRunner

    from nkdata.cli import app

    template = tmp / f"{name}-template"
    shutil.copytree(CORPUS, template / "corpus")
    if name == "next":
        result = CliRunner().invoke(app, ["build", str(template / "corpus"), "-q"])
        assert result.exit_code == 0, result.output
        bump_version(template / "corpus", NEW)
        edit(template / "corpus" / "dataset.yaml", 'title: "nkdata:', 'title: "nkdata (new):')
    before = tree(template)
    dry = shutil.copytree(template, tmp / f"{name}-dry")
    log = tmp / f"{name}-dry.log"
    result = fault_build(dry / "corpus", log)
    assert result.returncode == 0, result.stderr
    return Scenario(name, template, before, tree(dry), read_points(log))


@pytest.fixture(scope="module", params=["first", "next"])
def scenario(request: pytest.FixtureRequest, tmp_path_factory) -> Scenario:
    return make_scenario(tmp_path_factory.mktemp(request.param), request.param)


def killed_states(scenario: Scenario, tmp: Path) -> Iterator[tuple[int, str, Path]]:
    """Kill a build at every point, two at a time; yield (number, point, repository)."""

    def kill_at(number: int) -> tuple[int, str, Path]:
        repo = scenario.copy(tmp / f"kill-{number}")
        result = fault_build(repo / "corpus", tmp / f"kill-{number}.log", kill=str(number))
        assert result.returncode == -signal.SIGKILL, result.stderr
        return number, scenario.points[number - 1], repo

    with ThreadPoolExecutor(max_workers=2) as pool:
        yield from pool.map(kill_at, range(1, len(scenario.points) + 1))


# ---------------------------------------------------------------- killed builds


def test_the_points_cover_every_step(scenario: Scenario) -> None:
    """The build passes each step the fault tests kill at, in this order."""
    from nkdata.models import TABLES

    # every table in dependency order, its Parquet file then its CSV file
    files = [f"wrote {model.table}.{f}" for model in TABLES for f in ("parquet", "csv")]
    assert scenario.points == [
        "mkdtemp",
        *files,
        "wrote README.md",
        "wrote datapackage.json",
        "lock",
        "rename",
        "renamed",
        "replace datapackage.json",
        "replaced datapackage.json",
        "replace index.json",
        "replaced index.json",
    ]


def test_a_build_killed_at_any_point_leaves_old_or_new_and_the_next_build_repairs(
    scenario: Scenario, tmp_path: Path, nkdata, no_fsync
) -> None:
    version = NEW if scenario.name == "next" else OLD
    old_root = {k: v for k, v in scenario.before.items() if k in ROOT_FILES}
    new_root = {k: v for k, v in scenario.after.items() if k in ROOT_FILES}
    outcomes = []
    for number, point, repo in killed_states(scenario, tmp_path):
        state = tree(repo)
        release = repo / "releases" / version
        exists = release.exists()
        if exists:
            release_is_complete(release)
        if scenario.name == "next":
            assert {k: v for k, v in state.items() if k.startswith(f"releases/{OLD}")} == {
                k: v for k, v in scenario.before.items() if k.startswith(f"releases/{OLD}")
            }, "the earlier release changed"
        for name in ROOT_FILES:
            assert state.get(name) in {old_root.get(name), new_root.get(name)}, (point, name)
        check = nkdata("build", repo / "corpus", "--check")
        complete = visible(state) == scenario.after
        assert check.exit_code == (0 if complete else 1), (point, check.stderr)
        if not exists:
            assert f"Release {version} has not been built" in check.stderr
        elif not complete:
            assert "the files derived from all releases are stale" in check.stderr, point
        repaired = nkdata("build", repo / "corpus", "--quiet")
        assert repaired.exit_code == 0, (point, repaired.stderr)
        assert tree(repo) == scenario.after, f"after a kill at {number} {point}"
        outcomes.append((point, exists, complete))
    # every kind of outcome happened: nothing yet, release without root files, all done
    assert {(exists, complete) for _, exists, complete in outcomes} == {
        (False, False),
        (True, False),
        (True, True),
    }


# ---------------------------------------------------------------- concurrent builds


def two_repos(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two corpus copies that build into one releases/ folder (given with --releases)."""
    shared = tmp_path / "repo"
    (shared / "releases").mkdir(parents=True)
    one = shutil.copytree(CORPUS, tmp_path / "one" / "corpus")
    two = shutil.copytree(CORPUS, tmp_path / "two" / "corpus")
    return shared / "releases", one, two


def race(tmp_path: Path, releases: Path, *corpora: Path, pause: str = "lock") -> list:
    """Start builds, wait until all are paused at ``pause``, release them at once."""
    builds = [
        start(corpus, tmp_path / f"race-{i}.log", "--releases", str(releases), pause=pause)
        for i, corpus in enumerate(corpora)
    ]
    for build in builds:
        build.wait_until(paused=True)
    for build in builds:
        build.go()
    return [build.finish() for build in builds]


def test_two_builds_of_the_same_version_and_content(tmp_path: Path, nkdata) -> None:
    releases, one, two = two_repos(tmp_path)
    results = race(tmp_path, releases, one, two)
    assert [r.returncode for r in results] == [0, 0]
    said = sorted(r.stdout.split(" release")[0] for r in results)
    assert said == ["unchanged:", "wrote"]
    release_is_complete(releases / OLD)
    assert visible(tree(releases)) == tree(reference_build(tmp_path, CORPUS) / "releases")


def test_two_builds_of_the_same_version_with_different_content(tmp_path: Path) -> None:
    """An unpublished version: the build that takes the lock second replaces the first's."""
    releases, one, two = two_repos(tmp_path)
    edit(two / "dataset.yaml", 'title: "nkdata:', 'title: "nkdata (other):')
    results = race(tmp_path, releases, one, two)
    assert [r.returncode for r in results] == [0, 0]
    said = [r.stdout.split(" release")[0] for r in results]
    assert sorted(said) == ["rebuilt unpublished", "wrote"]
    winner = (one, two)[said.index("rebuilt unpublished")]
    release_is_complete(releases / OLD)
    assert visible(tree(releases)) == tree(reference_build(tmp_path, winner) / "releases")


def test_two_builds_of_different_versions_keep_the_root_files_current(
    tmp_path: Path, nkdata
) -> None:
    """The older build is held inside its root-file writes while the newer one runs: under
    the lock the newer one waits, so the root files end up naming the newest release."""
    releases, one, two = two_repos(tmp_path)
    bump_version(two, NEW)
    old = start(one, tmp_path / "old.log", "--releases", str(releases), pause="replace index.json")
    old.wait_until(paused=True)
    new = start(two, tmp_path / "new.log", "--releases", str(releases))
    new.wait_until(point="lock")
    time.sleep(0.5)  # the newer build is now blocked on the lock (or, without one, done)
    old.go()
    assert [old.finish().returncode, new.finish().returncode] == [0, 0]
    index = json.loads((releases / "index.json").read_text(encoding="utf-8"))
    assert (index["latest"], sorted(index["versions"])) == (NEW, [OLD, NEW])
    # a releases folder given with --releases is not the builds' repository: no root descriptor
    assert not (releases.parent / "datapackage.json").exists()
    for corpus in (one, two):
        check = nkdata("build", corpus, "--releases", releases, "--check")
        assert check.exit_code == 0, check.stderr


def reference_build(tmp_path: Path, corpus: Path) -> Path:
    """An undisturbed build of ``corpus`` in a folder of its own."""
    repo = tmp_path / f"reference-{corpus.parent.name}"
    shutil.copytree(corpus, repo / "corpus")
    result = fault_build(repo / "corpus", tmp_path / f"reference-{corpus.parent.name}.log")
    assert result.returncode == 0, result.stderr
    return repo


# ---------------------------------------------------------------- full disk, locked folder


@pytest.mark.parametrize(
    ("point", "errno", "message"),
    [
        ("wrote claims.csv", 28, "No space left on device"),
        ("wrote README.md", 28, "No space left on device"),
        ("rename", 30, "Read-only file system"),
        ("mkdtemp", 13, "Permission denied"),
    ],
)
def test_a_failing_write_leaves_nothing(tmp_path: Path, point: str, errno: int, message) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CORPUS, repo / "corpus")
    before = tree(repo)
    result = fault_build(repo / "corpus", tmp_path / "log", error=f"{point}:{errno}")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot write")
    assert message in result.stderr
    assert "nothing was written" in result.stderr
    assert {k: v for k, v in tree(repo).items() if k != "releases"} == before


def test_a_full_disk_after_the_rename_says_the_release_is_complete(
    tmp_path: Path, nkdata, no_fsync
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CORPUS, repo / "corpus")
    result = fault_build(repo / "corpus", tmp_path / "log", error="replace index.json:28")
    assert result.returncode == 1
    assert f"release {OLD} is complete at" in result.stderr
    assert "could not be updated: No space left on device" in result.stderr
    assert "run `nkdata build` again" in result.stderr
    release_is_complete(repo / "releases" / OLD)
    assert not (repo / "releases" / "index.json").exists()
    check = nkdata("build", repo / "corpus", "--check")
    assert check.exit_code == 1
    assert "derived from all releases are stale" in check.stderr
    assert nkdata("build", repo / "corpus", "-q").exit_code == 0
    assert nkdata("build", repo / "corpus", "--check").exit_code == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_releases_folder(tmp_path: Path, nkdata) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CORPUS, repo / "corpus")
    (repo / "releases").mkdir()
    (repo / "releases").chmod(0o555)
    try:
        run = nkdata("build", repo / "corpus", "-q")
    finally:
        (repo / "releases").chmod(0o755)
    assert run.exit_code == 1
    assert "Permission denied; nothing was written" in run.stderr
    assert list((repo / "releases").iterdir()) == []
