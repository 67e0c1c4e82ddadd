"""What ``nkdata info`` says about a release: name, version, row counts, licences and citation.

Everything comes from the loaded release (:func:`nkdata.load`): its descriptor, the length of
each table, and, for the citation, the descriptor's ``nkdata:citation`` or else the Citation
section of the release's data card (``README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nkdata.columns import table_models

if TYPE_CHECKING:
    from nkdata.loading import Dataset

CITATION_KEY = "nkdata:citation"
TEXT_RIGHTS_KEY = "nkdata:text_rights"
CARD = "README.md"


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
        f"{entry.get('name', '?')}: {entry.get('title', '')} ({entry.get('path', '')})"
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
        citation=descriptor.get(CITATION_KEY) or card_citation(dataset),
        path=str(dataset.path),
    )


def card_citation(dataset: Dataset) -> str | None:
    """The paragraph under ``## Citation`` in the release's data card, if it has one."""
    try:
        card = (dataset.path / CARD).read_text(encoding="utf-8")
    except OSError:
        return None
    lines = card.splitlines()
    if "## Citation" not in lines:
        return None
    section = []
    for line in lines[lines.index("## Citation") + 1 :]:
        if line.startswith("#"):
            break
        section.append(line)
    return " ".join(" ".join(section).split()) or None


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
        "licence of the annotations:",
        *(f"  {entry}" for entry in info.licenses),
    ]
    if info.text_rights:
        lines += ["", "article texts:", f"  {info.text_rights}"]
    lines += ["", "citation:", f"  {info.citation or 'not recorded in this release'}"]
    return lines
