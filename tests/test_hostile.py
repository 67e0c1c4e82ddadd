"""Hostile corpus input: every case is refused by `nkdata validate` and `nkdata build` alike.

Each test breaks a private copy of the real corpus once and asserts what a contributor sees:
the exact rule code, file, line, column and field path, exit code 1, no traceback, and that
neither command wrote anything anywhere under the test's folder (files, folders and links).
Cases that could hang or eat memory (an alias bomb, deep nesting, 50 MB files, a FIFO, very
long texts) run the real `nkdata` script in a subprocess under a memory limit and a timeout, so
that a regression fails instead of stalling CI; so do a few plain ones, so that a crash of the
interpreter or an encoding error on output would show.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ARTICLE, CORPUS, edit, tree
from tests.support.corpusfacts import corpus_version, field_line, next_version, set_field

NKDATA = Path(sys.executable).parent / "nkdata"
KEYS = ("code", "file", "line", "column", "path")
FIRST_QUOTE = "North Korea has ordered internet access blocked for laborers sent to work in Russia"
VERSION = corpus_version()
PUBLISHED = field_line(CORPUS / "articles" / ARTICLE / "article.yaml", "published")
"""The article's ``published`` line as it is now, such as ``published: '2018-09-05'``."""
RELEASED = field_line(CORPUS / "dataset.yaml", "released")
MEMORY = 1 << 30
"""Address-space limit of the subprocess cases (1 GiB; a normal run needs about 300 MB)."""


# ---------------------------------------------------------------- helpers


def at(path: Path, needle: str, shift: int = 0) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in ``path`` (plus ``shift`` characters)."""
    text = path.read_text(encoding="utf-8")
    offset = text.index(needle) + shift
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def found(problem: dict[str, object]) -> dict[str, object]:
    return {key: problem[key] for key in KEYS}


def expect(corpus: Path, code: str, file: str, where=(None, None), path: str = "") -> dict:
    """The located part of a problem, as ``--format json`` reports it."""
    return {
        "code": code,
        "file": f"{corpus}/{file}",
        "line": where[0],
        "column": where[1],
        "path": path,
    }


@pytest.fixture
def refused(nkdata, corpus: Path):
    """Run validate and build on the broken corpus; return validate's problems.

    Both must exit 1 without a traceback, report the same problems and write nothing.
    """
    root = corpus.parent.parent  # tmp_path: also holds the targets of links out of the corpus

    def run(target: Path | None = None) -> list[dict[str, object]]:
        before = tree(root)
        validate = nkdata("validate", target or corpus, "--format", "json")
        build = nkdata("build", corpus, "--quiet", "--format", "json")
        for result in (validate, build):
            assert result.exit_code == 1, result.stdout + result.stderr
            assert "Traceback" not in result.stdout + result.stderr
        assert tree(root) == before, "a refused corpus must not write anything"
        problems = validate.problems()
        assert problems, "exit 1 without a problem"
        if target is None:
            from_build = [json.loads(line) for line in build.stderr.splitlines() if line[:1] == "{"]
            assert from_build == problems
            assert "nothing written" in build.stderr
        return problems

    return run


def run_script(*args: object, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """The real `nkdata` script in a subprocess with a memory limit, a timeout and strict UTF-8
    output (an unencodable character would crash it, a traceback would show)."""

    def limit() -> None:  # runs in the child before exec
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    result = subprocess.run(
        [str(NKDATA), *map(str, args)],
        capture_output=True,
        timeout=timeout,
        preexec_fn=limit,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8", **env},
        check=False,
    )
    stdout, stderr = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    assert "Traceback" not in stdout + stderr, stderr[-3000:]
    return subprocess.CompletedProcess(result.args, result.returncode, stdout, stderr)


def script_problems(
    corpus: Path, target: Path | None = None, *, build: bool = True
) -> list[dict[str, object]]:
    """validate (and build) through the script: exit 1, nothing written; validate's problems."""
    root = corpus.parent.parent
    before = tree(root)
    validate = run_script("validate", target or corpus, "--format", "json")
    assert validate.returncode == 1, validate.stderr
    if build:
        built = run_script("build", corpus, "--quiet")
        assert built.returncode == 1, built.stderr
        assert "nothing written" in built.stderr
    assert tree(root) == before
    return [json.loads(line) for line in validate.stdout.splitlines()]


def yaml_of(corpus: Path) -> Path:
    return corpus / "articles" / ARTICLE / "article.yaml"


def text_of(corpus: Path) -> Path:
    return corpus / "articles" / ARTICLE / "text.txt"


# ---------------------------------------------------------------- article texts


