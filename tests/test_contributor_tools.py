"""What a contributor adding an article meets: the number rule, claim order, every independent
problem at once, dates written either way, and the tools `show`, `numbers`, `find`, `new`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nkdata.corpus.yamlreader import parse_yaml
from tests.conftest import edit, line_of, snapshot

YAML = "article.yaml"


def add_to_list(article: Path, key: str, entry: str) -> None:
    """Append one YAML block entry to the list ``key`` of article.yaml (created if absent)."""
    path = article / YAML
    text = path.read_text(encoding="utf-8")
    data = parse_yaml(text, YAML).data  # type: ignore[union-attr]
    if data.get(key):
        marker = f"\n{key}:\n"
        at = text.index(marker) + len(marker)
        path.write_text(text[:at] + entry + text[at:], encoding="utf-8")
    else:
        text = text.replace(f"\n{key}: []\n", "\n")
        path.write_text(text.rstrip("\n") + f"\n{key}:\n{entry}", encoding="utf-8")


def exclusion_quotes(article: Path) -> list[str]:
    data = parse_yaml((article / YAML).read_text(encoding="utf-8"), YAML).data
    return [entry["quote"] for entry in data.get("exclusions") or []]  # type: ignore[union-attr]


def test_the_committed_corpus_accounts_for_every_number(nkdata) -> None:
    run = nkdata("validate", "corpus", "--format", "json", "--no-cache")
    assert "number-unaccounted" not in run.codes()
    assert run.exit_code == 0, run.stdout


def drop_exclusion(article: Path, containing: str) -> None:
    """Remove the exclusion whose quote holds ``containing`` (the file is written anew)."""
    path = article / YAML
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["exclusions"] = [e for e in data["exclusions"] if containing not in e["quote"]]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_a_removed_exclusion_is_an_unaccounted_number(nkdata, article: Path) -> None:
    assert any("Aug. 18" in quote for quote in exclusion_quotes(article))
    drop_exclusion(article, "Aug. 18")
    run = nkdata("validate", article, "--format", "json", "--no-cache")
    found = [p for p in run.problems() if p["code"] == "number-unaccounted"]
    line = line_of(article / "text.txt", "Aug. 18")
    assert {(Path(str(p["file"])).name, p["line"]) for p in found} == {("text.txt", line)}
    assert sorted(p["message"].split("'")[1] for p in found) == ["18", "2"]
    assert "Aug. 18 to" in found[0]["hint"] or "Sept. 2 in" in found[0]["hint"]
    assert run.exit_code == 1


def test_numbers_in_words_digits_money_and_ranges_are_found(nkdata, article: Path) -> None:
    edit(
        article / "text.txt",
        "News from the 2018",
        "It cost $200, or twenty-five thousand won; 4-5 million saw a couple of games. "
        "News from the 2018",
    )
    run = nkdata("numbers", article)
    unaccounted = [line for line in run.stdout.splitlines() if line.endswith("unaccounted")]
    found = [line.split("  ")[1].strip("'") for line in unaccounted]
    assert found == ["$200", "twenty-five thousand", "4", "5 million", "a couple of"]
    assert run.exit_code == 1


def test_nkdata_numbers_names_what_accounts_for_each_number(nkdata, article: Path) -> None:
    run = nkdata("numbers", article.name, "--corpus", article.parent.parent)
    statuses = [line.split("  ")[-1] for line in run.stdout.splitlines()]
    assert run.exit_code == 0, run.stderr
    assert "unaccounted" not in statuses
    assert any(s.startswith("figure c") for s in statuses)
    assert any(s.startswith("exclusion (") for s in statuses)
    assert any(s.startswith("non-body (") for s in statuses)


def test_claims_out_of_text_order_name_the_pair(nkdata, article: Path) -> None:
    path = article / YAML
    text = path.read_text(encoding="utf-8")
    first, second = text.index("  - id: c02\n"), text.index("  - id: c03\n")
    third = text.index("  - id: c04\n")
    path.write_text(text[:first] + text[second:third] + text[first:second] + text[third:])
    run = nkdata("validate", article, "--format", "json", "--no-cache")
    order = [p for p in run.problems() if p["code"] == "claim-order"]
    assert len(order) == 1
    assert "claim c02" in order[0]["message"] and "after c03" in order[0]["message"]


def test_independent_problems_are_all_reported(nkdata, article: Path) -> None:
    """A bounds error, an unquoted year, an unknown vocabulary value: none hides another."""
    path = article / YAML
    data = parse_yaml(path.read_text(encoding="utf-8"), YAML).data
    claim = next(c for c in data["claims"] if c.get("figures"))  # type: ignore[index,union-attr]
    figure = claim["figures"][0]
    edit(path, f"text: {figure['text']}", "text: tenth place")
    edit(path, "qualifier: vague", "qualifier: vague\n        value: 5\n        low: 9")
    edit(path, "published_basis: inferred", "published_basis: guessed")
    codes = set(nkdata("validate", article, "--format", "json", "--no-cache").codes())
    assert {"figure-not-in-quote", "figure-bounds", "field-value"} <= codes


@pytest.mark.parametrize("written", ["'2018-09-05'", "2018-09-05"])
def test_a_day_is_the_same_quoted_or_not(nkdata, article: Path, written: str) -> None:
    edit(article / YAML, "published: '2018-09-05'", f"published: {written}")
    assert nkdata("validate", article, "--no-cache").exit_code == 0


@pytest.mark.parametrize("written", ["'2018'", "2018"])
def test_a_year_is_the_same_quoted_or_not(
    nkdata, corpus: Path, article: Path, written: str
) -> None:
    edit(article / YAML, "published: '2018-09-05'", f"published: {written}")
    assert nkdata("validate", article, "--no-cache").exit_code == 0
    nkdata("build", corpus, "-q", "--releases", corpus.parent / "out")
    version = next((corpus.parent / "out").iterdir()).name
    import pyarrow.parquet as pq

    rows = pq.read_table(corpus.parent / "out" / version / "articles.parquet").to_pylist()
    row = next(r for r in rows if r["id"] == article.name)
    assert (row["published_edtf"], row["published_precision"]) == ("2018", "year")


def test_a_hint_shows_an_invisible_difference(nkdata, article: Path) -> None:
    edit(
        article / YAML,
        "quote: North Korea has ordered internet",
        "quote: North Korea  has ordered internet",
    )
    run = nkdata("validate", article, "--format", "json", "--no-cache")
    hint = next(p["hint"] for p in run.problems() if p["code"] == "quote-not-found")
    assert "U+0020 SPACE" in hint


def test_show_lists_each_claim_where_the_build_puts_it(nkdata, article: Path) -> None:
    run = nkdata("show", article)
    assert run.exit_code == 0, run.stderr
    text = (article / "text.txt").read_text(encoding="utf-8")
    heads = [line for line in run.stdout.splitlines() if line.startswith("c")]
    data = parse_yaml((article / YAML).read_text(encoding="utf-8"), YAML).data
    assert len(heads) == len(data["claims"])  # type: ignore[index]
    for head, claim in zip(heads, data["claims"], strict=True):  # type: ignore[index]
        start, end = (int(n) for n in head.split("[")[1].split(")")[0].split(", "))
        assert text[start:end] == claim["quote"]
        assert head.startswith(claim["id"]) and claim["source_id"] in head


def test_find_lists_the_entries_that_may_be_the_same(nkdata, corpus: Path) -> None:
    assert nkdata("find", "source", "radio fre asia", "--corpus", corpus).stdout.startswith(
        "radio-free-asia  Radio Free Asia"
    )
    assert (
        "smartphones-in-use" in nkdata("find", "quantity", "smartphone", "--corpus", corpus).stdout
    )
    missing = nkdata("find", "source", "zzyzx", "--corpus", corpus)
    assert missing.exit_code == 0 and "nkdata new source" in missing.stdout
    assert nkdata("find", "article", "x", "--corpus", corpus).exit_code == 2


def test_new_source_takes_several_ids_with_a_kind(nkdata, corpus: Path) -> None:
    run = nkdata("new", "source", "jane-roe", "john-doe", "--kind", "person", "--corpus", corpus)
    assert run.exit_code == 0, run.stderr
    data = parse_yaml((corpus / "sources.yaml").read_text(encoding="utf-8"), "sources.yaml").data
    added = data["sources"][-2:]  # type: ignore[index]
    assert [(s["id"], s["kind"], s["name"]) for s in added] == [
        ("jane-roe", "person", ""),
        ("john-doe", "person", ""),
    ]


def test_new_quantity_with_label_and_unit(nkdata, corpus: Path) -> None:
    label = 'Routers "in use": a count'
    run = nkdata(
        "new", "quantity", "routers", "--label", label, "--unit", "routers", "--corpus", corpus
    )
    assert run.exit_code == 0, run.stderr
    data = parse_yaml((corpus / "quantities.yaml").read_text(encoding="utf-8"), "q").data
    entry = data["quantities"][-1]  # type: ignore[index]
    assert (entry["id"], entry["label"], entry["unit"], entry["description"]) == (
        "routers",
        label,
        "routers",
        "",
    )
    codes = nkdata("validate", corpus, "--format", "json", "--no-cache").codes()
    assert codes == ["field-missing"]  # only the description is left to fill in


def test_new_entries_are_all_or_nothing(nkdata, corpus: Path) -> None:
    before = snapshot(corpus)
    taken = nkdata("new", "source", "new-one", "radio-free-asia", "--corpus", corpus)
    assert taken.exit_code == 2 and "radio-free-asia" in taken.stderr
    twice = nkdata("new", "source", "same", "same", "--corpus", corpus)
    assert twice.exit_code == 2
    named = nkdata("new", "source", "a-b", "c-d", "--name", "X", "--corpus", corpus)
    assert named.exit_code == 2
    kind = nkdata("new", "source", "a-b", "--kind", "alien", "--corpus", corpus)
    assert kind.exit_code == 2
    assert snapshot(corpus) == before
