"""The benchmark runs end to end on P1k: a smoke test of the generator and the script.

Figures are read from the script's output by people; nothing here asserts a timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import generate
from tests.conftest import REPO

SCRIPT = REPO / "benchmarks" / "run.py"
FIGURES = [
    "cold validate",
    "cold build",
    "re-validate, 1 article changed",
    "verify release",
    "nkdata site",
    "nkdata figures",
    "load sources",
    "load quantities",
    "load articles",
    "load claims",
    "load figures",
    "import nkdata",
    "nkdata --help",
]


def test_generated_corpus_is_reproducible_and_valid(tmp_path: Path, nkdata) -> None:
    one = generate(tmp_path / "one", 40, workers=1)
    two = generate(tmp_path / "two", 40, workers=2)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert len(files) == 3 + 2 * 40
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)
    run = nkdata("validate", one, "--no-cache")
    assert run.exit_code == 0, run.stdout
    assert "valid: 40 article(s), no problems" in run.stdout


@pytest.mark.slow
def test_benchmark_runs_on_p1k(tmp_path: Path) -> None:
    earlier = {  # an earlier run's --json on 100 articles: build grew too fast, validate did not
        "articles": 100,
        "figures": {
            "cold validate": {"seconds": 1e6, "cpu": 1e6, "peak_mib": 1, "floor": 1e6},
            "cold build": {"seconds": 1e-6, "cpu": None, "peak_mib": 1, "floor": 1e-6},
        },
    }
    (tmp_path / "earlier.json").write_text(json.dumps(earlier))
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "P1k",
            "--runs=1",
            f"--work={tmp_path}",
            f"--json={tmp_path / 'p1k.json'}",
            f"--against={tmp_path / 'earlier.json'}",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NKDATA_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert "corpus: 1,000 articles" in run.stdout
    for figure in FIGURES:
        row = next((line for line in lines if line.startswith(figure)), None)
        assert row is not None, f"no figure {figure!r} in:\n{run.stdout}"
        assert "nan" not in row, row
    for floor in ("CSafeLoader parse", "pq.read_table", "frictionless validate", "python -c pass"):
        assert floor in run.stdout
    for command in ("validate", "build", "re-validate", "verify", "site", "figures"):
        assert f"{command} exited" not in run.stdout, run.stdout
    written = json.loads((tmp_path / "p1k.json").read_text())
    assert written["articles"] == 1000
    assert list(written["figures"]) == FIGURES
    assert "growth from 100 to 1,000 articles (10x):" in run.stdout
    grown = run.stdout.split("growth from", 1)[1].splitlines()
    rows = [line for line in grown if line.split("  ")[0] in FIGURES]
    assert [row.split("  ")[0] for row in rows] == ["cold validate", "cold build"], grown
    validate, build = rows
    assert "<= 11.0x" in validate and validate.endswith("yes"), validate
    assert "<= 11.0x" in build and build.endswith("NO"), build
