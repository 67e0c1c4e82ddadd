"""The release's README.md: a data card in the sections of Datasheets for Datasets and of the
Hugging Face dataset card, with a YAML header that lets ``datasets`` load the Parquet files.

Everything here is derived from dataset.yaml, the models and the tables: the card never states a
number that the release does not hold.
"""

from __future__ import annotations

import pyarrow as pa

from nkdata.release.changes import TableChanges
from nkdata.schema.columns import table_models
from nkdata.schema.corpus_files import DatasetFile
from nkdata.schema.export import column_table


def _front_matter(dataset: DatasetFile, languages: list[str]) -> list[str]:
    lines = [
        "---",
        f"pretty_name: {dataset.title!r}",
        f"license: {dataset.license.name.lower()}",
        "language:",
    ]
    lines += [f"  - {language}" for language in languages]
    lines += ["configs:"]
    for name in table_models():
        lines += [f"  - config_name: {name}", f"    data_files: {name}.parquet"]
    return [*lines, "---", ""]


def _composition(tables: dict[str, pa.Table]) -> list[str]:
    lines = ["| table | rows | what a row is |", "| --- | --- | --- |"]
    for name, model in table_models().items():
        summary = (model.__doc__ or "").strip().splitlines()[0]
        lines.append(f"| `{name}` | {tables[name].num_rows:,} | {summary} |")
    return lines


def _coverage(tables: dict[str, pa.Table]) -> list[str]:
    articles = tables["articles"]
    if articles.num_rows == 0:
        return []
    dates = articles.column("published").to_pylist()
    languages = ", ".join(sorted(set(articles.column("language").to_pylist())))
    publishers = len(set(articles.column("publisher_id").to_pylist()))
    return [
        f"The articles were published from {min(dates)} to {max(dates)} (at the precision "
        f"`published_precision` gives), by {publishers} publisher(s), in: {languages}.",
        "",
    ]


def _changes(previous: str | None, changes: dict[str, TableChanges] | None) -> list[str]:
    if previous is None or changes is None:
        return ["First release: every row is new."]
    lines = [
        f"Since {previous}:",
        "",
        "| table | added | removed | changed |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| `{name}` | {c.added:,} | {c.removed:,} | {c.changed:,} |" for name, c in changes.items()
    ]
    return lines


def data_card(
    dataset: DatasetFile,
    tables: dict[str, pa.Table],
    previous: str | None,
    changes: dict[str, TableChanges] | None,
) -> str:
    """The Markdown data card of a release."""
    languages = sorted(set(tables["articles"].column("language").to_pylist())) or ["en"]
    sections = [
        *_front_matter(dataset, languages),
        f"# {dataset.title}",
        "",
        f"Version {dataset.version}, released {dataset.released}.",
        "",
        dataset.description,
        "",
        "## Motivation",
        "",
        "Reporting on North Korea's internet access rests on few sources, relayed many times. "
        "This dataset splits that reporting into claims attributed to the source that makes "
        "them, and into figures normalised to comparable quantities, so that a reader can ask "
        "who said what, when, and on whose authority, and get rows rather than prose.",
        "",
        "## Composition",
        "",
        *_composition(tables),
        "",
        *_coverage(tables),
        "Each claim's `quote` is the exact span `text[start:end]` of its article (offsets in "
        "Unicode code points); each figure's `text` lies inside its claim's quote. Ids are "
        "stable across releases.",
        "",
        "## Collection and annotation process",
        "",
        "Articles are collected as published, their texts kept verbatim (UTF-8, NFC, LF line "
        "ends), reader comments included for provenance. Annotators record every factual "
        "assertion of the article body as a claim and every number in those claims as a figure, "
        "following `docs/annotation.md` in the repository; `nkdata validate` checks every quote, "
        "reference and figure rule before a release is built.",
        "",
        "## Personal and sensitive information",
        "",
        "Sources are named people (journalists, officials, researchers), organisations and "
        "anonymous sources, recorded only as the articles describe them: nkdata adds nothing "
        "about a person that the article does not say and never tries to identify an anonymous "
        "source. The texts concern state surveillance and punishment; read them as reporting.",
        "",
        "## Distribution",
        "",
        "Each table comes as Parquet (zstd, one row group) and as CSV (UTF-8, comma, header, LF), "
        "described by `datapackage.json` (Data Package v2) with every file's size and SHA-256 "
        "hash; `frictionless validate datapackage.json` checks the CSV files against their "
        f'schemas, primary and foreign keys. In Python, `nkdata.load("{dataset.version}")` loads '
        "this release as typed tables.",
        "",
        "CSV cells hold the values exactly as published, so a quote that begins with `=`, `+`, "
        "`-` or `@` is not escaped: a spreadsheet program may take such a cell for a formula. "
        "Import the CSV with every column as text, or use the Parquet file.",
        "",
        "## Uses",
        "",
        "Comparing figures across outlets and years; tracing how a claim travels from its source "
        "through relays; studying how reporting frames unverifiable claims.",
        "",
        "## Out-of-scope uses",
        "",
        "The figures are what articles state, not verified facts: do not use them as "
        "measurements without reading their framing and source. The texts are not licensed for "
        "republication.",
        "",
        "## Rights",
        "",
        f"Annotations: {dataset.license.title} ({dataset.license.name}, {dataset.license.path}).",
        "",
        dataset.text_rights,
        "",
        "## Maintenance",
        "",
        "Releases are immutable: a correction is a new version (semantic versioning for data: "
        "major = breaking schema change, minor = new rows or columns, patch = corrections). "
        "Report problems through the project's issue tracker.",
        "",
        "## Citation",
        "",
        dataset.citation,
        "",
        "## Changes",
        "",
        *_changes(previous, changes),
        "",
        "## Columns",
        "",
    ]
    for name, model in table_models().items():
        sections += [f"### {name}", "", *column_table(model), ""]
    return "\n".join(sections)