def test_invalid_utf8(refused, corpus: Path) -> None:
    text = text_of(corpus)
    data = text.read_bytes()
    cut = data.index(b"Russia") + 4
    text.write_bytes(data[:cut] + b"\xff" + data[cut + 1 :])
    before = data[:cut].decode("utf-8")
    where = (before.count("\n") + 1, len(before) - before.rfind("\n"))
    [problem] = refused()
    assert found(problem) == expect(corpus, "text-encoding", f"articles/{ARTICLE}/text.txt", where)
    assert "byte 0xff" in str(problem["message"])


def test_byte_order_mark(refused, corpus: Path) -> None:
    text = text_of(corpus)
    text.write_bytes(b"\xef\xbb\xbf" + text.read_bytes())
    [problem] = refused()
    assert found(problem) == expect(corpus, "text-bom", f"articles/{ARTICLE}/text.txt", (1, 1))


def test_crlf_line_ends(refused, corpus: Path) -> None:
    text = text_of(corpus)
    first = text.read_text(encoding="utf-8").split("\n", 1)[0]
    text.write_bytes(text.read_bytes().replace(b"\n", b"\r\n"))
    [problem] = refused()
    where = (1, len(first) + 1)
    assert found(problem) == expect(corpus, "text-line-ends", f"articles/{ARTICLE}/text.txt", where)


def test_text_not_nfc(refused, corpus: Path) -> None:
    edit(text_of(corpus), "Share on WhatsApp", "Share on Whatsa\u0301pp")
    [problem] = refused()
    where = at(text_of(corpus), "\u0301")
    assert found(problem) == expect(corpus, "text-not-nfc", f"articles/{ARTICLE}/text.txt", where)


@pytest.mark.parametrize(
    "char",
    ["\u200b", "\u200d", "\u202e", "\x00", "\x1b", "\x7f", "\u2028", "\ue000", "\ufeff"],
    ids=lambda char: f"U+{ord(char):04X}",
)
def test_control_and_zero_width_characters_in_the_text(refused, corpus: Path, char: str) -> None:
    edit(text_of(corpus), "Share on WhatsApp", f"Share on{char} WhatsApp")
    [problem] = refused()
    where = at(text_of(corpus), char)
    file = f"articles/{ARTICLE}/text.txt"
    assert found(problem) == expect(corpus, "text-control-char", file, where)
    assert f"U+{ord(char):04X}" in str(problem["message"])


@pytest.mark.parametrize("content", ["", "\n\n  \n"], ids=["empty", "white-space"])
def test_empty_text(refused, corpus: Path, content: str) -> None:
    text_of(corpus).write_text(content, encoding="utf-8")
    problems = refused()
    empty = [found(p) for p in problems if p["code"] == "text-empty"]
    assert empty == [expect(corpus, "text-empty", f"articles/{ARTICLE}/text.txt")]
    assert {p["code"] for p in problems} == {"text-empty", "quote-not-found"}


# ---------------------------------------------------------------- characters in YAML


def test_raw_control_character_in_yaml(refused, corpus: Path) -> None:
    edit(yaml_of(corpus), "title: North Korea", "title: North\x01 Korea")
    [problem] = refused()
    where = at(yaml_of(corpus), "\x01")
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, "text-control-char", file, where)
    assert "control character U+0001" in str(problem["message"])


@pytest.mark.parametrize(
    ("written", "char"),
    [('"\\e[2J', "\x1b"), ('"\\0', "\x00"), ('"\\u200d', "\u200d"), ('"\\u202e', "\u202e")],
    ids=["escape", "nul", "zero-width-joiner", "right-to-left-override"],
)
def test_escaped_invisible_character_in_a_yaml_value(
    refused, corpus: Path, written: str, char: str
) -> None:
    """YAML escapes let any character into a double-quoted value; the reader refuses them."""
    edit(yaml_of(corpus), "title: North Korea Orders", f"title: {written}North Korea Orders")
    edit(yaml_of(corpus), "in Russia\n", 'in Russia"\n')
    [problem] = refused()
    where = at(yaml_of(corpus), "title: ", len("title: "))
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, "text-control-char", file, where, "title")
    assert f"U+{ord(char):04X}" in str(problem["message"])


@pytest.mark.parametrize("char", ["\u200d", "\u200b", "\u2060", "\u00ad"])
def test_invisible_character_in_a_quote(refused, corpus: Path, char: str) -> None:
    """One problem, at the quote: not also 'quote not found'."""
    quote = FIRST_QUOTE.replace("internet access", f"internet{char} access")
    edit(yaml_of(corpus), f"quote: {FIRST_QUOTE}", f"quote: {quote}")
    [problem] = refused()
    where = at(yaml_of(corpus), f"quote: {quote}", len("quote: "))
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, "text-control-char", file, where, "claims[1].quote")
    assert f"at character {quote.index(char) + 1} of the value" in str(problem["message"])


