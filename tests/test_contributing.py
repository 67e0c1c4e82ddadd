"""CONTRIBUTING.md, replayed: every command of its console blocks runs, in order, on a copy of
this repository from which the walkthrough's article was removed, and prints what the guide shows.

The guide's outputs were recorded on one day, on the repository as it was then: release 0.3.0,
the first to hold the article theregister-2013-3g-tourists-switched-off, an unpublished draft;
0.2.0 the newest published release. The repository moves on (0.3.0 is published, articles are
added, later versions cut), so the copy is turned back into that state from what the repository
holds now (tests/support/draftrepo.py): the version whose release first holds the article, made
an unpublished draft again, without what came after it. The article is then removed, with the
sources and quantities that only it cites, and the draft rebuilt without them: the repository as
it would be had the article never been added. Between commands, the guide's prose describes edits
(save the text, fill in the entries, fix what `nkdata validate` reports); the test makes them
where the guide has a `<!-- replay: STEP -->` marker, from the files removed, so that the
walkthrough ends with them, and the release the contributor previews is byte for byte the one
built from the corpus before the article was removed.

Outputs compare line by line, exactly, except that a line `...` stands for any lines and `...`
within a line for any text (a count that grows with the corpus), the copy's path is printed as
the guide's clone (/home/you/nkdata), and trailing spaces are ignored. The versions the guide
names (0.2.0, 0.3.0 and its patch 0.3.1) stand for the ones derived from the repository, and its
date (2026-12-01) for the day the test runs, which `nkdata release` takes as the release date. A
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
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nkdata.cli import app
from nkdata.release.diff import Bump
from tests.conftest import REPO
from tests.support.docblocks import Block, blocks, help_problems, nkdata_commands
from tests.support.draftrepo import (
    REGISTRIES,
    back_to_draft,
    entry_ids,
    first_release,
    published_before,
    release_date,
    without_entries,
)

GUIDE = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
ARTICLE = "theregister-2013-3g-tourists-switched-off"
CLONE = "/home/you/nkdata"
"""Where the guide's clone is; the copy's path is printed as this."""
GUIDE_VERSIONS = {"base": "0.2.0", "version": "0.3.0", "patch": "0.3.1"}
"""The versions the guide names: the newest published release, the draft that first holds the
article, and the patch release that corrects it."""
GUIDE_TODAY = "2026-12-01"
"""The day the guide's outputs were recorded, when `nkdata release` printed it as today."""
MARKER = re.compile(r"^<!-- replay: ([a-z-]+) -->$", re.M)
EXCERPT = re.compile(r"# (corpus/\S+),")
REFERENCES = {"publisher_id", "via_id", "source_id", "quantity_id", "affiliation_id", "authors"}
VERSION = re.compile(r"(?<![\w.])\d+\.\d+\.\d+(?![\w]|\.\d)")


@dataclass(frozen=True)
class Story:
    """The guide's versions and date, and the ones they stand for on the test's day."""

    real: dict[str, str]
    """Each of GUIDE_VERSIONS's roles, and "today", as the repository and the clock have them."""

    @classmethod
    def of(cls, releases: Path) -> Story:
        version = first_release(releases, ARTICLE)
        base = published_before(releases, version)
        today = date.today().isoformat()
        return cls(
            {"base": base, "version": version, "patch": Bump.PATCH.of(version), "today": today}
        )

    def to_real(self, command: str) -> str:
        """A command of the guide, with the versions it names as the repository has them."""
        real = {GUIDE_VERSIONS[role]: self.real[role] for role in GUIDE_VERSIONS}
        return VERSION.sub(lambda m: real.get(m[0], m[0]), command)

    def to_guide(self, output: str) -> str:
        """An output, with the versions and today's date as the guide shows them."""
        shown = {self.real[role]: GUIDE_VERSIONS[role] for role in GUIDE_VERSIONS}
        output = output.replace(self.real["today"], GUIDE_TODAY)
        return VERSION.sub(lambda m: shown.get(m[0], m[0]), output)


