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

from nkdata.release.changes import TableChanges
from nkdata.schema.columns import table_models
from nkdata.schema.corpus_files import DatasetFile
from nkdata.schema.export import column_table
from nkdata.schema.vocab import MEANINGS, VAGUE_WORDS

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
    rows = articles.select(["published_edtf", "published_latest"]).to_pylist()
    exact = sum(1 for row in rows if "/" not in row["published_edtf"])
    edtf = sorted(row["published_edtf"] for row in rows)
    open_ended = sum(1 for row in rows if row["published_latest"] is None)
    languages = ", ".join(sorted(set(articles.column("language").to_pylist())))
    publishers = len(set(articles.column("publisher_id").to_pylist()))
    return [
        f"Publication dates (EDTF, as `published_edtf` gives them) range from {edtf[0]} to "
        f"{edtf[-1]}: {exact} article(s) have one day, month or year, {len(rows) - exact} an "
        f"interval, {open_ended} of them open-ended (`2017/..` is 2017 or later: `published` "
        f"is then the earliest possible day, never the day). {publishers} publisher(s); "
        f"languages: {languages}.",
        "",
    ]


def _codebook() -> str:
    """Every vocabulary's values and meanings, and the vague-words table, as Markdown."""
    from nkdata.schema.columns import Column, columns

    used: dict[str, list[str]] = {}
    for name, model in table_models().items():
        column: Column
        for column in columns(model):
            if column.vocabulary:
                used.setdefault(column.vocabulary, []).append(f"`{name}.{column.name}`")
    blocks = []
    for vocabulary, where in used.items():
        rows = [f"| `{value}` | {meaning} |" for value, meaning in MEANINGS[vocabulary].items()]
        blocks.append(
            "\n".join(
                [f"### {', '.join(where)}", "", "| value | meaning |", "| --- | --- |", *rows]
            )
        )
    vague = [f"| {v.words} | {_bound(v.low)} | {_bound(v.high)} | {v.why} |" for v in VAGUE_WORDS]
    blocks.append(
        "\n".join(
            [
                "### How vague number words become bounds (`figures.low`, `figures.high`)",
                "",
                "| words | low | high | why |",
                "| --- | --- | --- | --- |",
                *vague,
            ]
        )
    )
    return "\n\n".join(blocks)


def _second_readings(dataset: DatasetFile) -> str:
    """The second readings as a table, oldest release first; nothing when none is recorded."""
    if not dataset.second_readings:
        return ""
    rows = [
        f"| {r.version} | {len(r.articles)} | {r.claims_first:,} | +{r.claims_added} "
        f"-{r.claims_removed} ~{r.claims_changed} | {r.figures_first:,} | +{r.figures_added} "
        f"-{r.figures_removed} ~{r.figures_changed} |"
        for r in dataset.second_readings
    ]
    notes = [f"{r.version}: {r.note}" for r in dataset.second_readings if r.note]
    head = [
        "Every article was read a second time by a reader who had not seen the first reader's "
        "reasoning; what the second reading changed (added +, removed -, changed ~):",
        "",
        "| release | articles | claims first read | claims | figures first read | figures |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    return "\n".join([*head, *rows, "", *notes]).rstrip() + "\n\n"


def _bound(number: float | None) -> str:
    return "none" if number is None else f"{number:,.0f}"


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
    """The Markdown data card of a release: ``datacard.md`` with the release's facts filled in."""
    languages = sorted(set(tables["articles"].column("language").to_pylist())) or ["en"]
    columns = [
        "\n".join([f"### {name}", "", *column_table(model)])
        for name, model in table_models().items()
    ]
    return TEMPLATE.substitute(
        front_matter="\n".join(_front_matter(dataset, languages)),
        title=dataset.title,
        homepage=dataset.homepage,
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
        changes="\n".join(_changes(previous, changes)),
        codebook=_codebook(),
        second_readings=_second_readings(dataset),
        columns="\n\n".join(columns),
    )
