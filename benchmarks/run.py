"""Measure nkdata on a synthetic corpus, beside the floors that bound each figure.

For one size (P1k, P10k, P100k, or a number of articles) this prints the median of several
runs and the peak memory of: cold ``nkdata validate``; cold ``nkdata build``; ``nkdata validate``
again after one article changed; ``nkdata verify`` of the release; ``nkdata site`` of it (against
the build's time) and ``nkdata figures`` of one quantity; loading each table; ``import nkdata``;
``nkdata --help``. Beside each it measures its floor in the same run: parsing the same
YAML files with PyYAML's CSafeLoader, ``pyarrow.parquet.read_table`` of the release files,
``frictionless validate`` of the same release, and the start-up of Python itself; and prints
the figure as a ratio to its floor, against the budget in DESIGN.md.

Every command runs in a fresh process. "Cold" means an empty check cache (a new
``$NKDATA_CACHE_DIR``); the operating system's file cache is meant to be warm for every figure,
floors included. That holds while the corpus fits in it: where it does not, every run reads
the disk again, and the figures and floors measure the disk. Put ``--work`` on a file system
in memory (``/dev/shm``) to measure nkdata there. Some kernels also evict file pages left
unused for a while, the libraries of pyarrow and numpy included (here: a DAMON ``pageout``
scheme, after about a minute); ``nkdata verify``, which takes a second against its floor's
twenty, therefore runs once untimed before each timed run.

Memory is the peak of the sum of the resident set sizes of the command's process tree (sampled
every 50 ms, and at least the largest process's own peak): pages that forked workers share with
their parent count in each, so it errs high. "cpu s" is the user and system time of the command
and its workers: it does not depend on how many cores were free, which wall times on a shared
or small machine do (its system time does grow when files come from the disk).

Usage::

    python benchmarks/run.py P10k                # generates the corpus under .benchmarks/
    python benchmarks/run.py P1k --runs 1        # the CI smoke test
    python benchmarks/run.py P100k --only validate   # cold validation and re-validation only

    # growth with the corpus: P100k's figures as multiples of P10k's ("P100k <= 11x P10k")
    python benchmarks/run.py P10k --json p10k.json
    python benchmarks/run.py P100k --runs 1 --against p10k.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402 - the generator beside this script

BIN = Path(sys.executable).parent
NKDATA = str(BIN / "nkdata")
FRICTIONLESS = str(BIN / "frictionless")
PYTHON = sys.executable
SAMPLE_SECONDS = 0.05
REVALIDATE_RUNS = 5
"""Re-validation takes about a second, so it runs this often even with ``--runs 1``: one
sample of it on a shared machine says little."""
TABLES = ("sources", "quantities", "articles", "claims", "figures")


# ---- measuring one command ----------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    peak_mib: float
    code: int
    output: str = ""
    cpu: float = 0.0
    """User and system time of the process and the workers it waited for."""


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue
        todo += [int(child) for child in children.split()]
    return found


_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def _rss_kib(pid: int) -> int:
    """Resident set size from /proc/<pid>/statm: cheap to read, and it never takes the
    process's memory-map lock (smaps would, stalling the process being measured)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_KIB
    except (OSError, ValueError, IndexError):
        return 0


