"""The Data Package v2 descriptor of a release, built from dataset.yaml, the models and the files.

Every resource names its path, format, mediatype, encoding, size and ``sha256:`` hash. CSV
resources carry the Table Schema with primary and foreign keys (so ``frictionless validate``
checks them). Parquet resources are typed ``file`` (frictionless reads Parquet lists wrongly and
cannot count its bytes) and carry the same schema, without foreign keys, for other tools. The
data card's charts are ``file`` resources too (``image/svg+xml``), so that every file of the
release is listed with its hash. ``created`` comes from the dataset's release date, never from
the clock.
"""

from __future__ import annotations

import uuid
from typing import Any

import pyarrow as pa

from nkdata.release.fileformats import CSV_DIALECT
from nkdata.schema.columns import table_models
from nkdata.schema.corpus_files import DatasetFile
from nkdata.schema.export import table_schema
from nkdata.schema.releasefolder import (
    CARD,
    CHART,
    CITATION_KEY,
    FORMATS,
    TEXT_RIGHTS_KEY,
    ReleaseFile,
    chart_file,
    table_file,
)

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
TEXT_RIGHTS_NOTE = (
    "The `text` column holds the article texts, which stay the property of "
    "their publishers and are not covered by the package licence; see each "
    "article's `rights`."
)
TEXT_LICENSE = {
    "name": "other-closed",
    "title": "The article texts (articles.text): copyright of their publishers, not openly "
    "licensed; included verbatim for non-commercial research and criticism, see each "
    "article's `rights`",
}
"""The second licence of a release: Open Definition's ``other-closed``, for the texts only."""


def package_id(name: str, version: str) -> str:
    """A stable, globally unique id for one version of the package (a name-based UUID)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'nkdata:{name}@{version}')}"


def resource(table: str, fmt: str, path: str, file: ReleaseFile) -> dict[str, Any]:
    """One resource: a table in one format."""
    file_format, mediatype = FORMATS[fmt]
    entry: dict[str, Any] = {
        "name": table if fmt == "csv" else f"{table}-{fmt}",
        "type": "table" if fmt == "csv" else "file",
        "path": path,
        "format": file_format,
        "mediatype": mediatype,
        "encoding": "utf-8",
        "bytes": file.bytes,
        "hash": file.sha256,
    }
    if fmt == "csv":
        entry["dialect"] = CSV_DIALECT
        entry["schema"] = table_schema(table_models()[table])
    else:
        entry["description"] = f"The `{table}` table as Parquet; same rows and columns as the CSV."
        entry["schema"] = {
            k: v for k, v in table_schema(table_models()[table]).items() if k != "foreignKeys"
        }
    if table == "articles":
        entry["description"] = (entry.get("description", "") + " " + TEXT_RIGHTS_NOTE).strip()
    return entry


def _file_resource(
    name: str, path: str, form: tuple[str, str], file: ReleaseFile, description: str
) -> dict[str, Any]:
    """A file of the release that is not a table, described so that its bytes are checked like
    every other file's (by downloads and `nkdata verify`)."""
    file_format, mediatype = form
    return {
        "name": name,
        "type": "file",
        "path": path,
        "format": file_format,
        "mediatype": mediatype,
        "encoding": "utf-8",
        "bytes": file.bytes,
        "hash": file.sha256,
        "description": description,
    }


def chart_resource(quantity_id: str, label: str, path: str, file: ReleaseFile) -> dict[str, Any]:
    """One resource: the data card's chart of a quantity's figures."""
    description = (
        f"Chart of the figures of `{quantity_id}` ({label}) over time, as the data card shows it."
    )
    return _file_resource(f"chart-{quantity_id}", path, CHART, file, description)


CARD_DESCRIPTION = "The data card: what the release holds, how it was made, how to use it."


def card_resource(path: str, file: ReleaseFile) -> dict[str, Any]:
    """The data card as a resource."""
    return _file_resource("readme", path, ("md", "text/markdown"), file, CARD_DESCRIPTION)


def publishers(tables: dict[str, pa.Table]) -> list[dict[str, str]]:
    """Data Package ``sources``: every outlet an article is published by or relays."""
    by_id = {row["id"]: row for row in tables["sources"].to_pylist()}
    articles = tables["articles"]
    ids = set(articles.column("publisher_id").to_pylist())
    ids |= {via for via in articles.column("via_id").to_pylist() if via}
    result = []
    for source_id in sorted(ids):
        entry = {"title": by_id[source_id]["name"]}
        if by_id[source_id]["url"]:
            entry["path"] = by_id[source_id]["url"]
        result.append(entry)
    return result


def descriptor(
    dataset: DatasetFile,
    files: dict[str, ReleaseFile],
    prefix: str = "",
    publishers: list[dict[str, str]] | None = None,
    charts: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The descriptor of a release whose files (tables, charts and data card) are ``files``
    (by name); ``charts`` names the charts' quantities (quantity id → label).

    ``prefix`` is prepended to every path: ``""`` inside a release folder,
    ``"releases/<version>/"`` for the repository's root descriptor.
    """
    resources = [
        resource(table, fmt, prefix + table_file(table, fmt), files[table_file(table, fmt)])
        for fmt in FORMATS
        for table in table_models()
    ]
    resources += [
        chart_resource(quantity, label, prefix + chart_file(quantity), files[chart_file(quantity)])
        for quantity, label in sorted((charts or {}).items())
    ]
    resources.append(card_resource(prefix + CARD, files[CARD]))
    licence = dataset.license.model_dump()
    licence["title"] += " (the annotations: every table and column except articles.text)"
    return {
        "$schema": PACKAGE_PROFILE,
        "name": dataset.name,
        "id": package_id(dataset.name, dataset.version),
        "version": dataset.version,
        "title": dataset.title,
        "description": dataset.description,
        "homepage": dataset.homepage,
        "keywords": dataset.keywords,
        "created": f"{dataset.released}T00:00:00Z",
        "licenses": [licence, TEXT_LICENSE],
        TEXT_RIGHTS_KEY: dataset.text_rights,
        CITATION_KEY: dataset.citation,
        "sources": publishers or [],
        "contributors": [c.model_dump(exclude_none=True) for c in dataset.contributors],
        "resources": resources,
    }
