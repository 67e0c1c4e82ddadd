"""Downloads through the public API and the CLI, from a real HTTP server on 127.0.0.1.

The served site holds the latest committed release (also bundled) and the release after it,
built from the corpus for these tests, which only the host has. Every test gets an empty
private cache.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import nkdata
from nkdata.cli import app
from nkdata.models import TABLES as MODELS
from nkdata.schema.releasefolder import ReleaseFile
from tests.conftest import CORPUS
from tests.support.corpusfacts import (
    bump_version,
    chart_files,
    latest_release,
    next_version,
    release_folder,
    release_state,
    released_versions,
)
from tests.support.releaseserver import ReleaseServer, body, redirect, status, truncated

BUNDLED = latest_release()
"""The latest committed release: bundled, and served by the host too."""
VERSION = next_version(BUNDLED)
"""The release after it, which only the host has."""
TABLES = [model.table for model in MODELS]
FILES = [
    "datapackage.json",
    *(f"{t}.{fmt}" for t in TABLES for fmt in ("csv", "parquet")),
    *chart_files(release_folder(BUNDLED)),  # VERSION is built from the same corpus
    "README.md",
]
PIN = ["pinned", f"pinned/{VERSION}"]
"""What the cache keeps of a version downloaded once: the hash of its descriptor."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A releases folder as the host serves it: BUNDLED, VERSION and index.json. Read-only."""
    root = tmp_path_factory.mktemp("site")
    releases = root / "releases"
    releases.mkdir()
    shutil.copytree(release_folder(BUNDLED), releases / BUNDLED)
    shutil.copytree(CORPUS, root / "corpus")
    bump_version(root / "corpus", VERSION)
    corpus = str(root / "corpus")
    for command in (["build", corpus, "-q"], ["release", "--publish", "--corpus", corpus]):
        result = CliRunner().invoke(app, [*command, "--releases", str(releases)])
        assert result.exit_code == 0, result.output  # the host's release is published
    return releases


@pytest.fixture
def host(site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReleaseServer]:
    with ReleaseServer(site) as server:
        monkeypatch.setenv("NKDATA_BASE_URL", server.url)
        yield server


@pytest.fixture
def cli(nkdata):  # the CLI runner fixture is named like the package
    """Run the CLI in-process: ``cli("download", VERSION)``."""
    return nkdata


@pytest.fixture
def cache() -> Path:
    return Path(os.environ["NKDATA_CACHE_DIR"])


def cache_files(cache: Path) -> list[str]:
    """Every file and folder in the cache, relative to it."""
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*"))


def expected_hash(site: Path, name: str) -> str:
    descriptor = json.loads((site / VERSION / "datapackage.json").read_text(encoding="utf-8"))
    return next(e["hash"] for e in descriptor["resources"] if e["path"] == name)


def test_download_load_and_cache_hit(host: ReleaseServer, site: Path, cache: Path) -> None:
    data = nkdata.load(VERSION)
    assert data.version == VERSION and data.origin == "cache"
    assert data.path == cache / VERSION
    expected_rows = pq.read_table(site / VERSION / "claims.parquet").num_rows
    assert len(data.claims) == expected_rows
    assert sorted(host.requests) == sorted(["index.json", *(f"{VERSION}/{n}" for n in FILES)])
    assert cache_files(cache) == sorted(
        ["index.json", VERSION, *PIN, *(f"{VERSION}/{n}" for n in FILES)]
    )

    host.requests.clear()
    again = nkdata.load(VERSION)
    assert [len(getattr(again, t)) for t in TABLES] == [len(getattr(data, t)) for t in TABLES]
    assert host.requests == [], "a cached version is loaded without a single request"


def test_progress_counts_every_byte_fetched(host: ReleaseServer, site: Path, monkeypatch) -> None:
    from nkdata.download import fetch_release
    from nkdata.progress import ByteProgress

    class Recorder(ByteProgress):
        def start(self, total: int) -> None:
            self.total, self.seen = total, 0
            super().start(total)

        def advance(self, size: int) -> None:
            self.seen += size
            super().advance(size)

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # draw the rich bar, too
    with Recorder("test", enabled=True) as bar:
        fetch_release(VERSION, progress=bar)
    data_files = [site / VERSION / name for name in FILES if name != "datapackage.json"]
    assert bar.total == bar.seen == sum(path.stat().st_size for path in data_files)


