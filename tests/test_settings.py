"""Where nkdata looks for data: defaults and environment overrides (nothing is created)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

import nkdata
from nkdata import settings


def test_defaults(monkeypatch) -> None:
    for name in (settings.CACHE_ENV, settings.BASE_URL_ENV, settings.OFFLINE_ENV):
        monkeypatch.delenv(name, raising=False)
    assert settings.cache_dir() == Path(platformdirs.user_cache_dir("nkdata", appauthor=False))
    assert settings.base_url() == settings.DEFAULT_BASE_URL
    assert settings.DEFAULT_BASE_URL.startswith("https://")
    assert not settings.offline()


def test_overrides(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NKDATA_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("NKDATA_BASE_URL", "http://127.0.0.1:8000/releases/")
    assert settings.cache_dir() == tmp_path / "c"
    assert settings.base_url() == "http://127.0.0.1:8000/releases"
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize(
    ("value", "offline"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("off", False),
        ("", False),
    ],
)
def test_offline_switch(monkeypatch, value: str, offline: bool) -> None:
    monkeypatch.setenv("NKDATA_OFFLINE", value)
    assert settings.offline() is offline


@pytest.mark.parametrize("url", ["ftp://example.org/releases", "example.org/releases", "http://"])
def test_base_url_must_be_http(monkeypatch, url: str) -> None:
    monkeypatch.setenv("NKDATA_BASE_URL", url)
    with pytest.raises(nkdata.NkdataError, match="NKDATA_BASE_URL must be an http"):
        nkdata.load("0.0.1")
