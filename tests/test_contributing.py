"""CONTRIBUTING.md, replayed: every command of its console blocks runs, in order, on a copy of
this repository from which the walkthrough's article was removed, and prints what the guide shows.

The copy holds corpus/, releases/ and the root files, without the article
theregister-2013-3g-tourists-switched-off and the sources and quantities that only it cites, and
with the unpublished release rebuilt without them: the repository as it would be had the article
never been added. Between commands, the guide's prose describes edits (save the text, fill in the
entries, fix what `nkdata validate` reports); the test makes them where the guide has a
`<!-- replay: STEP -->` marker, from the committed files, so that the walkthrough ends with the
committed annotation and a release byte-identical to this repository's.

Outputs compare line by line, exactly, except that a line `...` stands for any lines, the copy's
path is printed as the guide's clone (/home/you/nkdata), and trailing spaces are ignored. A
```yaml block whose first line is `# corpus/PATH, ...` is an excerpt of that file as it is at that
point (`...` for lines left out). Every ```python block runs in an empty folder. The ``nkdata``
commands of the ```sh blocks, which are not run (they need the network or a new environment),
must exist with the options they use.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nkdata.cli import app
from tests.conftest import CORPUS, REPO
from tests.support.docblocks import Block, blocks, help_problems, nkdata_commands

GUIDE = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
ARTICLE = "theregister-2013-3g-tourists-switched-off"
CLONE = "/home/you/nkdata"
"""Where the guide's clone is; the copy's path is printed as this."""
REGISTRIES = ("sources", "quantities")
MARKER = re.compile(r"^<!-- replay: ([a-z-]+) -->$", re.M)
EXCERPT = re.compile(r"# (corpus/\S+),")
REFERENCES = {"publisher_id", "via_id", "source_id", "quantity_id", "affiliation_id", "authors"}


def committed(name: str) -> str:
    return (CORPUS / "articles" / ARTICLE / name).read_text(encoding="utf-8")


def first_cited(registry: str) -> str:
    """The committed entries of a registry that the article cites first: the lines from its
    ``# ---- first cited in ARTICLE`` comment to the next such comment."""
    text = (CORPUS / f"{registry}.yaml").read_text(encoding="utf-8")
    group = re.search(rf"^  # ---- first cited in {ARTICLE}\n(?:(?!  # ----).*\n)*", text, re.M)
    assert group, f"{registry}.yaml has no `# ---- first cited in {ARTICLE}` group"
    return group.group(0)


def entry_ids(text: str) -> list[str]:
    return re.findall(r"^  - id: (\S+)$", text, re.M)


def without_entries(text: str, ids: tuple[str, ...]) -> str:
    for entry in ids:
        text = re.sub(rf"^  - id: {entry}\n(?:    .*\n)*", "", text, flags=re.M)
    return text


def references(node: object) -> set[str]:
    """Every source and quantity id that a parsed corpus file refers to."""
    if isinstance(node, list):
        return set().union(*map(references, node))
    if not isinstance(node, dict):
        return set()
    found = set().union(*map(references, node.values()))
    for key in REFERENCES & node.keys():
        value = node[key]
        found |= set(value) if isinstance(value, list) else {value} - {None}
    return found


def cited_only_by_the_article() -> set[str]:
    def cited(path: Path) -> set[str]:
        return references(yaml.safe_load(path.read_text(encoding="utf-8")))

    ours = CORPUS / "articles" / ARTICLE / "article.yaml"
    others = [path for path in CORPUS.glob("articles/*/article.yaml") if path != ours]
    return cited(ours) - cited(CORPUS / "sources.yaml").union(*map(cited, others))


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository without the article, its unpublished release rebuilt; the current folder."""
    root = tmp_path / "nkdata"
    root.mkdir()
    for path in REPO.iterdir():
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, root / path.name)
    for folder in ("corpus", "releases"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.rmtree(root / "corpus" / "articles" / ARTICLE)
    removed = []
    for registry in REGISTRIES:
        path = root / "corpus" / f"{registry}.yaml"
        group = first_cited(registry)
        path.write_text(path.read_text(encoding="utf-8").replace(group, ""), encoding="utf-8")
        removed += entry_ids(group)
    assert set(removed) == cited_only_by_the_article()
    monkeypatch.chdir(root)
    built = CliRunner().invoke(app, ["build", "-q"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    return root


def claim(text: str, claim_id: str) -> str:
    found = re.search(rf"^  - id: {claim_id}\n(?:    .*\n)*", text, re.M)
    assert found, claim_id
    return found.group(0)


def mistakes(article: str) -> dict[str, list[tuple[str, str]]]:
    """The first draft's mistakes, by the step that fixes them: (as committed, as first drafted)."""
    quote = next(line for line in article.splitlines(True) if "company added that “" in line)
    c12, c13 = claim(article, "c12"), claim(article, "c13")
    f3 = claim(article, "c11").split("      - id: f3\n")[1].split("      - id: f4\n")[0]
    return {
        "fix-first-round": [
            ("        value: 1\n        high: 1\n", "        value: 1\n"),
            (quote, quote.replace("“", '"').replace("”", '"')),
            (c12 + c13, c13 + c12),
        ],
        "fix-numbers": [
            (f"      - id: f3\n{f3}      - id: f4\n", "      - id: f3\n"),  # 10GB was f3
            ("exclusions:\n  - quote: into the 21st century\n    reason: idiom\n", "exclusions:\n"),
        ],
    }


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