@dataclass(frozen=True)
class Clone:
    """The copy, turned back to the draft without the article; what was removed from it."""

    root: Path
    story: Story
    removed: dict[str, str]
    """The article's files and the registries as they were, by path under corpus/."""
    preview: Path
    """The release the corpus built before the article was removed, in a folder of its own."""


def first_cited(registry_text: str) -> str:
    """The entries of a registry that the article cites first: the lines from its
    ``# ---- first cited in ARTICLE`` comment to the next such comment."""
    group = re.search(
        rf"^  # ---- first cited in {ARTICLE}\n(?:(?!  # ----).*\n)*", registry_text, re.M
    )
    assert group, f"no `# ---- first cited in {ARTICLE}` group"
    return group.group(0)


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


def cited_only_by_the_article(corpus: Path) -> set[str]:
    def cited(path: Path) -> set[str]:
        return references(yaml.safe_load(path.read_text(encoding="utf-8")))

    ours = corpus / "articles" / ARTICLE / "article.yaml"
    others = [path for path in corpus.glob("articles/*/article.yaml") if path != ours]
    return cited(ours) - cited(corpus / "sources.yaml").union(*map(cited, others))


def invoke(*args: str) -> None:
    done = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert done.exit_code == 0, f"nkdata {' '.join(args)}: {done.output}"


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Clone:
    """The repository as it was while the article's release was a draft, without the article,
    its draft rebuilt; the current folder."""
    root = tmp_path / "nkdata"
    root.mkdir()
    for path in REPO.iterdir():
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, root / path.name)
    for folder in ("corpus", "releases"):
        shutil.copytree(REPO / folder, root / folder)
    corpus, releases = root / "corpus", root / "releases"
    story = Story.of(releases)
    version = story.real["version"]
    back_to_draft(root, version)
    monkeypatch.chdir(root)
    invoke("release", "minor", "--date", release_date(releases, version))
    invoke("build", "-q", "--releases", str(tmp_path / "before"))
    kept = [corpus / "articles" / ARTICLE / name for name in ("article.yaml", "text.txt")]
    kept += [corpus / f"{registry}.yaml" for registry in REGISTRIES]
    removed = {
        path.relative_to(corpus).as_posix(): path.read_text(encoding="utf-8") for path in kept
    }
    cited_only = cited_only_by_the_article(corpus)
    shutil.rmtree(corpus / "articles" / ARTICLE)
    dropped = []
    for registry in REGISTRIES:
        path = corpus / f"{registry}.yaml"
        group = first_cited(removed[f"{registry}.yaml"])
        path.write_text(path.read_text(encoding="utf-8").replace(group, ""), encoding="utf-8")
        dropped += entry_ids(group)
    assert set(dropped) == cited_only
    invoke("build", "-q")
    return Clone(root, story, removed, tmp_path / "before" / version)


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

    def __init__(self, clone: Clone) -> None:
        self.root = clone.root
        self.removed = clone.removed
        self.before = {name: self.registry(name).read_text(encoding="utf-8") for name in REGISTRIES}
        """Each registry as it was before the walkthrough."""
        self.article = self.root / "corpus" / "articles" / ARTICLE / "article.yaml"
        self.mistakes = mistakes(self.committed("article.yaml"))

    def committed(self, name: str) -> str:
        """A file of the article as the repository has it."""
        return self.removed[f"articles/{ARTICLE}/{name}"]

    def registry(self, name: str) -> Path:
        return self.root / "corpus" / f"{name}.yaml"

    def make(self, step: str) -> None:
        getattr(self, "step_" + step.replace("-", "_"))()

    def step_fill_in_entries(self) -> None:
        """The sources and quantities added with `nkdata new`, filled in; the relay, North Korea
        Tech, is forgotten (the guide's mistake)."""
        self.fill_in("north-korea-tech")

    def step_save_text(self) -> None:
        self.article.with_name("text.txt").write_text(self.committed("text.txt"), encoding="utf-8")

    def step_first_draft(self) -> None:
        assert self.article.is_file(), "`nkdata new article` wrote article.yaml"
        draft = self.committed("article.yaml")
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
        assert self.article.read_text(encoding="utf-8") == self.committed("article.yaml")

    def step_correct_after_publishing(self) -> None:
        replace_once(self.article, "services for tourists in", "services for foreign tourists in")

    def fill_in(self, *held_back: str) -> None:
        """Fill in the entries that `nkdata new` appended, as committed (but those held back)."""
        for name in REGISTRIES:
            text = self.registry(name).read_text(encoding="utf-8")
            assert text.startswith(self.before[name]), f"{name}.yaml changed before its end"
            entries = without_entries(first_cited(self.removed[f"{name}.yaml"]), held_back)
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


