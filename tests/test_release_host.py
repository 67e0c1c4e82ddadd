"""Classes 2, 6, 8 and 9 of the trust issue, against a real HTTP host on 127.0.0.1: a version
once downloaded never changes (a host that changes it is an error naming both hashes, and the
user's copy is kept); `download --dest` never replaces a user's file; a redirect's Location
never reaches the terminal raw; a trickling host cannot hold a download forever; a killed
download's staging folder is removed by the next one."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import nkdata
from nkdata import settings
from nkdata.schema.releasefolder import ReleaseFile, index_of
from tests.support.releaseserver import Handler, ReleaseServer, redirect, serving
from tests.support.smallrelease import build, small_corpus


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A releases folder the host serves: one small release and its index."""
    releases = tmp_path / "site"
    build(small_corpus(tmp_path / "src", 3), releases)
    (releases / "index.json").write_text(json.dumps(index_of(releases)), encoding="utf-8")
    return releases


@pytest.fixture
def host(site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReleaseServer]:
    with serving(site, monkeypatch) as server:
        yield server


def version_of(site: Path) -> str:
    return json.loads((site / "index.json").read_text(encoding="utf-8"))["latest"]


def change_the_release_on_the_host(site: Path) -> str:
    """The host serves other bytes for the same version, with a matching index."""
    version = version_of(site)
    descriptor = site / version / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    package["title"] += " (changed)"
    descriptor.write_text(json.dumps(package, indent=2), encoding="utf-8")
    (site / "index.json").write_text(json.dumps(index_of(site)), encoding="utf-8")
    return ReleaseFile.of(descriptor).sha256


def test_class2_a_downloaded_version_never_changes(host, site: Path, private_cache: Path) -> None:
    version = version_of(site)
    first = nkdata.load(version)
    kept = ReleaseFile.of(first.path / "datapackage.json").sha256
    title = first.descriptor["title"]
    changed = change_the_release_on_the_host(site)

    with pytest.raises(nkdata.ReleaseError) as caught:
        nkdata.load("9.9.9")  # asks the host's index, which now changes the version
    assert kept in str(caught.value) and changed in str(caught.value)

    again = nkdata.load(version)
    assert again.descriptor["title"] == title, "the user's copy is kept"
    assert ReleaseFile.of(again.path / "datapackage.json").sha256 == kept


def test_class2_a_changed_cached_index_cannot_replace_a_pinned_version(
    host, site: Path, private_cache: Path
) -> None:
    version = version_of(site)
    nkdata.load(version)
    kept = ReleaseFile.of(private_cache / version / "datapackage.json").sha256
    change_the_release_on_the_host(site)
    shutil.copy(site / "index.json", private_cache / "index.json")  # as an older nkdata kept it
    assert nkdata.load(version).descriptor["title"].endswith("(changed)") is False
    assert ReleaseFile.of(private_cache / version / "datapackage.json").sha256 == kept


def test_class2_an_unpinned_cached_copy_is_never_deleted(
    host, site: Path, private_cache: Path
) -> None:
    version = version_of(site)
    nkdata.load(version)
    shutil.rmtree(private_cache / "pinned")  # a cache written before versions were pinned
    kept = (private_cache / version / "datapackage.json").read_bytes()
    changed = change_the_release_on_the_host(site)
    shutil.copy(site / "index.json", private_cache / "index.json")
    with pytest.raises(nkdata.ChecksumError) as caught:
        nkdata.load(version)
    assert changed in str(caught.value) and "kept" in str(caught.value)
    assert (private_cache / version / "datapackage.json").read_bytes() == kept


def test_class6_download_dest_never_replaces_a_users_file(host, site: Path, tmp_path: Path, nkdata):
    version = version_of(site)
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "claims.csv").write_text("my own notes\n", encoding="utf-8")
    run = nkdata("download", version, "--dest", dest, "--quiet")
    assert run.exit_code == 1 and "refusing to replace" in run.stderr
    assert (dest / "claims.csv").read_text(encoding="utf-8") == "my own notes\n"
    assert sorted(p.name for p in dest.iterdir()) == ["claims.csv"]


def test_class8_a_redirect_location_never_reaches_the_terminal_raw(host, site: Path, nkdata):
    version = version_of(site)
    host.faults[f"{version}/datapackage.json"] = redirect("http://elsewhere.test/\x1b[2J\x07x")
    run = nkdata("download", version, "--quiet")
    assert run.exit_code == 1
    assert "\x1b" not in run.stderr and "\\u001b[2J" in run.stderr


def trickle(handler: Handler) -> None:
    """Announce the file, then send it a byte at a time, slowly."""
    data = handler.file_bytes()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    try:
        for byte in data[:50]:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass  # the client hung up, as it should


def test_class9_a_trickling_host_cannot_hold_a_download(
    host, site: Path, monkeypatch: pytest.MonkeyPatch, private_cache: Path
) -> None:
    version = version_of(site)
    monkeypatch.setattr(settings, "DEADLINE", 1.0)
    monkeypatch.setattr(settings, "MIN_RATE", 1 << 40)
    host.faults[f"{version}/claims.parquet"] = trickle
    started = time.monotonic()
    with pytest.raises(nkdata.DownloadError, match="too slowly"):
        nkdata.load(version)
    assert time.monotonic() - started < 15
    assert not (private_cache / version).exists()


def test_class5_a_killed_downloads_staging_folder_is_removed(host, site, private_cache: Path):
    dead = 2**22 + 12345  # no such process
    stale = private_cache / f".nkdata-download-{dead}-abc"
    stale.mkdir(parents=True)
    (stale / "claims.parquet").write_bytes(b"partial")
    running = private_cache / f".nkdata-download-{os.getpid()}-def"
    running.mkdir()
    nkdata.load(version_of(site))
    assert not stale.exists() and running.exists()
