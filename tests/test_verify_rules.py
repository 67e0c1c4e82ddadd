"""Class 1 of the trust issue: `nkdata verify` re-checks every rule of the dataset on a release
whose hashes were rewritten to match (a consistent forgery), and `nkdata build` refuses tables
that break one. `nkdata.load(path=...)` on such a release never raises anything but an
NkdataError."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import nkdata
from nkdata.errors import NkdataError
from nkdata.release.build import BuildError, build_release
from nkdata.release.tablerules import table_problems
from tests.conftest import rewrite_table
from tests.support.smallrelease import build, copy_release, small_corpus


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("trust-release")
    return build(small_corpus(root), root / "releases")


@pytest.fixture
def folder(release: Path, tmp_path: Path) -> Path:
    return copy_release(release, tmp_path / release.name)


def set_cells(column: str, row: int, value: object) -> Callable[[pa.Table], pa.Table]:
    def change(table: pa.Table) -> pa.Table:
        values = table.column(column).to_pylist()
        values[row] = value
        field = table.schema.field(column)
        index = table.column_names.index(column)
        return table.set_column(index, field, pa.array(values, type=field.type))

    return change


def table(folder: Path, name: str) -> pa.Table:
    return pq.read_table(folder / f"{name}.parquet")


def forged_text(folder: Path) -> None:
    rewrite_table(folder, "articles", lambda t: set_cells("text", 0, t["text"][0].as_py() + "!")(t))


def quote_not_at_its_offsets(folder: Path) -> None:
    rewrite_table(folder, "claims", lambda t: set_cells("quote", 0, t["quote"][0].as_py() + "x")(t))


def offsets_past_the_text(folder: Path) -> None:
    rewrite_table(folder, "claims", set_cells("quote_end", 0, 10**9))


def figure_outside_its_claim(folder: Path) -> None:
    figure = table(folder, "figures").to_pylist()[0]
    claim = next(c for c in table(folder, "claims").to_pylist() if c["id"] == figure["claim_id"])
    text = next(a for a in table(folder, "articles").to_pylist() if a["id"] == claim["article_id"])
    size = len(figure["text"])
    head = text["text"][:size].strip() or "x"
    change = [("text", head), ("text_start", 0), ("text_end", len(head))]

    def apply(t: pa.Table) -> pa.Table:
        for column, value in change:
            t = set_cells(column, 0, value)(t)
        return t

    rewrite_table(folder, "figures", apply)


def first_exact_figure(folder: Path) -> int:
    qualifiers = table(folder, "figures").column("qualifier").to_pylist()
    return qualifiers.index("exact")


def negative_value(folder: Path) -> None:
    rewrite_table(folder, "figures", set_cells("value", first_exact_figure(folder), -5.0))


def negative_zero(folder: Path) -> None:
    rewrite_table(folder, "figures", set_cells("value", first_exact_figure(folder), -0.0))


def infinite_value(folder: Path) -> None:
    rewrite_table(folder, "figures", set_cells("value", first_exact_figure(folder), float("inf")))


def low_above_high(folder: Path) -> None:
    row = first_exact_figure(folder)

    def apply(t: pa.Table) -> pa.Table:
        for column, value in (("qualifier", "range"), ("value", None), ("low", 9.0), ("high", 2.0)):
            t = set_cells(column, row, value)(t)
        return t

    rewrite_table(folder, "figures", apply)


def qualifier_shape(folder: Path) -> None:
    rewrite_table(folder, "figures", set_cells("low", first_exact_figure(folder), 1.0))


def future_date(folder: Path) -> None:
    rewrite_table(folder, "articles", set_cells("retrieved", 0, date.today() + timedelta(days=400)))


def reordered_columns(folder: Path) -> None:
    rewrite_table(folder, "quantities", lambda t: t.select(list(reversed(t.column_names))))


def title_with_a_unicode_space(folder: Path) -> None:
    rewrite_table(
        folder, "articles", lambda t: set_cells("title", 0, "\u3000" + t["title"][0].as_py())(t)
    )


def invisible_filler_in_a_name(folder: Path) -> None:
    rewrite_table(folder, "sources", set_cells("name", 0, "\u3164"))


def reserved_id(folder: Path) -> None:
    rewrite_table(folder, "quantities", set_cells("unit", 0, "con"))


def affiliated_with_itself(folder: Path) -> None:
    rewrite_table(
        folder, "sources", lambda t: set_cells("affiliation_id", 0, t["id"][0].as_py())(t)
    )


def claim_after_its_article(folder: Path) -> None:
    articles = {a["id"]: a for a in table(folder, "articles").to_pylist()}
    claims = table(folder, "claims").to_pylist()
    row = next(
        i
        for i, c in enumerate(claims)
        if (latest := articles[c["article_id"]]["published_latest"]) and latest < date.today()
    )
    day = articles[claims[row]["article_id"]]["published_latest"] + timedelta(days=1)

    def apply(t: pa.Table) -> pa.Table:
        for column, value in (
            ("claim_date", day),
            ("claim_date_precision", "day"),
            ("claim_date_edtf", day.isoformat()),
        ):
            t = set_cells(column, row, value)(t)
        return t

    rewrite_table(folder, "claims", apply)


def unit_unlike_its_quantity(folder: Path) -> None:
    rewrite_table(folder, "figures", lambda t: set_cells("unit", 0, t["unit"][0].as_py() + "-x")(t))


def edtf_unlike_its_date(folder: Path) -> None:
    rewrite_table(folder, "articles", set_cells("published_edtf", 0, "1999"))


def rewrite_descriptor(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def forge(folder: Path) -> None:
        path = folder / "datapackage.json"
        package = json.loads(path.read_text(encoding="utf-8"))
        change(package)
        path.write_text(json.dumps(package), encoding="utf-8")

    return forge


def _schema(package: dict) -> None:
    package["resources"][0]["schema"]["fields"][0]["constraints"] = {}


def _licence(package: dict) -> None:
    package["licenses"][1]["title"] = "Public domain"


def _version(package: dict) -> None:
    package["version"] = "1.0.0\n::error file=x::forged"


def unlisted_file(folder: Path) -> None:
    (folder / "notes.txt").write_text("not listed", encoding="utf-8")


def edited_card(folder: Path) -> None:
    path = folder / "README.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nAll claims are true.\n", "utf-8")


BREAKAGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "text unlike its text_sha256": (forged_text, "release-derived"),
    "quote not at its offsets": (quote_not_at_its_offsets, "quote-not-found"),
    "offsets past the text": (offsets_past_the_text, "quote-not-found"),
    "figure outside its claim": (figure_outside_its_claim, "figure-not-in-quote"),
    "negative value": (negative_value, "release-constraint"),
    "negative zero": (negative_zero, "release-constraint"),
    "infinite value": (infinite_value, "release-constraint"),
    "low above high": (low_above_high, "figure-bounds"),
    "value shaped against its qualifier": (qualifier_shape, "figure-qualifier"),
    "date in the future": (future_date, "date-future"),
    "Parquet columns reordered": (reordered_columns, "release-schema"),
    "title starting with a Unicode space": (title_with_a_unicode_space, "release-constraint"),
    "invisible Hangul filler": (invisible_filler_in_a_name, "text-control-char"),
    "Windows device name as an id": (reserved_id, "id-format"),
    "source affiliated with itself": (affiliated_with_itself, "affiliation-cycle"),
    "claim dated after its article": (claim_after_its_article, "date-after-article"),
    "unit unlike its quantity's": (unit_unlike_its_quantity, "release-derived"),
    "EDTF unlike its date": (edtf_unlike_its_date, "release-derived"),
    "descriptor schema rewritten": (rewrite_descriptor(_schema), "release-descriptor"),
    "descriptor licence rewritten": (rewrite_descriptor(_licence), "release-descriptor"),
    "descriptor version with a line break": (rewrite_descriptor(_version), "release-descriptor"),
    "file the descriptor does not list": (unlisted_file, "release-file"),
    "data card edited": (edited_card, "release-hash"),
}


def touch_every_table(folder: Path) -> None:
    """Everything a user does with a loaded release: only an NkdataError may come out."""
    data = nkdata.load(path=folder)
    for name in ("sources", "quantities", "articles", "claims", "figures", "page_parts"):
        table = getattr(data, name)
        table.to_arrow()
        for row in table:
            assert table[row.id] == row


@pytest.mark.parametrize("name", BREAKAGES)
def test_class1_verify_rechecks_every_rule_of_a_consistent_forgery(
    folder: Path, nkdata, name: str
) -> None:
    breakage, code = BREAKAGES[name]
    breakage(folder)
    run = nkdata("verify", folder, "--format", "json")
    assert run.exit_code == 1, run.stdout + run.stderr
    assert code in run.codes(), run.stdout
    try:
        touch_every_table(folder)
    except NkdataError as exc:
        assert "\n" not in str(exc)


def test_class1_the_sound_release_passes_and_prints_its_version(release: Path, nkdata) -> None:
    run = nkdata("verify", release)
    assert run.exit_code == 0, run.stdout + run.stderr
    version = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert run.stdout.startswith(f"verified: release {version} at {release}")
    touch_every_table(release)


def test_class1_github_annotations_cannot_be_forged_by_a_descriptor(folder: Path, nkdata) -> None:
    rewrite_descriptor(_version)(folder)
    run = nkdata("verify", folder, "--format", "github")
    assert all(line.startswith("::error ") for line in run.stdout.splitlines())
    assert "\n::error file=x" not in run.stdout


def test_class1_build_refuses_tables_that_break_a_rule(tmp_path: Path) -> None:
    from nkdata.corpus.validate import validate_corpus

    corpus = validate_corpus(small_corpus(tmp_path, 3)).corpus
    assert corpus is not None and table_problems(corpus.arrow) == []
    figures = corpus.arrow["figures"]
    corpus.arrow["figures"] = set_cells(
        "value", figures["qualifier"].to_pylist().index("exact"), -1.0
    )(figures)
    with pytest.raises(BuildError, match="release-constraint"):
        build_release(corpus, tmp_path / "releases")
    assert not (tmp_path / "releases").exists() or not any((tmp_path / "releases").iterdir())
