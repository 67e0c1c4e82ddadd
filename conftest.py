"""Fixtures for every test and every doctest of the package (``pytest`` collects both)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_real_cache_no_network(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets a private download cache and a release host that refuses connections
    (the discard port), so that no test reads the user's cache or reaches the network;
    matplotlib keeps its font cache in the session's temporary folder, not the user's."""
    monkeypatch.setenv("NKDATA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path_factory.getbasetemp() / "matplotlib"))
    monkeypatch.setenv("NKDATA_BASE_URL", "http://127.0.0.1:9/releases")
    monkeypatch.delenv("NKDATA_OFFLINE", raising=False)
    for proxy in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)
        monkeypatch.delenv(proxy.upper(), raising=False)
