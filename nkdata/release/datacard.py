"""The release's README.md: a data card in the sections of Datasheets for Datasets and of the
Hugging Face dataset card, with a YAML header that lets ``datasets`` load the Parquet files.

The fixed prose is the template ``datacard.md`` beside this module; everything filled into it is
derived from dataset.yaml, the models and the tables: the card never states a number that the
release does not hold.
"""

from __future__ import annotations

from importlib.resources import files
from string import Template

import pyarrow as pa

from nkdata.release.diff import ReleaseDiff
from nkdata.release.diffreport import markdown
from nkdata.release.errata import errata_lines
from nkdata.schema.columns import table_models
from nkdata.schema.corpus_files import DatasetFile, Erratum
from nkdata.schema.export import column_table

TEMPLATE = Template(files(__package__).joinpath("datacard.md").read_text(encoding="utf-8"))
"""The card's fixed prose, with ``${name}`` where a fact of the release goes."""


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


CHANGED_ROWS_SHOWN = 100
"""Rows listed per table and kind in the card's Changes; `nkdata diff` lists them all."""


def _changes(diff: ReleaseDiff | None) -> list[str]:
    if diff is None:
        return ["First release: every row is new."]
    return markdown(diff, limit=CHANGED_ROWS_SHOWN)


def data_card(
    dataset: DatasetFile,
    tables: dict[str, pa.Table],
    diff: ReleaseDiff | None,
    errata: list[Erratum],
) -> str:
    """The Markdown data card of a release: ``datacard.md`` with the release's facts filled in."""
    languages = sorted(set(tables["articles"].column("language").to_pylist())) or ["en"]
    columns = [
        "\n".join([f"### {name}", "", *column_table(model)])
        for name, model in table_models().items()
    ]
    return TEMPLATE.substitute(
        front_matter="\n".join(_front_matter(dataset, languages)),
        title=dataset.title,
        version=dataset.version,
        released=dataset.released,
        description=dataset.description,
        composition="\n".join(_composition(tables)),
        coverage="".join(line + "\n" for line in _coverage(tables)),
        license_title=dataset.license.title,
        license_name=dataset.license.name,
        license_path=dataset.license.path,
        text_rights=dataset.text_rights,
        citation=dataset.citation,
        changes="\n".join(_changes(diff)),
        errata="\n".join(errata_lines(errata)),
        columns="\n\n".join(columns),
    )
