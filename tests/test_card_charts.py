"""The data card's charts: a file per quantity with more than one figure, shown in the card, listed
in the descriptor with its hash, checked by `nkdata verify`, fetched by `nkdata download`.

The release files are written from the tables of the bundled release, as a build writes them
from a corpus, so that these tests do not depend on the corpus being valid at the moment.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

import nkdata
from nkdata.corpus.layout import parse_yaml_bytes
from nkdata.corpus.typecheck import parse_model
from nkdata.corpus.validate import Corpus
from nkdata.download import fetch_release
from nkdata.errors import ReleaseError
from nkdata.release.build import write_release_files
from nkdata.release.cardcharts import card_charts
from nkdata.release.verify import verify_release
from nkdata.schema.columns import table_models
from nkdata.schema.corpus_files import DatasetFile
from nkdata.schema.export import dumps
from nkdata.schema.releasefolder import INDEX, ReleaseFile, index_of, release_files
from nkdata.view.ledger import ledgers
from tests.conftest import CORPUS, REPO
from tests.support.corpusfacts import latest_release, next_version
from tests.support.releaseserver import ReleaseServer
from tests.test_charts import marks

NEXT = next_version(latest_release())
"""A version the host has and this machine does not."""


def bundled_corpus(version: str | None = None) -> Corpus:
    """The bundled release's tables with the corpus's dataset.yaml, as a build would have them."""
    read, problems = parse_yaml_bytes((CORPUS / "dataset.yaml").read_bytes(), "dataset.yaml")
    dataset, found = parse_model(read, DatasetFile)
    assert dataset is not None and not problems + found
    data = nkdata.load()
    if version is not None:
        citation = dataset.citation.replace(dataset.version, version)
        dataset = dataset.model_copy(update={"version": version, "citation": citation})
    return Corpus(dataset, {name: getattr(data, name).to_arrow() for name in table_models()})


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("release") / "0.2.0"
    folder.mkdir()
    write_release_files(bundled_corpus(), folder, REPO / "releases")
    return folder


def charted(data: nkdata.Dataset) -> Counter[str]:
    """Quantity id → figures, for the quantities with more than one."""
    counts = Counter(figure.quantity_id for figure in data.figures)
    return Counter({quantity: n for quantity, n in counts.items() if n > 1})


def test_a_chart_per_quantity_with_more_than_one_figure() -> None:
    data = nkdata.load()
    tables = bundled_corpus().arrow
    charts = card_charts(tables, ledgers(tables))
    expected = charted(data)
    assert [chart.quantity_id for chart in charts] == sorted(expected)
    for chart in charts:
        assert sum(marks(chart.svg).values()) == expected[chart.quantity_id]
        assert chart.label == data.quantities[chart.quantity_id].label


def test_the_card_shows_them_and_the_descriptor_lists_them(release: Path) -> None:
    expected = sorted(f"chart-{q}.svg" for q in charted(nkdata.load()))
    assert sorted(p.name for p in release.glob("chart-*.svg")) == expected
    card = (release / "README.md").read_text(encoding="utf-8")
    in_card = [f"chart-{q}.svg" for q in sorted(charted(nkdata.load()))]  # by quantity id
    assert re.findall(r"!\[[^\]]+\]\((chart-[^)]+)\)", card) == in_card
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    listed = {e["path"]: e for e in descriptor["resources"] if e["path"].endswith(".svg")}
    assert sorted(listed) == expected
    for name, entry in listed.items():
        actual = ReleaseFile.of(release / name)
        assert (entry["type"], entry["mediatype"]) == ("file", "image/svg+xml")
        assert (entry["bytes"], entry["hash"]) == (actual.bytes, actual.sha256)


def test_the_same_bytes_on_every_write(release: Path, tmp_path: Path) -> None:
    again = tmp_path / "0.2.0"
    again.mkdir()
    write_release_files(bundled_corpus(), again, REPO / "releases")
    assert sorted(p.name for p in again.iterdir()) == sorted(p.name for p in release.iterdir())
    assert all((again / p.name).read_bytes() == p.read_bytes() for p in release.iterdir())


def test_verify_checks_the_charts(release: Path, tmp_path: Path, nkdata) -> None:
    assert verify_release(release).problems == []
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in release.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    first, second = sorted(copy.glob("chart-*.svg"))[:2]
    first.write_bytes(first.read_bytes().replace(b"#1f77b4", b"#000000"))
    second.unlink()
    run = nkdata("verify", copy, "--format", "json")
    assert run.exit_code == 1
    assert sorted((p["code"], Path(str(p["file"])).name) for p in run.problems()) == [
        ("release-file", second.name),
        ("release-hash", first.name),
    ]


def test_the_site_shows_the_release_charts(release: Path, tmp_path: Path, nkdata) -> None:
    """The very bytes of the card's chart, its hash checked: a changed file stops the site."""
    chart = sorted(release.glob("chart-*.svg"))[0]
    quantity = chart.stem.removeprefix("chart-")
    run = nkdata("site", "--out", tmp_path / "site", "--from", release)
    assert run.exit_code == 0, run.stderr
    page = (tmp_path / "site" / "quantities" / f"{quantity}.html").read_text(encoding="utf-8")
    svg = chart.read_text(encoding="utf-8")
    assert svg[svg.index("<svg") :] in page
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    (copy / chart.name).write_bytes(chart.read_bytes().replace(b"#1f77b4", b"#000000"))
    run = nkdata("site", "--out", tmp_path / "again", "--from", copy)
    assert run.exit_code == 1
    assert f"{chart.name} in {copy} does not match its checksum" in run.stderr
    assert not (tmp_path / "again").exists()