def test_invisible_character_in_a_figure_text(refused, corpus: Path) -> None:
    edit(yaml_of(corpus), "text: 10th", 'text: "10\\u200bth"')
    [problem] = refused()
    where = at(yaml_of(corpus), "text: ", len("text: "))
    path = "claims[8].figures[0].text"
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, "text-control-char", file, where, path)


def test_quote_not_in_nfc(refused, corpus: Path) -> None:
    """The text says 'café' composed; the quote decomposed looks the same but cannot match."""
    edit(text_of(corpus), "laborers sent", "laborers (café) sent")
    quote = FIRST_QUOTE.replace("laborers", "laborers (cafe\u0301)")
    edit(yaml_of(corpus), f"quote: {FIRST_QUOTE}", f"quote: {quote}")
    [problem] = refused()
    where = at(yaml_of(corpus), f"quote: {quote}", len("quote: "))
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, "quote-characters", file, where, "claims[1].quote")
    line = at(text_of(corpus), "laborers (café)")[0]
    assert f"its NFC form occurs at text.txt line {line}" in str(problem["message"])


# ---------------------------------------------------------------- YAML structure


BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        (BOMB, "yaml-alias", (1, 4)),
        ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "yaml-too-deep", (1, 36)),
        ("a:\n" + "".join(f"{' ' * i}- \n" for i in range(0, 200, 2)), "yaml-too-deep", None),
        ("a: " + "{b: " * 50_000 + "}" * 50_000 + "\n", "yaml-too-deep", None),
    ],
    ids=["billion-laughs", "deep-flow-sequence", "deep-block-sequence", "deep-flow-mapping"],
)
def test_alias_bomb_and_deep_nesting_in_bounded_time_and_memory(
    corpus: Path, content: str, code: str, where: tuple[int, int] | None
) -> None:
    yaml_of(corpus).write_text(content, encoding="utf-8")
    [problem] = script_problems(corpus)
    assert (problem["code"], problem["file"]) == (code, f"{corpus}/articles/{ARTICLE}/article.yaml")
    if where is not None:
        assert (problem["line"], problem["column"]) == where
    assert problem["line"] is not None


@pytest.mark.parametrize(
    ("value", "where_text"),
    [
        ("!!python/object/apply:os.system ['touch pwned']", "!!python"),
        ("!!python/object:os.system {a: 1}", "!!python"),
        ("!!python/name:os.system en", "!!python"),
        ("!local en", "!local"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!int '5'", "!!int"),
        ("!!set {a, b}", "!!set"),
    ],
)
def test_custom_yaml_tags(refused, corpus: Path, value: str, where_text: str) -> None:
    edit(yaml_of(corpus), "language: en", f"language: {value}")
    [problem] = refused()
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, "yaml-tag", file, at(yaml_of(corpus), where_text))
    assert not list(corpus.parent.parent.rglob("pwned"))


def test_tag_directive_cannot_smuggle_a_python_tag(refused, corpus: Path) -> None:
    text = yaml_of(corpus).read_text(encoding="utf-8")
    yaml_of(corpus).write_text(
        "%TAG !py! tag:yaml.org,2002:python/\n---\n"
        + text.replace("language: en", "language: !py!object/apply:os.system ['touch pwned']"),
        encoding="utf-8",
    )
    [problem] = refused()
    assert problem["code"] == "yaml-tag"
    assert problem["line"] == at(yaml_of(corpus), "!py!object")[0]


DUPLICATES = [
    ("dataset.yaml", f"version: {VERSION}\n",
     f"version: {VERSION}\nversion: {next_version(VERSION)}\n", "version"),
    ("dataset.yaml", "  name: CC-BY-4.0\n", "  name: CC-BY-4.0\n  name: CC0-1.0\n", "license.name"),
    ("sources.yaml", "    name: Financial Times\n", "    name: Financial Times\n    name: FT\n",
     "sources[0].name"),
    ("quantities.yaml", "    unit: smartphones\n", "    unit: smartphones\n    unit: phones\n",
     "quantities[0].unit"),
    (f"articles/{ARTICLE}/article.yaml", "language: en\n", "language: en\nlanguage: ko\n",
     "language"),
    (f"articles/{ARTICLE}/article.yaml", f"quote: {FIRST_QUOTE}\n",
     f"quote: {FIRST_QUOTE}\n    quote: a second quote\n", "claims[1].quote"),
    (f"articles/{ARTICLE}/article.yaml", "        value: 10\n",
     "        value: 10\n        value: 11\n", "claims[8].figures[0].value"),
    (f"articles/{ARTICLE}/article.yaml", "language: en\n", "language: en\n'language': ko\n",
     "language"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "path"), DUPLICATES)