def test_cached_version_loads_offline(host: ReleaseServer, monkeypatch) -> None:
    nkdata.load(VERSION)
    host.requests.clear()
    monkeypatch.setenv("NKDATA_OFFLINE", "1")
    assert next(iter(nkdata.load(VERSION).figures)).id
    assert host.requests == []


def test_offline_mode_without_the_data(host: ReleaseServer, cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("NKDATA_OFFLINE", "1")
    message = rf"version {re.escape(VERSION)} .*NKDATA_OFFLINE"
    with pytest.raises(nkdata.OfflineError, match=message):
        nkdata.load(VERSION)
    assert host.requests == [] and cache_files(cache) == []


def test_offline_mode_never_downloads_a_known_version(host, cache: Path, cli, monkeypatch) -> None:
    nkdata.load(VERSION)
    shutil.rmtree(cache / VERSION)
    host.requests.clear()
    monkeypatch.setenv("NKDATA_OFFLINE", "1")
    result = cli("download", VERSION)
    assert result.exit_code == 1 and "offline mode (NKDATA_OFFLINE) is on" in result.stderr
    assert host.requests == [] and cache_files(cache) == ["index.json", *PIN]


def test_missing_version_lists_the_available_ones(host: ReleaseServer, cache: Path) -> None:
    on_host = f"lists {BUNDLED}, {VERSION}."
    with pytest.raises(
        nkdata.VersionNotFoundError, match=rf"9\.9\.9 does not exist: .*{re.escape(on_host)}"
    ):
        nkdata.load("9.9.9")
    assert host.requests == ["index.json"]
    assert cache_files(cache) == ["index.json"]


def test_tampered_file_on_the_host_is_refused(host: ReleaseServer, site: Path, cache) -> None:
    good = (site / VERSION / "claims.parquet").read_bytes()
    bad = good[:100] + bytes([good[100] ^ 1]) + good[101:]
    host.faults[f"{VERSION}/claims.parquet"] = body(bad, length=len(bad))
    with pytest.raises(nkdata.ChecksumError) as caught:
        nkdata.load(VERSION)
    message = str(caught.value)
    actual = f"sha256:{__import__('hashlib').sha256(bad).hexdigest()}"
    assert "claims.parquet" in message and "Nothing was kept" in message
    assert f"expected {expected_hash(site, 'claims.parquet')}, got {actual}" in message
    assert cache_files(cache) == ["index.json"], "no file of the failed download is kept"


def test_file_damaged_in_the_cache_is_removed_then_fetched_again(
    host: ReleaseServer, site: Path, cache: Path
) -> None:
    nkdata.load(VERSION)
    damaged = cache / VERSION / "figures.parquet"
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"!")
    actual = ReleaseFile.of(damaged).sha256
    host.requests.clear()

    data = nkdata.load(VERSION)  # the descriptor is checked on load, tables on first use
    with pytest.raises(nkdata.ChecksumError) as caught:
        data.figures.to_arrow()
    message = str(caught.value)
    assert f"expected {expected_hash(site, 'figures.parquet')}, got {actual}" in message
    assert "figures.parquet" in message and "removed from the cache" in message
    assert not damaged.exists()

    assert len(nkdata.load(VERSION).figures) > 0
    assert host.requests == [f"{VERSION}/figures.parquet"], "only the removed file is fetched"


def test_file_missing_on_the_host(host: ReleaseServer, cache: Path) -> None:
    host.faults[f"{VERSION}/figures.csv"] = status(404)
    with pytest.raises(nkdata.DownloadError, match=r"figures\.csv does not exist .*HTTP 404"):
        nkdata.load(VERSION)
    assert cache_files(cache) == ["index.json"]


def test_server_error(host: ReleaseServer, cache: Path) -> None:
    host.faults["*"] = status(500)
    with pytest.raises(nkdata.DownloadError, match=r"HTTP 500 for .*index\.json; try again later"):
        nkdata.load(VERSION)
    assert cache_files(cache) == []


