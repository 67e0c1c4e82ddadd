"""`nkdata new article` and `nkdata new source`: the scaffolds, then `nkdata validate` on them.

A fresh scaffold must fail validation at exactly the values a contributor fills in, each at its
own line; filled in, it must validate. Every field of the models must appear in the scaffold,
under its description, so that a field added to a model cannot be missing from it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel

from nkdata.corpus import scaffold
from nkdata.corpus.yamlreader import parse_yaml
from nkdata.models import Source
from nkdata.schema.corpus_files import ArticleFile, ClaimEntry, FigureEntry
from tests.conftest import CORPUS, REPO, snapshot
from tests.support.corpusfacts import corpus_counts

NEW = "register-2012-north-korea-mobile-one-million"
NEW_SOURCE = "example-publisher-for-scaffold-tests"
"""A source id no real corpus entry should take (the scaffold refuses an id already listed)."""
PLACEHOLDER = re.compile(r'^\s*(?:- )?([a-z_]+): ""$')

# What a contributor writes for each "" of the scaffolds, keyed by field name.
FILLED = {
    "title": '"N Korea mobile phone subscribers pass a milestone"',
    "publisher_id": "radio-free-asia",
    "published": "2012-02-07",
    "published_basis": "stated",
    "language": "en",
    "rights": '"© the publisher; quoted for research."',
    "source_id": "radio-free-asia",
    "quote": '"mobile phone subscribers pass a milestone"',
    "statement": '"North Korea\'s mobile phone subscribers passed one million."',
    "mode": "paraphrase",
    "framing": "attributed",
    "topic": "mobile_phones",
    "name": "The Register",
    "kind": "outlet",
}
TEXT = (
    "N Korea mobile phone subscribers pass a milestone\n\nWeb access is blocked, a report said.\n"
)


def placeholder_lines(path: Path, start: int = 1) -> dict[int, str]:
    """Line number → field name of every live (uncommented) `key: ""` from line ``start`` on."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {
        number: match[1]
        for number, line in enumerate(lines, 1)
        if number >= start and (match := PLACEHOLDER.match(line))
    }