def test_duplicate_keys_at_every_level(
    refused, corpus: Path, file: str, old: str, new: str, path: str
) -> None:
    edit(corpus / file, old, new)
    [problem] = refused()
    second = new.splitlines()[1]
    where = at(corpus / file, second, len(second) - len(second.lstrip()))
    assert found(problem) == expect(corpus, "yaml-duplicate-key", file, where, path)
    assert f"(first at line {where[0] - 1})" in str(problem["message"])


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        ("", "yaml-empty", (1, 1)),
        ("# only a comment\n", "yaml-empty", (2, 1)),
        ("---\n", "field-type", (2, 1)),
        ("---\na: 1\n---\nb: 2\n", "yaml-syntax", (3, 1)),
        ("just text\n", "field-type", (1, 1)),
    ],
    ids=["empty", "comment", "null-document", "two-documents", "scalar"],
)
def test_empty_or_odd_documents(refused, corpus: Path, content: str, code, where) -> None:
    yaml_of(corpus).write_text(content, encoding="utf-8")
    [problem] = refused()
    assert found(problem) == expect(corpus, code, f"articles/{ARTICLE}/article.yaml", where)


def test_empty_registry(refused, corpus: Path) -> None:
    (corpus / "sources.yaml").write_text("", encoding="utf-8")
    [problem] = refused()
    assert found(problem) == expect(corpus, "yaml-empty", "sources.yaml", (1, 1))


def test_key_that_is_not_text(refused, corpus: Path) -> None:
    edit(yaml_of(corpus), "language: en\n", "language: en\n? [a, b]\n: c\n")
    [problem] = refused()
    where = at(yaml_of(corpus), "? [a, b]", 2)
    assert found(problem) == expect(
        corpus, "yaml-syntax", f"articles/{ARTICLE}/article.yaml", where
    )


def test_keys_are_read_as_written(refused, corpus: Path) -> None:
    """`null`, `true` and `1.10` as keys are unknown keys by their own names, never None or
    True, and `true` and `True` are two keys, not a duplicate."""
    edit(yaml_of(corpus), "language: en\n", "language: en\nnull: a\ntrue: b\nTrue: c\n1.10: d\n")
    problems = refused()
    assert [(p["code"], p["path"]) for p in problems] == [
        ("field-unknown", "null"),
        ("field-unknown", "true"),
        ("field-unknown", "True"),
        ("field-unknown", "1.10"),
    ]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("1_000", "field-type"),
        ("0x10", "field-type"),
        ("1,000", "field-type"),
        ("'10'", "field-type"),
        (".nan", "field-value"),
        (".NaN", "field-value"),
        (".inf", "field-value"),
        ("-.inf", "field-value"),
        ("1e309", "field-value"),
        ("-5", "field-value"),
        ("-0.5", "field-value"),
    ],
)
def test_figure_numbers(refused, corpus: Path, written: str, code: str) -> None:
    edit(yaml_of(corpus), "value: 10\n", f"value: {written}\n")
    [problem] = refused()
    where = at(yaml_of(corpus), f"value: {written}\n", len("value: "))
    path = "claims[8].figures[0].value"
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, code, file, where, path)


def test_negative_bound(refused, corpus: Path) -> None:
    edit(yaml_of(corpus), "low: 2000\n", "low: -2000\n")
    [problem] = refused()
    where = at(yaml_of(corpus), "low: -2000", len("low: "))
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, "field-value", file, where, "claims[12].figures[0].low")
    assert "greater than or equal to 0" in str(problem["message"])


def test_number_too_long_for_python(refused, corpus: Path) -> None:
    """Python refuses to convert integers of more than 4300 digits; a problem, not a crash."""
    edit(yaml_of(corpus), "value: 10\n", f"value: {'9' * 5000}\n")
    [problem] = refused()
    where = at(yaml_of(corpus), "value: 999", len("value: "))
    assert found(problem) == expect(
        corpus, "field-value", f"articles/{ARTICLE}/article.yaml", where
    )
    assert "5000 digits" in str(problem["message"])


# ---------------------------------------------------------------- quotes


