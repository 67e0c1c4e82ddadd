"""What ``nkdata info`` says about a release: name, version, row counts, licences and citation.

Everything comes from the loaded release (:func:`nkdata.load`): its descriptor (with the
``nkdata:citation`` and ``nkdata:text_rights`` properties) and the length of each table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nkdata.schema.columns import table_models
from nkdata.schema.releasefolder import CITATION_KEY, TEXT_RIGHTS_KEY

if TYPE_CHECKING:
    from nkdata.loading import Dataset


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """The facts ``nkdata info`` prints."""

    name: str
    version: str
    title: str
    created: str
    rows: dict[str, int]
    licenses: list[str]
    text_rights: str | None
    citation: str | None
    path: str


def release_info(dataset: Dataset) -> ReleaseInfo:
    """Collect the facts of a loaded release; reads every table's Parquet file to count rows."""
    descriptor = dataset.descriptor
    licenses = [
        f"{entry.get('name', '?')}: {entry.get('title', '')}"
        + (f" ({entry['path']})" if entry.get("path") else "")  # other-closed has no licence text
        for entry in descriptor.get("licenses", [])
    ]
    return ReleaseInfo(
        name=str(descriptor.get("name", "")),
        version=dataset.version,
        title=str(descriptor.get("title", "")),
        created=str(descriptor.get("created", ""))[:10],
        rows={name: len(getattr(dataset, name)) for name in table_models()},
        licenses=licenses,
        text_rights=descriptor.get(TEXT_RIGHTS_KEY),
        citation=descriptor.get(CITATION_KEY),
        path=str(dataset.path),
    )


def render_info(info: ReleaseInfo) -> list[str]:
    """The text of ``nkdata info``."""
    width = max(len(name) for name in info.rows)
    lines = [
        f"{info.name} {info.version}: {info.title}",
        f"released {info.created}, read from {info.path}",
        "",
        "rows:",
        *(f"  {name:<{width}}  {count:>8,}" for name, count in info.rows.items()),
        "",
        "licences:",
        *(f"  {entry}" for entry in info.licenses),
    ]
    if info.text_rights:
        lines += ["", "article texts:", f"  {info.text_rights}"]
    lines += ["", "citation:", f"  {info.citation or 'not recorded in this release'}"]
    return lines
