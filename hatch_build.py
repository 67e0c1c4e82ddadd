"""Hatch build hook: the wheel carries the latest release and the index of every release.

``releases/index.json`` names the latest version; its folder goes into the wheel as
``nkdata/_releases/<version>/`` beside ``nkdata/_releases/index.json``, where
:func:`nkdata.store.bundled_root` finds them. Older versions stay out of the wheel: the index
pins their descriptor hashes, and ``nkdata.load(version)`` downloads them. Editable installs
read ``releases/`` of the checkout instead; a source tree without ``releases/index.json`` (a
partial copy) builds a wheel of the code alone, whose ``nkdata.load()`` says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class BundleLatestRelease(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        releases = Path(self.root) / "releases"
        index = releases / "index.json"
        if not index.is_file():  # a source tree without releases: the code alone
            return
        latest = json.loads(index.read_text(encoding="utf-8"))["latest"]
        if latest is None or not (releases / latest / "datapackage.json").is_file():
            raise RuntimeError(f"{index} names no latest release with a datapackage.json")
        build_data["force_include"][str(index)] = "nkdata/_releases/index.json"
        for path in sorted((releases / latest).iterdir()):
            build_data["force_include"][str(path)] = f"nkdata/_releases/{latest}/{path.name}"