def test_quote_found_twice(refused, corpus: Path) -> None:
    edit(yaml_of(corpus), f"quote: {FIRST_QUOTE}", "quote: Share on WhatsApp")
    [problem] = refused()
    where = at(yaml_of(corpus), "quote: Share on WhatsApp", len("quote: "))
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, "quote-ambiguous", file, where, "claims[1].quote")
    assert str(problem["message"]) == "the quote occurs 2 times in text.txt (lines 3, 4)"


def test_occurrence_zero(refused, corpus: Path) -> None:
    edit(yaml_of(corpus), f"quote: {FIRST_QUOTE}\n", f"quote: {FIRST_QUOTE}\n    occurrence: 0\n")
    [problem] = refused()
    where = at(yaml_of(corpus), "occurrence: 0", len("occurrence: "))
    path = "claims[1].occurrence"
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, "field-value", file, where, path)


def test_occurrence_beyond_the_matches(refused, corpus: Path) -> None:
    edit(yaml_of(corpus), f"quote: {FIRST_QUOTE}\n", f"quote: {FIRST_QUOTE}\n    occurrence: 2\n")
    [problem] = refused()
    where = at(yaml_of(corpus), "occurrence: 2", len("occurrence: "))
    path = "claims[1].occurrence"
    file = f"articles/{ARTICLE}/article.yaml"
    assert found(problem) == expect(corpus, "quote-occurrence", file, where, path)
    assert str(problem["message"]) == "occurrence 2 but the quote occurs once"


# ---------------------------------------------------------------- ids, names and dates


@pytest.mark.parametrize(
    ("file", "old", "new", "path", "why"),
    [
        ("sources.yaml", "id: financial-times", "id: ../../etc/passwd", "sources[0].id",
         "character 1 is '.'"),
        ("sources.yaml", "id: financial-times", "id: financial/times", "sources[0].id",
         "character 10 is '/'"),
        ("sources.yaml", "id: financial-times", "id: financial times", "sources[0].id",
         "character 10 is ' '"),
        ("sources.yaml", "id: financial-times", "id: financi\u0430l-times", "sources[0].id",
         "(U+0430 CYRILLIC SMALL LETTER A)"),
        ("sources.yaml", "id: financial-times", "id: Financial-Times", "sources[0].id",
         "(U+0046 LATIN CAPITAL LETTER F)"),
        (f"articles/{ARTICLE}/article.yaml", "id: c02", "id: c/02", "claims[1].id",
         "character 2 is '/'"),
        ("dataset.yaml", "name: nkdata", "name: ../nkdata", "name", "character 1 is '.'"),
    ],
)  # fmt: skip
def test_ids_with_dots_slashes_spaces_look_alikes_and_capitals(
    refused, corpus: Path, file: str, old: str, new: str, path: str, why: str
) -> None:
    edit(corpus / file, old, new)
    problems = refused()
    where = at(corpus / file, new, len("id: ") if "id:" in new else len("name: "))
    [mine] = [p for p in problems if p["path"] == path and p["code"] == "id-format"]
    assert found(mine) == expect(corpus, "id-format", file, where, path)
    assert why in str(mine["message"])
    others = {p["code"] for p in problems if p is not mine}
    assert others <= {"ref-unknown"}  # references to the broken id


def test_ids_that_collide_only_by_case(refused, corpus: Path) -> None:
    edit(yaml_of(corpus), "id: c02", "id: C01")
    problems = refused()
    where = at(yaml_of(corpus), "id: C01", len("id: "))
    file = f"articles/{ARTICLE}/article.yaml"
    assert [found(p) for p in problems] == [
        expect(corpus, "id-duplicate", file, where, "claims[1].id"),
        expect(corpus, "id-format", file, where, "claims[1].id"),
    ]


@pytest.mark.parametrize(
    ("version", "codes"),
    [
        ("'../../evil'", ["field-value"]),
        ("'0.1.0/../../../evil'", ["field-value"]),
        ('"0.1.0\\n"', ["field-value"]),
        ('"0.1.0\\u200b"', ["field-value", "text-control-char"]),
        ("0.1", ["field-type"]),
    ],
)
def test_version_cannot_name_another_folder(refused, corpus: Path, version: str, codes) -> None:
    """The version names the release folder: it is a strict MAJOR.MINOR.PATCH or nothing."""
    set_field(corpus / "dataset.yaml", "version", version)
    problems = refused()
    where = at(corpus / "dataset.yaml", "version: ", len("version: "))
    assert [found(p) for p in problems] == [
        expect(corpus, code, "dataset.yaml", where, "version") for code in codes
    ]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("a b", "character 2 is ' '"),
        ("a..b", "character 2 is '.'"),
        ("..hidden", "character 1 is '.'"),
        ("rfa-2018-w\u043erkers", "(U+043E CYRILLIC SMALL LETTER O)"),
        ("RFA-2018", "(U+0052 LATIN CAPITAL LETTER R)"),
        ("rfa\u200b2018", "(U+200B ZERO WIDTH SPACE)"),
        ("café", "(U+00E9 LATIN SMALL LETTER E WITH ACUTE)"),
        ("a--b", "hyphens must separate"),
    ],
)
def test_article_folder_names(refused, corpus: Path, name: str, why: str) -> None:
    folder = corpus / "articles" / name
    shutil.copytree(corpus / "articles" / ARTICLE, folder)
    [problem] = refused()
    where = at(folder / "article.yaml", f"id: {ARTICLE}", len("id: "))
    file = f"articles/{name}/article.yaml"
    assert found(problem) == expect(corpus, "id-format", file, where, "id")
    assert why in str(problem["message"])


