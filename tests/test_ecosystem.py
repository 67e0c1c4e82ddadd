"""nkdata among the tools of the field: Hugging Face `datasets`, DuckDB, GitHub Actions, CFF.

`datasets` reads its cache settings at import, so it runs in a subprocess whose caches are under
tmp_path, offline.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from nkdata.models import TABLES as MODELS
from tests.conftest import REPO
from tests.support.corpusfacts import release_folder

RELEASE = release_folder()
"""The latest committed release."""
TABLES = tuple(model.table for model in MODELS)


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    """Hugging Face caches in tmp_path, and no network for `datasets` or nkdata."""
    return {
        **os.environ,
        "HF_HOME": str(tmp_path / "hf"),
        "HF_DATASETS_CACHE": str(tmp_path / "hf-datasets"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
        "NKDATA_OFFLINE": "1",
    }


def run_python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_datasets_loads_every_table_of_a_release_folder(offline_env: dict[str, str]) -> None:
    """Through `data_files` and through the data card's configs, with the Parquet rows intact."""
    code = f"""
import json, datasets
folder = {str(RELEASE)!r}
out = {{}}
for table in {TABLES!r}:
    by_file = datasets.load_dataset("parquet", data_files=f"{{folder}}/{{table}}.parquet",
                                    split="train")
    by_config = datasets.load_dataset(folder, table, split="train")
    out[table] = [by_file.to_list(), by_config.to_list(), list(by_file.features)]
print(json.dumps(out, default=str))
"""
    loaded = json.loads(run_python(code, offline_env))
    for table in TABLES:
        arrow = pq.read_table(RELEASE / f"{table}.parquet")
        expected = json.loads(json.dumps(arrow.to_pylist(), default=str))
        by_file, by_config, columns = loaded[table]
        assert by_file == expected, table
        assert by_config == expected, table
        assert columns == arrow.column_names


def card_front_matter() -> dict[str, object]:
    card = (RELEASE / "README.md").read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", card, re.S)
    assert match, "the data card has no YAML front matter"
    data: dict[str, object] = yaml.safe_load(match[1])
    return data


def test_data_card_configs_name_the_release_files() -> None:
    configs = card_front_matter()["configs"]
    assert isinstance(configs, list)
    assert {c["config_name"]: c["data_files"] for c in configs} == {
        table: f"{table}.parquet" for table in TABLES
    }
    assert all((RELEASE / f"{table}.parquet").is_file() for table in TABLES)


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_workflow_validates_and_checks_the_release_on_pull_requests() -> None:
    path = REPO / ".github" / "workflows" / "corpus.yml"
    checked = check_jsonschema("vendor.github-workflows", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "pull_request" in workflow[True]  # PyYAML reads the key `on` as True
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert 'pip install -c constraints.txt -e ".[site]"' in runs
    validate = next(run for run in runs if run.startswith("nkdata validate"))
    assert "--format github" in validate
    build = next(run for run in runs if run.startswith("nkdata build"))
    assert "--check" in build
    assert runs.index(validate) < runs.index(build)


def test_site_workflow_publishes_the_site_to_pages() -> None:
    path = REPO / ".github" / "workflows" / "site.yml"
    checked = check_jsonschema("vendor.github-workflows", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert workflow[True]["push"]["branches"] == ["main"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = [step.get("run", "") for step in build["steps"]]
    assert 'pip install -c constraints.txt -e ".[site]"' in runs
    site = next(run for run in runs if run.startswith("nkdata site"))
    out = site.split("--out ", 1)[1].split()[0]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == out
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_broken_workflow_is_caught(tmp_path: Path) -> None:
    """The schema check above can fail: a job without `runs-on` is rejected."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: [pull_request]\njobs:\n  x:\n    steps: [{run: true}]\n")
    assert check_jsonschema("vendor.github-workflows", broken).returncode == 1


def test_citation_is_valid_and_matches_the_dataset() -> None:
    path = REPO / "CITATION.cff"
    checked = check_jsonschema("vendor.citation-file-format", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    citation = yaml.safe_load(path.read_text(encoding="utf-8"))
    dataset = yaml.safe_load((REPO / "corpus" / "dataset.yaml").read_text(encoding="utf-8"))
    assert citation["title"] == dataset["title"]
    assert citation["version"] == dataset["version"]
    assert citation["date-released"] == str(dataset["released"])
    assert citation["license"] == dataset["license"]["name"]


def test_licence_files_match_what_the_package_and_dataset_declare() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    dataset = yaml.safe_load((REPO / "corpus" / "dataset.yaml").read_text(encoding="utf-8"))
    code = (REPO / "LICENSE").read_text(encoding="utf-8")
    data = (REPO / "LICENSE-DATA").read_text(encoding="utf-8")
    assert pyproject["project"]["license"] == "MIT"
    assert code.startswith("MIT License\n")
    assert dataset["license"]["name"] == "CC-BY-4.0"
    assert "\nAttribution 4.0 International\n" in data
    assert "Section 1 -- Definitions." in data
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rights = readme.split("## Licences and citing\n", 1)[1].split("\n## ", 1)[0]
    for named in ("[LICENSE](LICENSE)", "[LICENSE-DATA](LICENSE-DATA)", "`rights`", "CC-BY-4.0"):
        assert named in rights