def run(
    command: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> Sample:
    """Run ``command``; its wall time, the peak RSS of its process tree and its exit code."""
    peak = [0]
    done = threading.Event()
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            peak[0] = max(peak[0], sum(_rss_kib(pid) for pid in _tree(process.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    peak_kib = max(peak[0], usage.ru_maxrss)
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(
        seconds, peak_kib / 1024, process.returncode, output.decode("utf-8", "replace"), cpu
    )


def timed_python(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; it prints a JSON object of its own timings."""
    sample = run([PYTHON, "-c", code, *args])
    if sample.code != 0:
        raise RuntimeError(sample.output)
    result: dict[str, float] = json.loads(sample.output.strip().splitlines()[-1])
    return result


# ---- the figures --------------------------------------------------------------------------


@dataclass
class Figure:
    """A measured figure, its floor and the budget on their ratio."""

    name: str
    samples: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    floor_name: str = ""
    floor: list[float] = field(default_factory=list)
    budget: str = ""
    check: Callable[[float, float], bool] | None = None
    note: str = ""
    cpus: list[float] = field(default_factory=list)

    def record(self, sample: Sample) -> None:
        """One run of a command: its wall time, peak memory and processor time."""
        self.samples.append(sample.seconds)
        self.peaks.append(sample.peak_mib)
        self.cpus.append(sample.cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def floor_median(self) -> float:
        return statistics.median(self.floor) if self.floor else float("nan")

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpus) if self.cpus else None

    @property
    def peak(self) -> float | None:
        return max(self.peaks) if self.peaks else None

    def row(self) -> list[str]:
        ratio = self.median / self.floor_median if self.floor else float("nan")
        verdict = ""
        if self.check is not None and self.samples:
            verdict = "yes" if self.check(self.median, self.floor_median) else "NO"
        return [
            self.name,
            f"{self.median:.3f}",
            f"{self.cpu_median:.2f}" if self.cpu_median is not None else "",
            f"{self.peak:,.0f}" if self.peak is not None else "",
            self.floor_name,
            f"{self.floor_median:.3f}" if self.floor else "",
            f"{ratio:.2f}x" if self.floor else "",
            self.budget,
            verdict,
        ]


FLOOR_PARSE = """
import json, sys, time, yaml
from pathlib import Path
root = Path(sys.argv[1])
files = [root / n for n in ("dataset.yaml", "sources.yaml", "quantities.yaml")]
files += sorted((root / "articles").glob("*/article.yaml"))
start = time.perf_counter()
for path in files:
    yaml.load(path.read_bytes().decode("utf-8"), Loader=yaml.CSafeLoader)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""

LOAD = """
import json, sys, time
from pathlib import Path
import pyarrow.parquet as pq
import nkdata
from nkdata import loading
folder, tables, runs = Path(sys.argv[1]), sys.argv[2].split(","), int(sys.argv[3])
descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
takes_path = "path" in loading.load.__code__.co_varnames

def load_table(name):
    if takes_path:
        dataset = nkdata.load(path=folder)
    else:
        dataset = loading.Dataset(descriptor["version"], folder, descriptor)
    return getattr(dataset, name).to_arrow()

result = {}
for name in tables:
    load_table(name)  # imports and first-use costs are paid once, as in a session
    floor, loads = [], []
    for _ in range(runs):
        start = time.perf_counter(); pq.read_table(folder / f"{name}.parquet")
        floor.append(time.perf_counter() - start)
        start = time.perf_counter(); load_table(name)
        loads.append(time.perf_counter() - start)
    result[name] = {"floor": floor, "load": loads}
result["via"] = "nkdata.load(path=...)" if takes_path else "nkdata.loading.Dataset"
print(json.dumps(result))
"""

VERIFY_FUNCTION = """
import sys
from pathlib import Path
from nkdata.release.verify import verify_release
problems = verify_release(Path(sys.argv[1]))
for problem in problems[:5]:
    print(problem)
sys.exit(1 if problems else 0)
"""


def _has_command(name: str) -> bool:
    return run([NKDATA, name, "--help"]).code == 0


class Bench:
    """One benchmark run over one corpus."""

    def __init__(self, corpus: Path, work: Path, runs: int) -> None:
        self.corpus, self.work, self.runs = corpus, work, runs
        self.articles = sum(1 for _ in (corpus / "articles").iterdir())
        self.at_budget_size = self.articles <= generate.SIZES["P10k"]
        """Whether the budgets stated for P10k apply as they are (they do up to its size)."""
        self.figures: list[Figure] = []
        self.notes: list[str] = []

    def fresh_cache(self) -> dict[str, str]:
        return {"NKDATA_CACHE_DIR": tempfile.mkdtemp(prefix="cache-", dir=self.work)}

    def expect(self, sample: Sample, what: str) -> Sample:
        if sample.code != 0:
            note = f"{what} exited {sample.code}: {sample.output.strip()[-400:]}"
            if note not in self.notes:
                self.notes.append(note)
        return sample

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        print(f"  measured {figure.name}: {figure.median:.3f} s", file=sys.stderr, flush=True)

    def validate_and_build(self, build_too: bool = True) -> Path | None:
        """Cold validate beside its floor and, if ``build_too``, cold build; the release built."""
        parse = Figure("cold validate", floor_name="CSafeLoader parse")
        parse.budget, parse.check = "<= 1.0x", lambda m, f: m <= 1.0 * f
        build = Figure("cold build", floor_name="CSafeLoader parse")
        build.budget, build.check = "<= 1.3x; <= 1 GiB", lambda m, f: m <= 1.3 * f
        releases = self.work / "releases"
        for _ in range(self.runs):
            parse.floor.append(timed_python(FLOOR_PARSE, str(self.corpus))["seconds"])
            sample = self.expect(
                run([NKDATA, "validate", str(self.corpus)], self.fresh_cache()), "validate"
            )
            parse.record(sample)
            if not build_too:
                continue
            shutil.rmtree(releases, ignore_errors=True)
            command = [NKDATA, "build", str(self.corpus), "--releases", str(releases), "-q"]
            sample = self.expect(run(command, self.fresh_cache()), "build")
            build.record(sample)
        build.floor = parse.floor
        memory = 1024 if self.at_budget_size else 24 * 1024  # MiB: P10k, and larger
        build.budget = f"<= 1.3x; <= {memory // 1024} GiB"
        build.check = lambda m, f: m <= 1.3 * f and max(build.peaks) <= memory
        self.add(parse)
        if not build_too:
            return None
        self.add(build)
        return next(p for p in releases.iterdir() if p.is_dir())

    def revalidate(self) -> None:
        figure = Figure("re-validate, 1 article changed", budget="<= 1 s")
        figure.check = lambda m, f: m <= 1.0  # at P100k too: a scan of file metadata, see docs
        cache = self.fresh_cache()
        self.expect(run([NKDATA, "validate", str(self.corpus)], cache), "validate")
        articles = sorted((self.corpus / "articles").iterdir())
        article = articles[len(articles) // 2] / "article.yaml"
        original = article.read_bytes()
        try:
            for number in range(max(self.runs, REVALIDATE_RUNS)):
                edited = original.replace(b"\n    statement: ", b"\n    statement: Edited ", 1)
                article.write_bytes(edited + f"# edit {number}\n".encode())
                sample = self.expect(
                    run([NKDATA, "validate", str(self.corpus)], cache), "re-validate"
                )
                figure.record(sample)
        finally:
            article.write_bytes(original)
        self.add(figure)

    def verify(self, release: Path) -> None:
        figure = Figure("verify release", floor_name="frictionless validate")
        figure.budget, figure.check = ">= 10x faster", lambda m, f: f >= 10 * m
        if _has_command("verify"):
            command = [NKDATA, "verify", str(release)]
        else:
            command = [PYTHON, "-c", VERIFY_FUNCTION, str(release)]
            figure.name += " *"
            self.notes.append(
                "* no `nkdata verify` command in this branch: measured "
                "nkdata.release.verify.verify_release() in a fresh interpreter instead."
            )
        descriptor = str(release / "datapackage.json")
        for _ in range(self.runs):
            run(command)  # untimed: brings its libraries back into the file cache (see above)
            sample = self.expect(run(command), "verify")
            figure.record(sample)
            floor = run([FRICTIONLESS, "validate", descriptor], cwd=release)
            figure.floor.append(floor.seconds)
        self.add(figure)

    def view(self, release: Path) -> None:
        """`nkdata site` of the release against the build that wrote it, and `nkdata figures`."""
        build = next(figure for figure in self.figures if figure.name == "cold build")
        site = Figure("nkdata site", floor_name="cold build", floor=build.samples)
        memory = 1024 if self.at_budget_size else 24 * 1024  # MiB: P10k, and larger
        site.budget = f"<= 2x; <= {memory // 1024} GiB"
        site.check = lambda m, f: m <= 2 * f and max(site.peaks) <= memory
        command = [NKDATA, "site", "--out", str(self.work / "site"), "--from", str(release), "-q"]
        for _ in range(self.runs):
            site.record(self.expect(run(command), "site"))
        self.add(site)
        figures = Figure("nkdata figures", floor_name="python -c pass", budget="<= 0.5 s")
        figures.check = lambda m, f: m <= 0.5
        command = [NKDATA, "figures", generate.quantity_id(0), "--from", str(release)]
        for _ in range(max(self.runs, 3)):
            figures.floor.append(run([PYTHON, "-c", "pass"]).seconds)
            figures.record(self.expect(run(command), "figures"))
        self.add(figures)

    def load(self, release: Path) -> None:
        timings = timed_python(LOAD, str(release), ",".join(TABLES), str(max(self.runs, 3)))
        via = timings.pop("via")
        for name in TABLES:
            times = timings[name]
            figure = Figure(f"load {name}", floor_name="pq.read_table", budget="<= 1.2x + 0.1 s")
            figure.samples, figure.floor = times["load"], times["floor"]  # type: ignore[index]
            figure.check = lambda m, f: m <= 1.2 * f + 0.1
            self.add(figure)
        self.notes.append(f"tables loaded through {via}; first use (imports) excluded.")

    def startup(self) -> None:
        floor = [run([PYTHON, "-c", "pass"]).seconds for _ in range(max(self.runs, 5))]
        for name, command, budget in (
            ("import nkdata", [PYTHON, "-c", "import nkdata"], 0.150),
            ("nkdata --help", [NKDATA, "--help"], 0.300),
        ):
            figure = Figure(name, floor_name="python -c pass", floor=floor)
            figure.budget = f"<= {budget * 1000:.0f} ms"
            figure.check = lambda m, f, budget=budget: m <= budget
            for _ in range(max(self.runs, 5)):
                sample = self.expect(run(command), name)
                figure.record(sample)
            self.add(figure)


# ---- reporting ----------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [
        f"machine: {cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.platform()}",
        f"python {platform.python_version()}; load average before: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
    ]


def compile_package() -> str:
    """Compile nkdata's modules to bytecode, as ``pip install`` does, so that every command
    starts as it does for a user: an editable install writes the bytecode on first import, but
    not where ``PYTHONDONTWRITEBYTECODE`` is set, and then every command compiles its modules
    again (40-80 ms of each ``nkdata`` command on the 2-core VM of docs/performance.md)."""
    import compileall

    import nkdata

    package = Path(nkdata.__file__).parent
    compiled = compileall.compile_dir(package, quiet=2)
    return f"bytecode: nkdata's modules {'compiled' if compiled else 'NOT compiled'} ({package})"


def corpus_summary(corpus: Path) -> str:
    articles = sorted((corpus / "articles").iterdir())
    yaml_bytes = sum((a / "article.yaml").stat().st_size for a in articles)
    text_bytes = sum((a / "text.txt").stat().st_size for a in articles)
    return (
        f"corpus: {len(articles):,} articles, {yaml_bytes / 2**20:,.0f} MiB of article.yaml, "
        f"{text_bytes / 2**20:,.0f} MiB of text.txt ({corpus})"
    )


HEADER = ["figure", "median s", "cpu s", "peak MiB", "floor", "floor s", "ratio", "budget", "met"]


def table(rows: list[list[str]], header: list[str] = HEADER) -> str:
    rows = [header, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def results(bench: Bench) -> dict[str, object]:
    """The figures as data, for ``--json`` and for a later run's ``--against``."""
    figures = {
        figure.name: {
            "seconds": figure.median,
            "cpu": figure.cpu_median,
            "peak_mib": figure.peak,
            "floor": figure.floor_median if figure.floor else None,
        }
        for figure in bench.figures
    }
    return {"articles": bench.articles, "runs": bench.runs, "figures": figures}


GROWING = ("cold validate", "cold build")
"""Figures whose time must grow linearly with the corpus: at most 1.1 times the growth in articles
(the budget's "P100k <= 11x P10k")."""


def growth(now: dict[str, Any], before: dict[str, Any]) -> str:
    """How each figure grew since an earlier run on a smaller corpus, beside its floor's growth:
    when the floor grows faster than the corpus, the machine does (its file cache, its disk)."""
    scale = now["articles"] / before["articles"]

    def times(name: str, key: str) -> str:
        old, new = before["figures"][name][key], now["figures"][name][key]
        return f"{new / old:.1f}x" if old and new else ""

    rows = []
    for name, figure in now["figures"].items():
        earlier = before["figures"].get(name)
        if earlier is None:
            continue
        ratio = figure["seconds"] / earlier["seconds"]
        budget, met = "", ""
        if name in GROWING:
            budget, met = f"<= {1.1 * scale:.1f}x", "yes" if ratio <= 1.1 * scale else "NO"
        cells = [name, f"{earlier['seconds']:.3f}", f"{figure['seconds']:.3f}", f"{ratio:.1f}x"]
        rows.append([*cells, times(name, "cpu"), times(name, "floor"), budget, met])
    header = ["figure", "before s", "now s", "time", "cpu", "floor", "budget", "met"]
    title = f"growth from {before['articles']:,} to {now['articles']:,} articles ({scale:g}x):"
    return title + "\n" + table(rows, header)


def ensure_corpus(size: str, work: Path) -> Path:
    """The corpus of ``size`` under ``work``, generated unless an identical one is there."""
    articles = generate.SIZES.get(size) or int(size)
    corpus = work / f"corpus-{articles}"
    stamp = work / f"corpus-{articles}.generated"
    generator = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()
    expected = f"{articles} {generate.SEED} {generator}"
    if stamp.is_file() and stamp.read_text() == expected:
        return corpus
    shutil.rmtree(corpus, ignore_errors=True)
    start = time.perf_counter()
    generate.generate(corpus, articles)
    print(f"generated {articles:,} articles in {time.perf_counter() - start:.1f} s", flush=True)
    stamp.write_text(expected)
    return corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", help="P1k, P10k, P100k, or a number of articles")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument(
        "--work",
        type=Path,
        default=HERE.parent / ".benchmarks",
        help="folder for the corpus, releases and caches (default: .benchmarks/, git-ignored)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--against",
        type=Path,
        help="the --json file of an earlier run, on a smaller corpus: print how each figure grew",
    )
    parser.add_argument(
        "--only",
        choices=["validate"],
        help="validate: only cold validation and re-validation (no build, no release figures)",
    )
    args = parser.parse_args(argv)
    try:
        before = json.loads(args.against.read_text()) if args.against else None
    except (OSError, ValueError) as exc:
        parser.error(f"--against {args.against}: {exc}")
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = ensure_corpus(args.size, args.work)
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=args.work))
    lines = [f"nkdata benchmark {args.size}, median of {args.runs} run(s)", *machine()]
    lines.append(compile_package())
    lines.append(corpus_summary(corpus))
    print("\n".join(lines), flush=True)
    bench = Bench(corpus, scratch, args.runs)
    try:
        release = bench.validate_and_build(build_too=args.only is None)
        bench.revalidate()
        if release is not None:
            bench.verify(release)
            bench.view(release)
            bench.load(release)
            bench.startup()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        print(table([figure.row() for figure in bench.figures]))
        print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        for note in bench.notes:
            print(note)
    figures = results(bench)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if before is not None:
        print(growth(figures, before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