def test_article_folder_names_that_differ_only_by_case(refused, corpus: Path) -> None:
    shutil.copytree(corpus / "articles" / ARTICLE, corpus / "articles" / ARTICLE.upper())
    [problem] = refused()
    assert (problem["code"], problem["file"]) == (
        "id-format",
        f"{corpus}/articles/{ARTICLE.upper()}/article.yaml",
    )


@pytest.mark.parametrize(
    ("file", "old", "new", "path", "code"),
    [
        (f"articles/{ARTICLE}/article.yaml", PUBLISHED, "published: 2024-02-30",
         "published", "date-invalid"),
        (f"articles/{ARTICLE}/article.yaml", PUBLISHED, "published: 2018-13",
         "published", "date-invalid"),
        (f"articles/{ARTICLE}/article.yaml", PUBLISHED, "published: '0000'",
         "published", "date-invalid"),
        (f"articles/{ARTICLE}/article.yaml", PUBLISHED, "published: 2999-01-01",
         "published", "date-future"),
        (f"articles/{ARTICLE}/article.yaml", "as_of: '2018'", "as_of: 2023-02-29",
         "claims[8].figures[0].as_of", "date-invalid"),
        (f"articles/{ARTICLE}/article.yaml", "as_of: '2018'", "as_of: '9999'",
         "claims[8].figures[0].as_of", "date-future"),
        (f"articles/{ARTICLE}/article.yaml", "retrieved: null", "retrieved: 2017-01-01",
         "retrieved", "date-invalid"),
        ("dataset.yaml", RELEASED, "released: 2999-11-23", "released", "date-future"),
    ],
)  # fmt: skip
def test_dates(refused, corpus: Path, file: str, old: str, new: str, path: str, code) -> None:
    edit(corpus / file, old, new)
    [problem] = refused()
    key = new.split(":", 1)[0]
    where = at(corpus / file, new, len(key) + 2)
    assert found(problem) == expect(corpus, code, file, where, path)


# ---------------------------------------------------------------- files, links, sizes


@pytest.mark.parametrize("name", ["text.txt", "article.yaml"])
def test_file_linked_out_of_the_corpus(refused, corpus: Path, name: str) -> None:
    outside = corpus.parent.parent / f"outside-{name}"
    shutil.copyfile(corpus / "articles" / ARTICLE / name, outside)
    (corpus / "articles" / ARTICLE / name).unlink()
    (corpus / "articles" / ARTICLE / name).symlink_to(outside)
    [problem] = refused()
    assert found(problem) == expect(corpus, "file-symlink", f"articles/{ARTICLE}/{name}")


def test_registry_linked_out_of_the_corpus(refused, corpus: Path) -> None:
    outside = corpus.parent.parent / "sources.yaml"
    shutil.move(corpus / "sources.yaml", outside)
    (corpus / "sources.yaml").symlink_to(outside)
    [problem] = refused()
    assert found(problem) == expect(corpus, "file-symlink", "sources.yaml")


def test_article_folder_linked_out_of_the_corpus(refused, corpus: Path) -> None:
    outside = corpus.parent.parent / "elsewhere"
    shutil.move(corpus / "articles" / ARTICLE, outside)
    link = corpus / "articles" / ARTICLE
    link.symlink_to(outside)
    assert [found(p) for p in refused()] == [expect(corpus, "file-symlink", f"articles/{ARTICLE}")]
    assert [found(p) for p in refused(link)] == [
        expect(corpus, "file-symlink", f"articles/{ARTICLE}")
    ]


def test_articles_folder_linked_out_of_the_corpus(refused, corpus: Path) -> None:
    outside = corpus.parent.parent / "all-articles"
    shutil.move(corpus / "articles", outside)
    (corpus / "articles").symlink_to(outside)
    [problem] = refused()
    assert found(problem) == expect(corpus, "file-symlink", "articles")


