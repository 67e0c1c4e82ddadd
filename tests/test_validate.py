"""`nkdata validate`: each rule broken once on a copy of a real article, then several at once.

Every test asserts what a contributor sees: the rule code, the file, the line, and that the
command wrote nothing.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import yaml

from tests.conftest import ARTICLE, CORPUS, REPO, edit, line_of, snapshot
from tests.support.corpusfacts import corpus_counts, corpus_version, next_version, set_field

YAML = "article.yaml"
FIRST_QUOTE = (
    "quote: North Korea has ordered internet access blocked for laborers sent to work in Russia"
)


def problems_of(nkdata, path: Path) -> list[dict[str, object]]:
    """The problems ``nkdata validate`` reports for ``path``, checking that it wrote nothing."""
    repo = next(folder for folder in (path, *path.parents) if folder.name == "repo")
    before = snapshot(repo)
    run = nkdata("validate", path, "--format", "json")
    assert run.exit_code == 1, run.stdout + run.stderr
    assert snapshot(repo) == before, "validate wrote into the repository"
    return run.problems()


def only(problems: list[dict[str, object]], code: str) -> dict[str, object]:
    found = [p for p in problems if p["code"] == code]
    assert len(found) == 1, problems
    return found[0]


def test_committed_corpus_is_valid(nkdata) -> None:
    run = nkdata("validate", CORPUS)
    assert run.exit_code == 0, run.stdout + run.stderr
    articles = corpus_counts(CORPUS)["articles"]
    assert run.stdout.splitlines()[-1] == f"valid: {articles} article(s), no problems"


def test_committed_schemas_are_current(nkdata) -> None:
    run = nkdata("schema", "--check", "--root", REPO)
    assert run.exit_code == 0, run.stderr


def test_stale_schema_is_caught(nkdata, tmp_path: Path) -> None:
    assert nkdata("schema", "--root", tmp_path).exit_code == 0
    edit(tmp_path / "schemas" / "tables" / "claims.json", '"quote"', '"quotation"')
    run = nkdata("schema", "--check", "--root", tmp_path)
    assert run.exit_code == 1
    assert "schemas/tables/claims.json" in run.stderr


def test_quote_off_by_one_character(nkdata, article: Path) -> None:
    edit(article / YAML, FIRST_QUOTE, FIRST_QUOTE.replace("laborers", "labourers"))
    problem = only(problems_of(nkdata, article), "quote-not-found")
    assert problem["file"].endswith(f"articles/{ARTICLE}/article.yaml")
    assert problem["line"] == line_of(article / YAML, "labourers sent to work")
    assert problem["path"] == "claims[1].quote"
    assert "ordered internet access blocked for laborers" in str(problem["hint"])
    assert "the text has r where the quote has u" in str(problem["hint"])


def test_duplicate_key_is_reported_with_the_rest(nkdata, article: Path) -> None:
    edit(article / YAML, "language: en\n", "language: en\nlanguage: ko\n")
    set_field(article / YAML, "published", "'2018-19'")
    problems = problems_of(nkdata, article)
    duplicate = only(problems, "yaml-duplicate-key")
    assert duplicate["line"] == line_of(article / YAML, "language: ko")
    assert "first at line" in str(duplicate["message"])
    assert only(problems, "date-invalid")["path"] == "published"


def test_figure_outside_its_bounds(nkdata, article: Path) -> None:
    edit(article / YAML, "low: 2000\n        high: 9999", "low: 20000\n        high: 9999")
    problem = only(problems_of(nkdata, article), "figure-bounds")
    assert problem["path"] == "claims[12].figures[0]"
    assert "low 20000" in str(problem["message"])


def test_figure_qualifier_rules(nkdata, article: Path) -> None:
    edit(
        article / YAML, "value: 10\n        qualifier: exact", "value: 10\n        qualifier: range"
    )
    problem = only(problems_of(nkdata, article), "figure-qualifier")
    assert "set both low and high" in str(problem["message"])


def test_dangling_source_reference(nkdata, article: Path) -> None:
    edit(article / YAML, "source_id: rfa-source-pyongyang-2", "source_id: rfa-source-pyongyang-3")
    problems = [p for p in problems_of(nkdata, article) if p["code"] == "ref-unknown"]
    assert problems, "expected ref-unknown"
    assert all("Did you mean 'rfa-source-pyongyang-" in str(p["hint"]) for p in problems)
    assert problems[0]["line"] == line_of(article / YAML, "rfa-source-pyongyang-3")


def test_an_empty_or_malformed_value_is_one_problem(nkdata, article: Path) -> None:
    """No echo of it from the checks that use the value (an empty quote "occurs" everywhere)."""
    claims = yaml.safe_load((article / YAML).read_text(encoding="utf-8"))["claims"]
    sources = [claim["source_id"] for claim in claims]
    quoted = next(i for i, claim in enumerate(claims) if f"quote: {claim['quote']}" == FIRST_QUOTE)
    edit(article / YAML, FIRST_QUOTE, "quote: ''")
    edit(article / YAML, "source_id: rfa-source-pyongyang-2", "source_id: ''")
    edit(article / YAML, "source_id: rfa-source-pyongyang-1", "source_id: Pyongyang One")
    problems = problems_of(nkdata, article)
    found = sorted((p["code"], p["path"], p["message"]) for p in problems)
    # the first claim of each source is the one edited
    assert [(code, path) for code, path, _ in found] == sorted(
        [
            ("field-missing", f"claims[{sources.index('rfa-source-pyongyang-2')}].source_id"),
            ("field-missing", f"claims[{quoted}].quote"),
            ("id-format", f"claims[{sources.index('rfa-source-pyongyang-1')}].source_id"),
        ]
    ), found


def test_empty_value_hint_is_its_field_description_on_one_line(nkdata, article: Path) -> None:
    from nkdata.schema.corpus_files import ArticleFile

    set_field(article / YAML, "published_basis", "''")
    problem = only(problems_of(nkdata, article), "field-missing")
    description = ArticleFile.model_fields["published_basis"].description
    assert description and "\n" in description, "a description written over several lines"
    assert problem["hint"] == (
        f"Fill it in: {' '.join(description.split())} One of: 'stated' or 'inferred'."
    )


def test_unknown_key_suggests_the_right_one(nkdata, article: Path) -> None:
    edit(article / YAML, "publisher_id:", "publisher:")
    problems = problems_of(nkdata, article)
    assert only(problems, "field-unknown")["hint"] == "Did you mean 'published' or 'publisher_id'?"
    assert only(problems, "field-missing")["path"] == "publisher_id"


def test_yaml_11_surprises_are_text_not_booleans(nkdata, corpus: Path) -> None:
    set_field(corpus / "dataset.yaml", "version", "1.10")
    problem = only(problems_of(nkdata, corpus), "field-type")
    assert problem["path"] == "version"
    assert "quotes" in str(problem["hint"])


def test_folder_and_id_must_match(nkdata, article: Path) -> None:
    edit(article / YAML, f"id: {ARTICLE}", "id: another-article")
    assert only(problems_of(nkdata, article), "id-folder-mismatch")["path"] == "id"


def test_ambiguous_quote_needs_an_occurrence(nkdata, article: Path) -> None:
    edit(article / YAML, FIRST_QUOTE, "quote: the internet")
    problem = only(problems_of(nkdata, article), "quote-ambiguous")
    assert "occurrence: N" in str(problem["hint"])


def test_figure_text_must_be_inside_its_quote(nkdata, article: Path) -> None:
    edit(article / YAML, "text: 10th", "text: 11th")
    assert only(problems_of(nkdata, article), "figure-not-in-quote")["path"] == (
        "claims[8].figures[0].text"
    )


def test_dates_must_exist_and_not_be_in_the_future(nkdata, article: Path) -> None:
    set_field(article / YAML, "published", "'2999-01'")
    edit(article / YAML, "as_of: '2018'", "as_of: '2018-02-30'")
    problems = problems_of(nkdata, article)
    assert only(problems, "date-future")["path"] == "published"
    assert only(problems, "date-invalid")["path"] == "claims[8].figures[0].as_of"


def test_anonymous_source_needs_a_description(nkdata, corpus: Path) -> None:
    sources = corpus / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    text = text.replace(
        "sources:\n", "sources:\n  - id: nameless\n    name: Nameless\n    kind: anonymous\n", 1
    )
    sources.write_text(text, encoding="utf-8")
    problem = only(problems_of(nkdata, corpus), "source-description")
    assert (problem["file"], problem["line"]) == (f"{corpus}/sources.yaml", 5)


def test_duplicate_source_id(nkdata, corpus: Path) -> None:
    sources = corpus / "sources.yaml"
    edit(
        sources,
        "  - id: financial-times\n",
        "  - id: financial-times\n    name: FT\n    kind: outlet\n  - id: financial-times\n",
    )
    assert only(problems_of(nkdata, corpus), "id-duplicate")["path"] == "sources[1].id"


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda t: "\ufeff" + t, "text-bom"),
        (lambda t: t.replace("\n", "\r\n"), "text-line-ends"),
        (lambda t: t.replace("Russia", "Russia\u200b", 1), "text-control-char"),
        (lambda t: t.replace("Korea", unicodedata.normalize("NFD", "Koréa"), 1), "text-not-nfc"),
    ],
)
def test_text_rules(nkdata, article: Path, mutate, code: str) -> None:
    text = (article / "text.txt").read_text(encoding="utf-8")
    (article / "text.txt").write_bytes(mutate(text).encode("utf-8"))
    assert code in [p["code"] for p in problems_of(nkdata, article)]


def test_invalid_utf8_is_located(nkdata, article: Path) -> None:
    data = (article / "text.txt").read_bytes()
    (article / "text.txt").write_bytes(data.replace(b"Russia", b"Russ\xffa", 1))
    problem = only(problems_of(nkdata, article), "text-encoding")
    assert problem["line"] == 1
    assert "0xff" in str(problem["message"])


def test_stray_and_missing_files(nkdata, corpus: Path, article: Path) -> None:
    (article / "notes.txt").write_text("draft", encoding="utf-8")
    (corpus / "articles" / "empty-folder").mkdir()
    problems = problems_of(nkdata, corpus)
    assert only(problems, "file-stray")["file"].endswith(f"{ARTICLE}/notes.txt")
    missing = {p["file"] for p in problems if p["code"] == "file-missing"}
    assert missing == {
        f"{corpus}/articles/empty-folder/article.yaml",
        f"{corpus}/articles/empty-folder/text.txt",
    }


def test_symlink_out_of_the_corpus_is_refused(nkdata, article: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    (article / "text.txt").unlink()
    (article / "text.txt").symlink_to(outside)
    assert "file-symlink" in [p["code"] for p in problems_of(nkdata, article)]


def test_many_errors_in_one_run_and_nothing_written(nkdata, corpus: Path, article: Path) -> None:
    edit(article / YAML, FIRST_QUOTE, FIRST_QUOTE.replace("laborers", "labourers"))
    edit(article / YAML, "low: 2000\n", "low: 20000\n")
    edit(article / YAML, "source_id: rfa-source-pyongyang-2", "source_id: nobody", count=1)
    edit(article / YAML, "mode: paraphrase", "mode: rumour", count=1)
    edit(corpus / "quantities.yaml", "unit: smartphones", "unit: Smart Phones")
    before = snapshot(corpus.parent)
    problems = problems_of(nkdata, corpus)
    assert sorted({str(p["code"]) for p in problems}) == [
        "field-value",
        "figure-bounds",
        "id-format",
        "quote-not-found",
        "ref-unknown",
    ]
    lines = [p["line"] for p in problems if str(p["file"]).endswith(YAML)]
    assert lines == sorted(lines), "problems are reported in file order"
    assert snapshot(corpus.parent) == before


def test_text_report_is_readable(nkdata, article: Path) -> None:
    edit(article / YAML, FIRST_QUOTE, FIRST_QUOTE.replace("laborers", "labourers"))
    run = nkdata("validate", article)
    assert run.exit_code == 1
    line = line_of(article / YAML, "labourers")
    assert f"article.yaml:{line}:" in run.stdout
    assert "quote-not-found [claims[1].quote]" in run.stdout
    assert "    hint: Closest passage" in run.stdout
    assert "invalid: 1 problem(s) in 1 file(s)" in run.stderr


def test_github_annotations(nkdata, article: Path) -> None:
    edit(article / YAML, FIRST_QUOTE, FIRST_QUOTE.replace("laborers", "labourers"))
    run = nkdata("validate", article, "--format", "github")
    assert run.exit_code == 1
    [annotation] = run.stdout.splitlines()
    assert annotation.startswith("::error file=")
    assert "title=quote-not-found::the quote does not occur in text.txt" in annotation
    assert f"line={line_of(article / YAML, 'labourers')}," in annotation


def test_one_article_against_the_rest(nkdata, corpus: Path, article: Path) -> None:
    other = next(p for p in (corpus / "articles").iterdir() if p.name != ARTICLE)
    edit(other / YAML, "claims:", "claims:\n  - broken", count=1)
    assert nkdata("validate", article).exit_code == 0
    assert nkdata("validate", other).exit_code == 1


def test_usage_errors_exit_2(nkdata, tmp_path: Path) -> None:
    run = nkdata("validate", tmp_path / "nowhere")
    assert run.exit_code == 2
    assert "neither a corpus folder" in run.stderr
    assert nkdata("validate", "--format", "xml").exit_code == 2


def test_json_lines_are_objects_with_every_field(nkdata, article: Path) -> None:
    edit(article / YAML, FIRST_QUOTE, FIRST_QUOTE.replace("laborers", "labourers"))
    run = nkdata("validate", article, "-f", "json")
    [line] = run.stdout.splitlines()
    assert set(json.loads(line)) == {"code", "message", "file", "line", "column", "path", "hint"}


def test_citation_must_name_the_version(nkdata, corpus: Path) -> None:
    bumped = next_version(corpus_version(corpus))
    set_field(corpus / "dataset.yaml", "version", bumped)  # the citation left as it was
    problem = only(problems_of(nkdata, corpus), "field-value")
    assert problem["path"] == "citation"
    assert problem["line"] == line_of(corpus / "dataset.yaml", "citation:")
    assert str(problem["message"]).startswith(f"the citation does not name version {bumped}")
    assert problem["hint"] == "Update the citation when you change the version."