def fits(shown: str, line: str | None) -> bool:
    """Whether an output line is the one shown, where ``...`` within it stands for any text.

    >>> fits("valid: ... article(s), no problems", "valid: 36 article(s), no problems")
    True
    >>> fits("valid: ... article(s)", "invalid: 1 problem(s)")
    False
    """
    pattern = ".*".join(re.escape(part) for part in shown.split("..."))
    return line is not None and re.fullmatch(pattern, line) is not None


def _mismatch(shown: list[tuple[int, str]], actual: list[str], start: int) -> str | None:
    """The first line of ``shown`` that ``actual`` from ``start`` on does not have."""
    for offset, (number, text) in enumerate(shown):
        got = actual[start + offset] if start + offset < len(actual) else None
        if not fits(text, got):
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
        return next(
            (k for k, text in enumerate(texts) if not fits(text, actual[at + k])), len(texts)
        )

    best = max(starts, key=agreeing, default=None)  # the first of the best
    if best is not None and agreeing(best) == len(texts):
        return best
    if best is not None and agreeing(best) > 0:
        return str(_mismatch(segment, actual, best))
    return f"line {segment[0][0]}: {segment[0][1]!r} is not in the output where it is shown"


def difference(shown: list[tuple[int, str]], actual: list[str]) -> str | None:
    """Where ``actual`` departs from the lines ``shown`` (with their line numbers in the guide;
    a line ``...`` stands for any lines, ``...`` within a line for any text); None when it fits.

    >>> difference([(1, "a"), (2, "..."), (3, "c")], ["a", "b", "b", "c  "]) is None
    True
    >>> difference([(1, "a"), (2, "..."), (3, "b"), (4, "c"), (5, "...")], ["a", "b", "d"])
    "line 4: expected 'c', got 'd'"
    >>> difference([(1, "a"), (2, "c")], ["a", "b"])
    "line 2: expected 'c', got 'b'"
    >>> difference([(1, "wrote ... pages")], ["wrote 289 pages"]) is None
    True
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


def run_console(block: Block, clone: Clone) -> None:
    for command in commands(block):
        args = shlex.split(clone.story.to_real(command.text))[1:]
        result = CliRunner().invoke(app, args, catch_exceptions=False)
        printed = clone.story.to_guide(result.output.replace(str(clone.root), CLONE))
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


def test_the_guide_replays_on_a_copy_without_its_article(clone: Clone, tmp_path: Path) -> None:
    edits = Edits(clone)
    for line, item in walkthrough():
        if isinstance(item, str):
            edits.make(item)
        elif item.lang == "console":
            run_console(item, clone)
        elif item.lang == "yaml":
            check_yaml(item, clone.root)
        elif item.lang == "python":
            run_python(item, tmp_path / f"python-{line}")
    previewed = tmp_path / "nk-preview" / clone.story.real["version"]
    assert sorted(p.name for p in previewed.iterdir()) == sorted(
        p.name for p in clone.preview.iterdir()
    )
    for path in clone.preview.iterdir():
        assert (previewed / path.name).read_bytes() == path.read_bytes(), f"preview {path.name}"


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