def test_link_to_a_device(refused, corpus: Path) -> None:
    (corpus / "articles" / ARTICLE / "text.txt").unlink()
    (corpus / "articles" / ARTICLE / "text.txt").symlink_to("/dev/zero")
    [problem] = refused()
    assert found(problem) == expect(corpus, "file-symlink", f"articles/{ARTICLE}/text.txt")


def test_fifo_and_device_files_are_never_opened(corpus: Path) -> None:
    """A FIFO would block a reader forever; a device could be endless. Neither is opened."""
    os.mkfifo(corpus / "articles" / ARTICLE / "notes")
    (corpus / "articles" / ARTICLE / "text.txt").unlink()
    os.mkfifo(corpus / "articles" / ARTICLE / "text.txt")
    os.mkfifo(corpus / "articles" / "a-fifo")
    expected = [
        expect(corpus, "file-stray", "articles/a-fifo"),
        expect(corpus, "file-stray", f"articles/{ARTICLE}/notes"),
        expect(corpus, "file-unreadable", f"articles/{ARTICLE}/text.txt"),
    ]
    try:
        os.mknod(corpus / "dataset.yaml.dev", stat.S_IFCHR | 0o600, os.makedev(1, 5))
        expected.insert(0, expect(corpus, "file-stray", "dataset.yaml.dev"))
    except PermissionError:
        pass  # not root: the FIFOs make the case
    problems = script_problems(corpus)
    assert sorted(map(found, problems), key=lambda p: str(p["file"])) == sorted(
        expected, key=lambda p: str(p["file"])
    )


@pytest.mark.parametrize("name", ["text.txt", "article.yaml"])
def test_fifty_megabyte_file(corpus: Path, name: str) -> None:
    """Refused by its size, before a byte is read: a subprocess under a 1 GiB memory limit."""
    path = corpus / "articles" / ARTICLE / name
    with path.open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)
    [problem] = script_problems(corpus)
    assert found(problem) == expect(corpus, "file-too-large", f"articles/{ARTICLE}/{name}")
    assert "52,428,800 bytes; the limit is 5,000,000" in str(problem["message"])


def test_long_one_line_text_with_missing_quotes_in_bounded_time(corpus: Path) -> None:
    """A 1 MB text on one line where no quote is found: closest-passage hints stay bounded."""
    words = (hashlib.sha256(str(i).encode()).hexdigest()[: 3 + i % 7] for i in range(150_000))
    text_of(corpus).write_text(" ".join(words)[:1_000_000] + "\n", encoding="utf-8")
    problems = script_problems(corpus, build=False)  # build validates the same way
    quotes = [p for p in problems if not str(p["path"]).startswith("non_body")]  # lines gone
    assert {p["code"] for p in quotes} == {"quote-not-found"}
    hinted = [p for p in quotes if str(p["hint"]).startswith("Closest passage")]
    assert len(hinted) == 10 < len(quotes)


def test_quote_matching_a_million_times_in_bounded_time(corpus: Path) -> None:
    text_of(corpus).write_text("a" * 4_000_000 + "\n", encoding="utf-8")
    edit(yaml_of(corpus), f"quote: {FIRST_QUOTE}", "quote: aaaa")
    edit(yaml_of(corpus), "text: 10th", "text: a")
    edit(yaml_of(corpus), "quote: we found out we were ranked at 10th place in the Games",
         "quote: " + "a" * 1000 + "\n    occurrence: 1")  # fmt: skip
    problems = script_problems(corpus)
    ambiguous = [p for p in problems if p["code"] in {"quote-ambiguous", "figure-ambiguous"}]
    assert [(p["code"], p["path"]) for p in ambiguous] == [
        ("quote-ambiguous", "claims[1].quote"),
        ("figure-ambiguous", "claims[8].figures[0].text"),
    ]
    assert "occurs 1000 or more times in text.txt (lines 1, 1, 1, 1, 1, ...)" in str(
        ambiguous[0]["message"]
    )


# ---------------------------------------------------------------- the report itself


def test_undecodable_and_control_characters_in_file_names(corpus: Path) -> None:
    """A name that is not UTF-8, or that holds a line break or a terminal escape, is reported
    with escapes: the report is valid UTF-8 and no line can be forged."""
    Path(os.fsdecode(os.fsencode(corpus / "articles") + b"/bad\xffname")).mkdir()
    (corpus / "articles" / "fake\nx: valid\x1b[2J").mkdir()
    problems = script_problems(corpus)
    assert {p["file"] for p in problems} == {
        f"{corpus}/articles/bad\udcffname/article.yaml",
        f"{corpus}/articles/bad\udcffname/text.txt",
        f"{corpus}/articles/fake\nx: valid\x1b[2J/article.yaml",
        f"{corpus}/articles/fake\nx: valid\x1b[2J/text.txt",
    }
    text = run_script("validate", corpus)
    assert text.returncode == 1
    lines = text.stdout.splitlines()
    assert f"{corpus}/articles/bad\\udcffname/text.txt: file-missing text.txt is missing" in lines
    assert all(line.startswith((f"{corpus}/", "    hint: ")) for line in lines), lines
    assert "\x1b" not in text.stdout


