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
from nkdata.schema.releasefolder import chart_file
from nkdata.schema.vocab import MEANINGS, VAGUE_WORDS
from nkdata.view.ledger import LedgerRow

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


CHANGED_ROWS_SHOWN = 100
"""Rows listed per table and kind in the card's Changes; `nkdata diff` lists them all."""


def _changes(diff: ReleaseDiff | None) -> list[str]:
    if diff is None:
        return ["First release: every row is new."]
    return markdown(diff, limit=CHANGED_ROWS_SHOWN)


LISTED = 50
"""Figures of one quantity listed in the card at most; `nkdata figures` lists them all."""


def _figures(
    tables: dict[str, pa.Table], charts: dict[str, str], rows: dict[str, list[LedgerRow]]
) -> list[str]:
    """Every quantity with figures: its chart (with more than one figure, the image beside the
    card) and its figures in time order, each with its source, relay and article."""
    if not rows:
        return ["No figure yet."]
    labels = dict(zip(*(tables["quantities"][c].to_pylist() for c in ("id", "label")), strict=True))
    lines = []
    for quantity_id in sorted(rows):
        label = labels[quantity_id]
        lines += [f"### {label} (`{quantity_id}`)", ""]
        if quantity_id in charts:
            shown = label.replace("[", "(").replace("]", ")")  # no link syntax in alt text
            lines += [f"![Figures of {shown} over time]({chart_file(quantity_id)})", ""]
        lines += [
            "| figure | amount | as of | source (via) | article, published |",
            "| --- | --- | --- | --- | --- |",
        ]
        for row in rows[quantity_id][:LISTED]:
            relayed = row.via_name and row.via_id != row.source_id
            via = f" (via {_cell(row.via_name or '')})" if relayed else ""
            echo = f" echo of `{row.echo_of}`" if row.echo_of else ""
            lines.append(
                f"| {_cell(row.text)}{echo} | {row.amount} {row.unit} | {row.as_of_edtf or ''} "
                f"| {_cell(row.source_name)}{via} | `{row.article_id}`, {row.published_edtf} |"
            )
        if len(rows[quantity_id]) > LISTED:
            more = len(rows[quantity_id]) - LISTED
            lines += ["", f"And {more:,} more: `nkdata figures {quantity_id}` lists them all."]
        lines.append("")
    return lines[:-1]


def _cell(text: str) -> str:
    """Text for a Markdown table cell: no pipe ends the cell, no line break ends the row."""
    return " ".join(text.replace("|", "\\|").split())


def data_card(
    dataset: DatasetFile,
    tables: dict[str, pa.Table],
    diff: ReleaseDiff | None,
    errata: list[Erratum],
    charts: dict[str, str],
    by_quantity: dict[str, list[LedgerRow]],
) -> str:
    """The Markdown data card of a release: ``datacard.md`` with the release's facts filled in;
    ``charts`` are the quantities (id → label) whose chart files are beside the card, and
    ``by_quantity`` the ledgers of ``tables`` (:func:`nkdata.view.ledger.ledgers`)."""
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
        figures="\n".join(_figures(tables, charts, by_quantity)),
        coverage="".join(line + "\n" for line in _coverage(tables)),
        license_title=dataset.license.title,
        license_name=dataset.license.name,
        license_path=dataset.license.path,
        text_rights=dataset.text_rights,
        citation=dataset.citation,
        changes="\n".join(_changes(diff)),
        errata="\n".join(errata_lines(errata)),
        codebook=_codebook(),
        second_readings=_second_readings(dataset),
        columns="\n\n".join(columns),
    )