def test_unreachable_host(cache: Path) -> None:
    with pytest.raises(
        nkdata.DownloadError, match=r"cannot reach the release host.*NKDATA_OFFLINE"
    ):
        nkdata.load(VERSION)
    assert cache_files(cache) == []


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "connection-close"])
def test_truncated_file_is_refused(host, site: Path, cache: Path, announced: bool) -> None:
    name = f"{VERSION}/articles.parquet"
    data = (site / name).read_bytes()
    host.faults[name] = truncated if announced else body(data[:1000], length=None)
    with pytest.raises(
        nkdata.DownloadError,
        match=rf"articles\.parquet: the download stopped after [0-9,]+ of {len(data):,} bytes",
    ):
        nkdata.load(VERSION)
    assert cache_files(cache) == ["index.json"]


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "connection-close"])
def test_oversized_response_is_refused(host, site: Path, cache: Path, announced: bool) -> None:
    name = f"{VERSION}/claims.csv"
    data = (site / name).read_bytes() + b"x" * (1 << 20)
    host.faults[name] = body(data, length=len(data) if announced else None)
    with pytest.raises(
        nkdata.DownloadError,
        match=r"claims\.csv: the release host sent more than the [0-9,]+ bytes expected",
    ):
        nkdata.load(VERSION)
    assert cache_files(cache) == ["index.json"]


def test_oversized_index_is_refused(host, cache: Path) -> None:
    host.faults["index.json"] = body(b" " * ((1 << 20) + 1), length=None)
    with pytest.raises(nkdata.DownloadError, match=r"index\.json: the release host sent more"):
        nkdata.load(VERSION)
    assert cache_files(cache) == []


def test_redirect_to_another_host_is_refused(host: ReleaseServer, site: Path, cache) -> None:
    with ReleaseServer(site) as elsewhere:
        name = f"{VERSION}/sources.parquet"
        host.faults[name] = redirect(f"http://localhost:{elsewhere.server.server_port}/{name}")
        with pytest.raises(
            nkdata.DownloadError, match=r"redirects to another host \(http://localhost"
        ):
            nkdata.load(VERSION)
        assert elsewhere.requests == [], "the other host is never contacted"
    assert cache_files(cache) == ["index.json"]


def test_redirect_on_the_same_host_is_followed(host: ReleaseServer, site: Path) -> None:
    name = f"{VERSION}/quantities.csv"
    host.faults[name] = redirect(f"/moved/{name}")
    host.faults[f"moved/{name}"] = body((site / name).read_bytes(), length=None)
    assert len(nkdata.load(VERSION).quantities) > 0
    assert f"moved/{name}" in host.requests


@pytest.fixture
def forged_site(site: Path, tmp_path: Path) -> Path:
    """A host whose index vouches for a descriptor naming a file outside the release folder."""
    forged = tmp_path / "forged"
    shutil.copytree(site, forged)
    descriptor = forged / VERSION / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    package["resources"][0]["path"] = "../../escaped.csv"
    descriptor.write_text(json.dumps(package), encoding="utf-8")
    (forged / "escaped.csv").write_text("id\n", encoding="utf-8")
    index = json.loads((forged / "index.json").read_text(encoding="utf-8"))
    stats = ReleaseFile.of(descriptor)
    index["versions"][VERSION] = {"datapackage": stats.sha256, "bytes": stats.bytes}
    (forged / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return forged


def test_path_traversal_in_a_descriptor_is_refused(
    forged_site: Path, cache: Path, monkeypatch
) -> None:
    with ReleaseServer(forged_site) as forged:
        monkeypatch.setenv("NKDATA_BASE_URL", forged.url)
        with pytest.raises(nkdata.ReleaseError, match=r"unsafe file path '\.\./\.\./escaped\.csv'"):
            nkdata.load(VERSION)
        assert forged.requests == ["index.json", f"{VERSION}/datapackage.json"]
    assert cache_files(cache) == ["index.json"]
    assert not (cache.parent / "escaped.csv").exists()


def test_malformed_index_is_a_clear_error(host: ReleaseServer, cache: Path) -> None:
    host.faults["index.json"] = body(b"<html>not json</html>", length=None)
    with pytest.raises(nkdata.ReleaseError, match=r"index\.json is not a valid release index"):
        nkdata.load(VERSION)
    assert cache_files(cache) == []


def test_damaged_cached_index_is_replaced(host: ReleaseServer, cache: Path) -> None:
    nkdata.load(VERSION)
    (cache / "index.json").write_text("{", encoding="utf-8")
    host.requests.clear()
    assert nkdata.load(VERSION).version == VERSION
    assert host.requests == [], "a downloaded version is pinned: its load needs no index"
    with pytest.raises(nkdata.VersionNotFoundError):
        nkdata.load("9.9.9")
    assert host.requests == ["index.json"], "only the index is fetched again"
    assert json.loads((cache / "index.json").read_text(encoding="utf-8"))["latest"] == VERSION


def test_cli_download_to_cache_then_again(host: ReleaseServer, cli) -> None:
    first = cli("download", VERSION)
    assert first.exit_code == 0, first.stderr
    files = len(FILES)  # every table as Parquet and CSV, the data card and the descriptor
    assert f"release {VERSION} in " in first.stdout
    assert f"{files} files verified, {files} downloaded" in first.stdout
    again = cli("download", VERSION)
    assert again.exit_code == 0 and f"{files} files verified, 0 downloaded" in again.stdout


def test_cli_download_latest_to_a_folder_then_verify(host, tmp_path: Path, cli) -> None:
    dest = tmp_path / "a" / "b"
    result = cli("download", "--dest", dest)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in dest.iterdir()) == sorted(FILES)
    assert {p.stat().st_mode & 0o777 for p in dest.iterdir()} == {0o644}
    checked = cli("verify", dest)
    assert checked.exit_code == 0 and f"verified: release {VERSION}" in checked.stdout
    assert len(nkdata.load(path=dest).claims) > 0