class Edits:
    """The edits the guide's prose describes, made at its ``<!-- replay: STEP -->`` markers:
    ``step_fill_in_entries`` for ``<!-- replay: fill-in-entries -->``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.before = {name: self.registry(name).read_text(encoding="utf-8") for name in REGISTRIES}
        """Each registry as it was before the walkthrough."""
        self.article = root / "corpus" / "articles" / ARTICLE / "article.yaml"
        self.mistakes = mistakes(committed("article.yaml"))

    def registry(self, name: str) -> Path:
        return self.root / "corpus" / f"{name}.yaml"

    def make(self, step: str) -> None:
        getattr(self, "step_" + step.replace("-", "_"))()

    def step_fill_in_entries(self) -> None:
        """The sources and quantities added with `nkdata new`, filled in; the relay, North Korea
        Tech, is forgotten (the guide's mistake)."""
        self.fill_in("north-korea-tech")

    def step_save_text(self) -> None:
        self.article.with_name("text.txt").write_text(committed("text.txt"), encoding="utf-8")

    def step_first_draft(self) -> None:
        assert self.article.is_file(), "`nkdata new article` wrote article.yaml"
        draft = committed("article.yaml")
        for fixed, wrong in (pair for pairs in self.mistakes.values() for pair in pairs):
            assert draft.count(fixed) == 1, fixed
            draft = draft.replace(fixed, wrong)
        self.article.write_text(draft, encoding="utf-8")

    def step_fix_first_round(self) -> None:
        self.fix("fix-first-round")

    def step_fill_in_relay(self) -> None:
        self.fill_in()

    def step_fix_numbers(self) -> None:
        self.fix("fix-numbers")
        assert self.article.read_text(encoding="utf-8") == committed("article.yaml")

    def step_correct_after_publishing(self) -> None:
        replace_once(self.article, "services for tourists in", "services for foreign tourists in")

    def fill_in(self, *held_back: str) -> None:
        """Fill in the entries that `nkdata new` appended, as committed (but those held back)."""
        for name in REGISTRIES:
            text = self.registry(name).read_text(encoding="utf-8")
            assert text.startswith(self.before[name]), f"{name}.yaml changed before its end"
            entries = without_entries(first_cited(name), held_back)
            appended = set(entry_ids(text[len(self.before[name]) :]))
            assert appended == set(entry_ids(entries)), f"the guide's `nkdata new` in {name}.yaml"
            self.registry(name).write_text(self.before[name] + entries, encoding="utf-8")

    def fix(self, step: str) -> None:
        for fixed, wrong in self.mistakes[step]:
            replace_once(self.article, wrong, fixed)


@dataclass
class Command:
    line: int
    text: str
    expected: list[tuple[int, str]] = field(default_factory=list)


def commands(block: Block) -> list[Command]:
    """The ``$ `` commands of a console block, each with the output lines shown after it."""
    found: list[Command] = []
    for number, text in block.lines:
        if text.startswith("$ "):
            assert text.startswith("$ nkdata "), f"line {number}: console blocks run nkdata only"
            found.append(Command(number, text[2:]))
        else:
            assert found, f"line {number}: a console block starts with a `$ ` command"
            found[-1].expected.append((number, text))
    return found


def walkthrough() -> list[tuple[int, str | Block]]:
    """The guide's step markers and fenced blocks, in the order of the text."""
    markers = [(GUIDE.count("\n", 0, m.start()) + 1, m.group(1)) for m in MARKER.finditer(GUIDE)]
    return sorted([*markers, *((block.line, block) for block in blocks(GUIDE))], key=lambda x: x[0])


def _mismatch(shown: list[tuple[int, str]], actual: list[str], start: int) -> str | None:
    """The first line of ``shown`` that ``actual`` from ``start`` on does not have."""
    for offset, (number, text) in enumerate(shown):
        got = actual[start + offset] if start + offset < len(actual) else None
        if got != text:
            return f"line {number}: expected {text!r}, got " + (
                "no more output" if got is None else repr(got)
            )
    return None


def _find(segment: list[tuple[int, str]], actual: list[str], start: int, end: int) -> int | str:
    """Where ``segment`` first occurs whole in ``actual[start:end]``; else what differs at the
    place that has most of its first lines."""
    texts = [text for _, text in segment]
    starts = range(start, end - len(texts) + 1)

    def agreeing(at: int) -> int:
        return next((k for k, text in enumerate(texts) if actual[at + k] != text), len(texts))

    best = max(starts, key=agreeing, default=None)  # the first of the best
    if best is not None and agreeing(best) == len(texts):
        return best
    if best is not None and agreeing(best) > 0:
        return str(_mismatch(segment, actual, best))
    return f"line {segment[0][0]}: {segment[0][1]!r} is not in the output where it is shown"


def difference(shown: list[tuple[int, str]], actual: list[str]) -> str | None:
    """Where ``actual`` departs from the lines ``shown`` (with their line numbers in the guide;
    a line ``...`` stands for any lines); None when it fits.

    >>> difference([(1, "a"), (2, "..."), (3, "c")], ["a", "b", "b", "c  "]) is None
    True
    >>> difference([(1, "a"), (2, "..."), (3, "b"), (4, "c"), (5, "...")], ["a", "b", "d"])
    "line 4: expected 'c', got 'd'"
    >>> difference([(1, "a"), (2, "c")], ["a", "b"])
    "line 2: expected 'c', got 'b'"
    """
    actual = [line.rstrip() for line in actual]
    segments: list[list[tuple[int, str]]] = [[]]
    for number, text in shown:
        if text.strip() == "...":
            segments.append([])
        else:
            segments[-1].append((number, text.rstrip()))
    if len(segments) == 1:
        extra = actual[len(segments[0]) :]
        return _mismatch(segments[0], actual, 0) or (
            f"it printed {extra[0]!r} after the lines shown" if extra else None
        )
    head, *middle, tail = segments
    end = len(actual) - len(tail)
    if end < len(head):
        return f"line {shown[0][0]}: the output is shorter than the lines shown"
    problem = _mismatch(head, actual, 0) or _mismatch(tail, actual, end)
    at = len(head)
    for segment in middle:
        if problem or not segment:
            continue
        found = _find(segment, actual, at, end)
        if isinstance(found, str):
            problem = found
        else:
            at = found + len(segment)
    return problem


def run_console(block: Block, root: Path) -> None:
    for command in commands(block):
        result = CliRunner().invoke(app, shlex.split(command.text)[1:], catch_exceptions=False)
        printed = result.output.replace(str(root), CLONE)
        problem = difference(command.expected, printed.splitlines())
        if problem:
            pytest.fail(
                f"CONTRIBUTING.md line {command.line}, `{command.text}`: {problem}\n"
                f"--- it printed (exit {result.exit_code}):\n{printed}"
            )


def check_yaml(block: Block, root: Path) -> None:
    """An excerpt of a corpus file must be that file's lines; any other block must parse."""
    header = EXCERPT.match(block.lines[0][1]) if block.lines else None
    if header is None:
        yaml.safe_load("\n".join(text for _, text in block.lines))
        return
    excerpt = [(0, "..."), *block.lines[1:], (0, "...")]
    text = (root / header.group(1)).read_text(encoding="utf-8")
    problem = difference(excerpt, text.splitlines())
    if problem:
        pytest.fail(f"CONTRIBUTING.md, the excerpt of {header.group(1)}: {problem}")


def run_python(block: Block, folder: Path) -> None:
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(text for _, text in block.lines)],
        cwd=folder,
        env={**os.environ, "NKDATA_OFFLINE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"CONTRIBUTING.md line {block.line}: {done.stderr[-3000:]}"


def test_the_guide_replays_on_a_copy_without_its_article(clone: Path, tmp_path: Path) -> None:
    edits = Edits(clone)
    for line, item in walkthrough():
        if isinstance(item, str):
            edits.make(item)
        elif item.lang == "console":
            run_console(item, clone)
        elif item.lang == "yaml":
            check_yaml(item, clone)
        elif item.lang == "python":
            run_python(item, tmp_path / f"python-{line}")
    version = yaml.safe_load((CORPUS / "dataset.yaml").read_text(encoding="utf-8"))["version"]
    ours, theirs = clone / "releases" / version, REPO / "releases" / version
    assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in theirs.iterdir())
    for path in theirs.iterdir():
        assert (ours / path.name).read_bytes() == path.read_bytes(), f"release file {path.name}"


def test_every_step_and_block_of_the_guide_is_replayed() -> None:
    """Each step marker names one edit of the test, once; no fence is indented (which would
    hide its block from the replay); console blocks hold nkdata commands and their outputs."""
    named = [item for _, item in walkthrough() if isinstance(item, str)]
    steps = [name[5:].replace("_", "-") for name in dir(Edits) if name.startswith("step_")]
    assert sorted(named) == sorted(steps)
    assert not re.search(r"^[ \t]+```", GUIDE, re.M), "an indented fence"
    assert all(commands(block) for block in blocks(GUIDE, "console"))


@pytest.mark.parametrize(
    ("line", "args"), nkdata_commands(GUIDE), ids=[f"line{n}" for n, _ in nkdata_commands(GUIDE)]
)
def test_shell_blocks_use_real_commands_and_options(line: int, args: list[str]) -> None:
    assert help_problems(args) == [], f"CONTRIBUTING.md line {line}"
