"""The Data Package v2 descriptor of a release, built from dataset.yaml, the models and the files.

Every resource names its path, format, mediatype, encoding, size and ``sha256:`` hash. CSV
resources carry the Table Schema with primary and foreign keys (so ``frictionless validate``
checks them). Parquet resources are typed ``file`` (frictionless reads Parquet lists wrongly and
cannot count its bytes) and carry the same schema, without foreign keys, for other tools.
``created`` comes from the dataset's release date, never from the clock.
"""

from __future__ import annotations

import uuid
from typing import Any

import pyarrow as pa

from nkdata.release.fileformats import CSV_DIALECT
from nkdata.schema.columns import table_models
from nkdata.schema.corpus_files import DatasetFile
from nkdata.schema.export import table_schema
from nkdata.schema.releasefolder import CARD, FORMATS, ReleaseFile, table_file

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
CITATION_KEY = "nkdata:citation"
TEXT_RIGHTS_KEY = "nkdata:text_rights"
"""Descriptor properties of our own (Data Package v2 has none for these), namespaced."""
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


CARD_DESCRIPTION = "The data card: what the release holds, how it was made, how to use it."


def card_resource(path: str, file: ReleaseFile) -> dict[str, Any]:
    """The data card as a resource, so that its bytes are checked like every other file's."""
    return {
        "name": "readme",
        "path": path,
        "format": "md",
        "mediatype": "text/markdown",
        "encoding": "utf-8",
        "bytes": file.bytes,
        "hash": file.sha256,
        "description": CARD_DESCRIPTION,
    }


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
) -> dict[str, Any]:
    """The descriptor of a release whose files (tables and data card) are ``files`` (by name).

    ``prefix`` is prepended to every path: ``""`` inside a release folder,
    ``"releases/<version>/"`` for the repository's root descriptor.
    """
    resources = [
        resource(table, fmt, prefix + table_file(table, fmt), files[table_file(table, fmt)])
        for fmt in FORMATS
        for table in table_models()
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