def test_cli_download_of_a_bundled_version_copies_without_network(tmp_path: Path, cli) -> None:
    assert cli("download", BUNDLED).stdout.startswith(f"release {BUNDLED} is bundled")
    result = cli("download", BUNDLED, "--dest", tmp_path / "copy")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == sorted(FILES)


def test_cli_failed_download_writes_nothing(host: ReleaseServer, tmp_path: Path, cli) -> None:
    host.faults[f"{VERSION}/sources.csv"] = status(500)
    result = cli("download", VERSION, "--dest", tmp_path / "new" / "folder")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the release host answered HTTP 500")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_download_into_a_file_is_a_clear_error(tmp_path: Path, cli) -> None:
    (tmp_path / "taken").write_text("", encoding="utf-8")
    result = cli("download", BUNDLED, "--dest", tmp_path / "taken")
    assert result.exit_code == 1 and result.stderr.startswith("Error: cannot write to ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["download", "1.2"], 2, "Error: '1.2' is not a version"),
        (["download", "9.9.9"], 1, "Error: version 9.9.9 does not exist"),
    ],
)
def test_cli_download_errors(host, cli, args: list[str], code: int, message: str) -> None:
    result = cli(*args)
    assert result.exit_code == code and result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_versions(host: ReleaseServer, cli, monkeypatch) -> None:
    cli("download", VERSION)
    result = cli("versions")
    assert result.exit_code == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    bundled = released_versions()[::-1]  # a checkout bundles every committed release
    on_host = {BUNDLED}
    assert lines[1:] == [
        [VERSION, "published", "-", "yes", "yes", "(latest)"],
        *([v, release_state(v), "yes", "-", "yes" if v in on_host else "-"] for v in bundled),
    ]

    monkeypatch.setenv("NKDATA_OFFLINE", "1")
    host.requests.clear()
    offline = cli("versions")
    assert offline.exit_code == 0 and host.requests == []
    assert [line.split() for line in offline.stdout.splitlines()][1:] == [
        [VERSION, "?", "-", "yes", "?"],  # only the host's index says what it is
        *([v, release_state(v), "yes", "-", "?"] for v in bundled),
    ]
    assert "offline mode" in offline.stderr


def test_cli_versions_tells_a_draft_from_a_published_version(
    site: Path, tmp_path: Path, cli, monkeypatch
) -> None:
    drafts = tmp_path / "drafts"
    shutil.copytree(site, drafts)
    index = json.loads((drafts / "index.json").read_text(encoding="utf-8"))
    index["versions"][VERSION]["published"] = False  # built, not yet published: may change
    (drafts / "index.json").write_text(json.dumps(index), encoding="utf-8")
    with ReleaseServer(drafts) as server:
        monkeypatch.setenv("NKDATA_BASE_URL", server.url)
        result = cli("versions")
    assert result.exit_code == 0, result.stderr
    states = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:]}
    assert states[VERSION] == "draft"
    # this host lists BUNDLED as a draft (its folder was copied without the index that
    # published it): a published version stays published whichever index says so
    assert states[BUNDLED] == release_state(BUNDLED)


def test_cli_versions_with_the_host_down(cli) -> None:
    result = cli("versions")
    assert result.exit_code == 0, "what is on this machine is still listed"
    listed = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert listed == released_versions()[::-1]
    assert all(line.split()[4] == "?" for line in result.stdout.splitlines()[1:])
    assert result.stderr.startswith("note: the release host could not be asked (cannot reach")