def fill_in(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for name, value in FILLED.items():
        text = re.sub(rf'^(\s*(?:- )?{name}): ""$', rf"\1: {value}", text, flags=re.M)
    path.write_text(text, encoding="utf-8")


def validate_json(nkdata, path: Path) -> tuple[int, list[dict[str, object]]]:
    run = nkdata("validate", path, "--format", "json")
    return run.exit_code, run.problems()


def test_fresh_article_fails_exactly_where_to_fill_in(nkdata, corpus: Path) -> None:
    run = nkdata("new", "article", NEW, "--corpus", corpus)
    assert run.exit_code == 0, run.stderr
    folder = corpus / "articles" / NEW
    assert f"created {folder / 'article.yaml'}" in run.stdout
    assert f"nkdata validate {folder}" in run.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["article.yaml"]

    code, problems = validate_json(nkdata, folder)
    assert code == 1
    expected = placeholder_lines(folder / "article.yaml")
    assert set(expected.values()) >= {"title", "publisher_id", "quote", "topic"}
    in_yaml = [p for p in problems if str(p["file"]).endswith("article.yaml")]
    # every placeholder is reported at its line, and nothing else is (an empty source id is
    # reported twice: as a malformed id and as an unknown source)
    assert {p["line"]: str(p["path"]).split(".")[-1] for p in in_yaml} == expected
    others = [p for p in problems if p not in in_yaml]
    assert [(p["code"], p["file"]) for p in others] == [
        ("file-missing", f"{corpus}/articles/{NEW}/text.txt")
    ]


def test_filled_in_article_validates(nkdata, corpus: Path) -> None:
    assert nkdata("new", "article", NEW, "--corpus", corpus).exit_code == 0
    folder = corpus / "articles" / NEW
    fill_in(folder / "article.yaml")
    (folder / "text.txt").write_text(TEXT, encoding="utf-8")
    run = nkdata("validate", corpus)
    assert run.exit_code == 0, run.stdout + run.stderr
    articles = corpus_counts(CORPUS)["articles"] + 1  # the corpus's and the new one
    assert f"valid: {articles} article(s)" in run.stdout


def test_fresh_source_fails_exactly_where_to_fill_in(nkdata, corpus: Path) -> None:
    before = (corpus / "sources.yaml").read_bytes()
    run = nkdata("new", "source", NEW_SOURCE, "--corpus", corpus)
    assert run.exit_code == 0, run.stderr
    after = (corpus / "sources.yaml").read_bytes()
    assert after.startswith(before), "the bytes above the new entry changed"
    first_new_line = before.count(b"\n") + 1

    code, problems = validate_json(nkdata, corpus)
    assert code == 1
    expected = placeholder_lines(corpus / "sources.yaml", first_new_line)
    assert set(expected.values()) == {"name", "kind"}
    assert {p["line"]: str(p["path"]).split(".")[-1] for p in problems} == expected
    assert all(str(p["file"]).endswith("sources.yaml") for p in problems)

    fill_in(corpus / "sources.yaml")
    assert nkdata("validate", corpus).exit_code == 0


@pytest.mark.parametrize(
    ("model", "text"),
    [
        (ArticleFile, scaffold.article_yaml(NEW)),
        (Source, scaffold.registry_entry(Source, {"id": NEW_SOURCE}, 0)),
    ],
)
def test_scaffold_knows_every_field_of_the_models(model: type[BaseModel], text: str) -> None:
    """Each field appears, live or in the commented example, under its own description."""
    models = [model] if model is Source else [ArticleFile, ClaimEntry, FigureEntry]
    for each in models:
        for name, info in each.model_fields.items():
            assert info.description, f"{each.__name__}.{name} has no description"
            first_words = " ".join(info.description.split()[:4])
            pattern = (
                rf"^[ #]*(?:Required|Optional|Fill in): {re.escape(first_words)}[^\n]*\n"
                rf"(?:[ #]*#[^\n]*\n)*?[ #]*(?:- )?{name}:"
            )
            assert re.search(pattern, text, re.M), f"{each.__name__}.{name} is not scaffolded"


def test_uncommented_figure_example_validates(nkdata, corpus: Path) -> None:
    """The commented figure block is real YAML: uncommented and filled in, it validates."""
    assert nkdata("new", "article", NEW, "--corpus", corpus).exit_code == 0
    path = corpus / "articles" / NEW / "article.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("    # figures:")
    end = lines.index("    figures: []")
    example = [line.replace("    # ", "    ", 1) for line in lines[start:end]]
    path.write_text("\n".join(lines[:start] + example + lines[end + 1 :]) + "\n", encoding="utf-8")
    code, problems = validate_json(nkdata, path.parent)
    assert code == 1
    assert {p["path"] for p in problems} >= {
        "claims[0].figures[0].quantity_id",
        "claims[0].figures[0].text",
        "claims[0].figures[0].qualifier",
    }
    fill_in(path)
    text = path.read_text(encoding="utf-8")
    for old, new in {
        'quantity_id: ""': "quantity_id: mobile-subscribers",
        'text: ""': "text: 1 million",
        'qualifier: ""': "qualifier: more_than",
        "value: null": "value: 1000000",
        "low: null": "low: 1000000",
        "pass a milestone": "top 1 million",  # a text and quote that state the number
    }.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    (path.parent / "text.txt").write_text(TEXT.replace("pass a milestone", "top 1 million"))
    run = nkdata("validate", path.parent)
    assert run.exit_code == 0, run.stdout


def test_existing_article_is_never_overwritten(nkdata, corpus: Path) -> None:
    before = snapshot(corpus)
    existing = "rfa-2018-workers-russia-internet-blocked"
    run = nkdata("new", "article", existing, "--corpus", corpus)
    assert run.exit_code == 2
    assert (
        f"Error: {corpus}/articles/{existing}/article.yaml already exists; nothing was written."
        in run.stderr
    )
    assert snapshot(corpus) == before


def test_folder_with_its_text_saved_first(nkdata, corpus: Path) -> None:
    """The hint for a missing article.yaml is a command that works in the folder as it is."""
    folder = corpus / "articles" / "text-first"
    folder.mkdir()
    (folder / "text.txt").write_text(TEXT, encoding="utf-8")
    run = nkdata("validate", folder, "--format", "json")
    [problem] = [p for p in run.problems() if p["code"] == "file-missing"]
    assert (
        problem["hint"]
        == "Create it with `nkdata new article text-first`, a template of every field."
    )
    assert nkdata("new", "article", "text-first", "--corpus", corpus).exit_code == 0
    assert (folder / "text.txt").read_text(encoding="utf-8") == TEXT
    assert "file-missing" not in nkdata("validate", folder).stdout


def test_existing_source_is_refused(nkdata, corpus: Path) -> None:
    before = snapshot(corpus)
    run = nkdata("new", "source", "Radio-Free-Asia", "--corpus", corpus)
    assert run.exit_code == 2
    assert "is not a valid source id" in run.stderr
    run = nkdata("new", "source", "radio-free-asia", "--corpus", corpus)
    assert run.exit_code == 2
    assert "source 'radio-free-asia' is already in" in run.stderr
    assert snapshot(corpus) == before


def test_bad_ids_and_folders_are_usage_errors(nkdata, corpus: Path, tmp_path: Path) -> None:
    before = snapshot(corpus)
    for bad in ("Has Spaces", "trailing-", "ünïcode"):
        run = nkdata("new", "article", bad, "--corpus", corpus)
        assert run.exit_code == 2, bad
        assert "is not a valid article id" in run.stderr
    run = nkdata("new", "article", NEW, "--corpus", tmp_path / "nowhere")
    assert run.exit_code == 2
    assert "is neither a corpus folder" in run.stderr
    assert snapshot(corpus) == before


def test_source_append_is_atomic(nkdata, corpus: Path, monkeypatch) -> None:
    """A failure while replacing sources.yaml leaves it as it was, with no temporary file."""
    before = snapshot(corpus)

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    run = nkdata("new", "source", NEW_SOURCE, "--corpus", corpus)
    assert run.exit_code == 1
    assert "cannot write" in run.stderr
    assert "No space left on device" in run.stderr
    assert snapshot(corpus) == before


def test_unparseable_sources_file_is_left_alone(nkdata, corpus: Path) -> None:
    path = corpus / "sources.yaml"
    path.write_bytes(path.read_bytes() + b"  - id: [unclosed\n")
    before = snapshot(corpus)
    run = nkdata("new", "source", NEW_SOURCE, "--corpus", corpus)
    assert run.exit_code == 1
    assert "does not parse" in run.stderr
    assert snapshot(corpus) == before


def test_source_is_appended_after_a_file_without_final_newline(nkdata, corpus: Path) -> None:
    path = corpus / "sources.yaml"
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    before = path.read_bytes()
    assert nkdata("new", "source", NEW_SOURCE, "--corpus", corpus).exit_code == 0
    assert path.read_bytes().startswith(before + b"\n  # Required: Stable id")
    doc = parse_yaml(path.read_text(encoding="utf-8"), "sources.yaml")
    assert doc.data["sources"][-1]["id"] == NEW_SOURCE  # type: ignore[union-attr]


def test_editor_schema_comment_resolves_and_checks(corpus: Path) -> None:
    """The yaml-language-server comment names the JSON Schema that editors use to underline."""
    text = scaffold.article_yaml(NEW)
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    folder = REPO / "corpus" / "articles" / NEW  # where the scaffold is written
    schema_path = (folder / first.split("=", 1)[1]).resolve()
    assert schema_path == REPO / "schemas" / "corpus" / "article.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)

    path = corpus / "scaffold.yaml"
    path.write_text(text, encoding="utf-8")
    fill_in(path)
    document = parse_yaml(path.read_text(encoding="utf-8"), "article.yaml")
    assert list(validator.iter_errors(document.data)) == []  # type: ignore[union-attr]
    wrong = dict(document.data)  # type: ignore[union-attr]
    wrong["claims"] = [{**wrong["claims"][0], "mode": "quote"}]
    assert [e.validator for e in validator.iter_errors(wrong)] == ["enum"]
