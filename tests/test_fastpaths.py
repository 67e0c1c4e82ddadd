"""The fast paths give exactly what the careful ones give.

- YAML: the plain walk (values only) and the careful walk (positions and problems) agree on the
  values of every document, and every unusual document falls back to the careful walk;
- articles checked in worker processes report the same problems, in the same order, and build
  the same release bytes as articles checked one by one in this process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from nkdata.corpus.yamlreader import YamlDocument, _careful, parse_yaml
from tests.conftest import CORPUS, edit, snapshot

TRICKY = [
    "a: no\nb: yes\nc: on\nd: 1.10\ne: 2018-09-10\nf: ~\ng:\nh: 0x1F\ni: -.inf\nj: .NaN\n",
    "a: 'no'\nb: \"1.10\"\nc: !!str 12\nd: +12\ne: -0\nf: 1e3\ng: True\nh: FALSE\n",
    "a: 1\na: 2\nb: [1, 2]\n",  # duplicate key
    "a: &x 1\nb: *x\n",  # anchor and alias
    "a: !!python/object:os.system ls\n",  # tag
    "a: 1\n---\nb: 2\n",  # two documents
    "",  # empty
    "a: [1, 2\n",  # syntax error
    "? [a, b]\n: c\n",  # complex key
    "a:\n  - b: |\n      block\n      text\n    c: >-\n      folded\n      text\n",
    "list: !!seq [1, 2]\nmap: !!map {a: 1}\n",
    "[" * 40 + "]" * 40 + "\n",  # too deep
    "key: value # comment\n# only a comment\nother: 'it''s'\n",
]


def same(fast: YamlDocument | object, careful: YamlDocument | object) -> None:
    if isinstance(careful, YamlDocument):
        assert isinstance(fast, YamlDocument)
        assert repr(fast.data) == repr(careful.data)  # values, key order, and NaN too
        assert [type(v) for v in _leaves(fast.data)] == [type(v) for v in _leaves(careful.data)]
        assert fast.problems == careful.problems
        assert fast.positions == careful.positions
    else:
        assert fast == careful


def _leaves(data: object) -> list[object]:
    if isinstance(data, dict):
        return [leaf for value in data.values() for leaf in _leaves(value)]
    if isinstance(data, list):
        return [leaf for value in data for leaf in _leaves(value)]
    return [data]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_documents(text: str) -> None:
    same(parse_yaml(text, "x.yaml"), _careful(text, "x.yaml"))


def test_every_corpus_file() -> None:
    for path in sorted(CORPUS.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        fast = parse_yaml(text, path.name)
        assert isinstance(fast, YamlDocument)
        assert fast._positions is None, "read by the plain walk, positions not yet needed"
        same(fast, _careful(text, path.name))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["no", "yes", "1.10", "~", "null", "-", "+1", ".5", "1e5", "0o7", "' x'"]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(data=documents, flow=st.sampled_from([False, True, None]), width=st.sampled_from([20, 80]))
def test_generated_documents(data: object, flow: bool | None, width: int) -> None:
    text = yaml.safe_dump({"root": data}, default_flow_style=flow, width=width, allow_unicode=True)
    same(parse_yaml(text, "x.yaml"), _careful(text, "x.yaml"))


# ---- worker processes ----------------------------------------------------------------------

ARTICLES = 150  # enough for two workers (nkdata.corpus.pool.MIN_PARALLEL is 64 per worker)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus with problems in several articles, spread over every chunk."""
    corpus = generate(tmp_path_factory.mktemp("broken") / "corpus", ARTICLES, workers=1)
    articles = sorted((corpus / "articles").iterdir())
    edit(articles[3] / "article.yaml", 'quote: "', 'quote: "Not in the text ')
    edit(articles[40] / "article.yaml", "source_id: source-", "source_id: no-such-source-")
    edit(articles[77] / "article.yaml", "language: en\n", "language: en\nlanguage: ko\n")
    (articles[101] / "text.txt").write_bytes(
        b"\xef\xbb\xbf" + (articles[101] / "text.txt").read_bytes()
    )
    (articles[149] / "draft.txt").write_text("a stray file\n", encoding="utf-8")
    return corpus


def validate_json(
    nkdata, corpus: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> list[object]:
    monkeypatch.setenv("NKDATA_WORKERS", str(workers))
    run = nkdata("validate", corpus, "--format", "json", "--no-cache")
    assert run.exit_code == 1
    return run.problems()


def test_workers_report_what_one_process_reports(nkdata, broken: Path, monkeypatch) -> None:
    serial = validate_json(nkdata, broken, monkeypatch, 1)
    assert {p["code"] for p in serial} >= {
        "quote-not-found",
        "ref-unknown",
        "yaml-duplicate-key",
        "text-bom",
        "file-stray",
    }
    assert validate_json(nkdata, broken, monkeypatch, 2) == serial


def test_workers_build_the_same_bytes(nkdata, tmp_path: Path, monkeypatch) -> None:
    source = generate(tmp_path / "source", ARTICLES, workers=1)
    releases = {}
    for workers in (1, 2):
        monkeypatch.setenv("NKDATA_WORKERS", str(workers))
        target = tmp_path / f"releases-{workers}"
        run = nkdata("build", source, "--releases", target, "-q")
        assert run.exit_code == 0, run.stderr
        releases[workers] = snapshot(target)
    assert releases[1] == releases[2]
    descriptor = json.loads((tmp_path / "releases-2" / "1.0.0" / "datapackage.json").read_text())
    claims = next(r for r in descriptor["resources"] if r["path"] == "claims.parquet")
    assert claims["bytes"] > 0


# ---- the number rule: offsets only, the same verdicts ------------------------------------------


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_number_rule_reports_what_the_statuses_call_unaccounted(data: st.DataObject) -> None:
    from nkdata.corpus.crosscheck import Spans
    from nkdata.corpus.numbercheck import UNACCOUNTED, number_statuses, unaccounted
    from nkdata.corpus.numberfinder import find_numbers, number_spans

    path = data.draw(st.sampled_from(sorted(CORPUS.glob("articles/*/text.txt"))))
    text = path.read_text(encoding="utf-8")
    assert number_spans(text) == [(n.start, n.end) for n in find_numbers(text)]
    size = len(text)
    bounds = st.tuples(st.integers(0, size), st.integers(0, 60)).map(lambda b: (b[0], b[0] + b[1]))
    spans = Spans(
        figures={("c", str(i)): span for i, span in enumerate(data.draw(st.lists(bounds)))},
        exclusions=dict(enumerate(data.draw(st.lists(bounds)))),
        non_body=dict(enumerate(data.draw(st.lists(bounds, max_size=2)))),
    )
    expected = [
        (status.line, status.column, f"the number {status.number.text!r} is neither a figure")
        for status in number_statuses(text, spans, {})
        if status.status == UNACCOUNTED
    ]
    found = [(p.line, p.column, p.message) for p in unaccounted(text, spans, "text.txt")]
    assert [(line, column, message.split(" nor ")[0]) for line, column, message in found] == (
        expected
    )