def test_look_alike_folder_is_named_in_the_report(corpus: Path) -> None:
    look_alike = ARTICLE.replace("o", "\u043e", 1)
    shutil.copytree(corpus / "articles" / ARTICLE, corpus / "articles" / look_alike)
    [problem] = script_problems(corpus)
    assert problem["code"] == "id-format"
    assert "(U+043E CYRILLIC SMALL LETTER O)" in str(problem["message"])


@pytest.mark.parametrize("target", ["corpus", "article"])
def test_plain_cases_through_the_script(corpus: Path, target: str) -> None:
    edit(yaml_of(corpus), "language: en", "language: !!python/object/apply:os.system [id]")
    data = text_of(corpus).read_bytes()
    text_of(corpus).write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    where = corpus if target == "corpus" else corpus / "articles" / ARTICLE
    problems = script_problems(corpus, where)
    assert [(p["code"], p["line"]) for p in problems] == [
        ("yaml-tag", at(yaml_of(corpus), "!!python")[0]),
        ("text-bom", 1),
        ("text-line-ends", 1),
    ]


# ---------------------------------------------------------------- harmless look-alikes


def test_bom_and_crlf_in_yaml_change_nothing(nkdata, corpus: Path, tmp_path: Path) -> None:
    """YAML allows a BOM and CRLF line ends and they change no value: the release is the same
    byte for byte as the one from the committed files."""
    for path in [*corpus.glob("*.yaml"), *corpus.glob("articles/*/article.yaml")]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert nkdata("build", corpus, "-q").exit_code == 0
    shutil.copytree(CORPUS, tmp_path / "plain" / "corpus")
    assert nkdata("build", tmp_path / "plain" / "corpus", "-q").exit_code == 0
    assert tree(corpus.parent / "releases") == tree(tmp_path / "plain" / "releases")


# ---------------------------------------------------------------- scaffolds write nowhere else


@pytest.mark.parametrize("new_id", ["../escape", "a/b", "/tmp/x", "A", "a b", "r\u0430dio", ""])
@pytest.mark.parametrize("kind", ["article", "source"])
def test_scaffold_refuses_ids_that_are_not_slugs(
    nkdata, corpus: Path, kind: str, new_id: str
) -> None:
    before = tree(corpus.parent.parent)
    run = nkdata("new", kind, new_id, "--corpus", corpus)
    assert run.exit_code == 2, run.stdout + run.stderr
    assert "is not a valid" in run.stderr
    assert tree(corpus.parent.parent) == before


def test_scaffold_does_not_write_through_a_linked_articles_folder(nkdata, corpus: Path) -> None:
    outside = corpus.parent.parent / "all-articles"
    shutil.move(corpus / "articles", outside)
    (corpus / "articles").symlink_to(outside)
    before = tree(corpus.parent.parent)
    run = nkdata("new", "article", "new-article", "--corpus", corpus)
    assert run.exit_code == 1
    assert "is a symbolic link; nothing was written" in run.stderr
    assert tree(corpus.parent.parent) == before


@pytest.mark.parametrize("kind", ["fifo", "link", "giant"])
def test_scaffold_reads_sources_yaml_only_as_a_plain_small_file(corpus: Path, kind: str) -> None:
    """`nkdata new source` reads sources.yaml like validate does: a FIFO would block it forever,
    a link would be replaced by a copy, a giant would be read whole."""
    sources = corpus / "sources.yaml"
    if kind == "fifo":
        sources.unlink()
        os.mkfifo(sources)
    elif kind == "link":
        shutil.move(sources, corpus.parent.parent / "sources.yaml")
        sources.symlink_to(corpus.parent.parent / "sources.yaml")
    else:
        with sources.open("r+b") as handle:
            handle.truncate(50 * 1024 * 1024)
    before = tree(corpus.parent.parent)
    run = run_script("new", "source", "new-source", "--corpus", corpus, timeout=30)
    assert run.returncode == 1
    assert run.stderr.startswith(f"Error: cannot read {sources}: ")
    assert tree(corpus.parent.parent) == before