@pytest.mark.parametrize(
    "name", ["charts/a.svg", "chart-../a.svg", "a.svg", "chart-A.svg", "chart-a.svg.html"]
)
def test_a_chart_name_must_be_flat_and_a_slug(name: str) -> None:
    entry = {"path": name, "hash": "sha256:" + "0" * 64, "bytes": 1}
    assert release_files({"resources": [{**entry, "path": "chart-a-b.svg"}]}, "x")
    with pytest.raises(ReleaseError, match="unsafe file path"):
        release_files({"resources": [entry]}, "x")


def test_download_fetches_and_checks_the_charts(tmp_path: Path, monkeypatch) -> None:
    """A version only the host has (the next one): every file its descriptor lists comes down,
    charts included, and the folder verifies."""
    releases = tmp_path / "host" / "releases"
    (releases / NEXT).mkdir(parents=True)
    write_release_files(bundled_corpus(NEXT), releases / NEXT, REPO / "releases")
    (releases / INDEX).write_text(dumps(index_of(releases)), encoding="utf-8")
    with ReleaseServer(releases) as host:
        monkeypatch.setenv("NKDATA_BASE_URL", host.url)
        result = fetch_release(NEXT, tmp_path / "dest")
        charts = sorted(p.name for p in (releases / NEXT).glob("chart-*.svg"))
        assert charts and set(charts) <= set(result.fetched)
        assert [f"{NEXT}/{name}" in host.requests for name in charts] == [True] * len(charts)
    assert verify_release(tmp_path / "dest").problems == []


def test_the_card_lists_every_quantitys_figures(release: Path) -> None:
    """Each quantity with figures has a section whose table has a row per figure (up to
    LISTED, then a line that says how many more), whether or not it has a chart."""
    from nkdata.release.datacard import LISTED

    card = (release / "README.md").read_text(encoding="utf-8")
    section = card.split("## Figures by quantity\n", 1)[1].split("\n## ", 1)[0]
    blocks = {
        block.split("`", 2)[1]: block for block in section.split("\n### ")[1:] if "`" in block
    }
    counts = Counter(nkdata.load().figures.to_arrow().column("quantity_id").to_pylist())
    assert set(blocks) == set(counts)
    for quantity, count in counts.items():
        rows = [line for line in blocks[quantity].splitlines() if line.startswith("| ")]
        assert len(rows) - 2 == min(count, LISTED), quantity  # the header rows, then figures
