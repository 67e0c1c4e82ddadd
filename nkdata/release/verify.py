"""Check a release folder without frictionless: every file, the descriptor, and every rule.

- Files: exactly the files the descriptor lists are in the folder, each a regular file (a
  link, a FIFO or a device is never opened) with the size and SHA-256 recorded.
- Descriptor: it is the descriptor nkdata writes for these tables and files (schemas,
  licences, sources, resources), and its dataset fields obey ``dataset.yaml``'s model.
- Tables: each Parquet file has the models' columns, in order, with their types; it decodes to
  a bounded size; its CSV twin holds the same values.
- Rules: every rule of :mod:`nkdata.release.tablerules`, the same that ``nkdata build`` checks
  before it writes a release.

Checks on values are vectorised with pyarrow compute where they can be, so that verifying a
large release takes a small fraction of ``frictionless validate``. Problems are the ones
``nkdata validate`` reports, with the release file as the file and the column as the field
path, so the same renderers (text, JSON lines, GitHub annotations) print them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from pydantic import ValidationError

from nkdata.corpus.pool import worker_count
from nkdata.corpus.problems import Problem, Rule, sorted_problems
from nkdata.errors import ReleaseError
from nkdata.models import Row
from nkdata.release.cardcharts import charted
from nkdata.release.datapackage import TEXT_LICENSE, descriptor, publishers
from nkdata.release.fileformats import csv_ready
from nkdata.release.tablerules import cross_problems, own_problems
from nkdata.release.textbytes import one_chunk
from nkdata.schema.arrow import schema_difference
from nkdata.schema.characters import escaped
from nkdata.schema.columns import table_models
from nkdata.schema.corpus_files import DatasetFile
from nkdata.schema.releasefolder import (
    CARD,
    DESCRIPTOR,
    FORMATS,
    MAX_JSON_BYTES,
    ReleaseFile,
    open_regular,
    parse_descriptor,
    read_parquet,
    read_regular,
    release_files,
)

_AGAIN = "Download the release again (`nkdata download VERSION --dest DIR`)."


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify_release`: the problems, and what was checked."""

    problems: list[Problem]
    version: str | None
    """The release's version, only once it is known to be MAJOR.MINOR.PATCH."""
    files: int
    rows: int


def verify_release(folder: Path) -> Verification:
    """Check every file of the release in ``folder`` against its descriptor, the models and
    the rules.

    Examples
    --------
    >>> import nkdata
    >>> verify_release(nkdata.load().path).problems   # the release installed with nkdata
    []
    """
    try:
        descriptor_data = read_regular(folder / DESCRIPTOR, MAX_JSON_BYTES)
        package = parse_descriptor(descriptor_data, DESCRIPTOR)
        files = {file.name: file for file in release_files(package, DESCRIPTOR)}
    except (OSError, ReleaseError) as exc:
        message = exc.strerror if isinstance(exc, OSError) else str(exc)
        problem = Problem(
            code=Rule.RELEASE_DESCRIPTOR, message=f"cannot read it: {message}", file=DESCRIPTOR
        )
        return Verification([problem], None, 0, 0)
    models = table_models().values()
    problems = _unlisted(folder, files) + _unlisted_tables(files, models)
    # pyarrow, numpy and hashlib release the GIL: files are hashed (the Parquet files first,
    # the largest first), tables read and their rules checked side by side, by two threads a
    # core (one often waits for a file or a table). A task waits only for tasks submitted
    # before it, which have started, so that the pool never waits for itself.
    with ThreadPoolExecutor(max_workers=2 * worker_count()) as pool:
        first = sorted(files.values(), key=lambda f: (not f.name.endswith(".parquet"), -f.bytes))
        hashed = {file.name: pool.submit(_check_file, folder, file) for file in first}
        read = {m.table: pool.submit(_read_intact, folder, m, hashed) for m in models}
        checked = [pool.submit(_check_rows, m, read[m.table]) for m in models]
        checked += [
            pool.submit(_check_csv_intact, folder, m, read[m.table], hashed) for m in models
        ]
        found_tables = {name: future.result()[0] for name, future in read.items()}
        tables = {name: table for name, table in found_tables.items() if table is not None}
        described = pool.submit(_check_descriptor, package, files, tables)
        problems += cross_problems(tables, pool.map)
        futures = [*hashed.values(), *checked]
        problems += [p for future in futures for p in future.result()]
        problems += [p for future in read.values() for p in future.result()[1]]
        version, found = described.result()
    problems += found
    rows = sum(table.num_rows for table in tables.values())
    return Verification(sorted_problems(problems), version, len(files), rows)


def _unlisted(folder: Path, files: dict[str, ReleaseFile]) -> list[Problem]:
    """A problem for each entry of the folder that the descriptor does not list."""
    with os.scandir(folder) as entries:
        names = sorted(entry.name for entry in entries)
    return [
        Problem(
            code=Rule.RELEASE_FILE,
            message="in the release folder but not listed in the descriptor, so not checked",
            file=name,
            hint="A release folder holds only the files its datapackage.json lists: remove it.",
        )
        for name in names
        if name not in files and name != DESCRIPTOR
    ]


def _unlisted_tables(files: dict[str, ReleaseFile], models: Iterable[type[Row]]) -> list[Problem]:
    """A problem for each table file that the descriptor does not list."""
    return [
        Problem(code=Rule.RELEASE_FILE, message="not listed in the descriptor", file=name)
        for model in models
        for fmt in FORMATS
        if (name := f"{model.table}.{fmt}") not in files
    ]


Checked = Future[list[Problem]]
Read = Future[tuple[pa.Table | None, list[Problem]]]


def _read_intact(
    folder: Path, model: type[Row], hashed: dict[str, Checked]
) -> tuple[pa.Table | None, list[Problem]]:
    """The table's Parquet file read, once it is known to be listed and intact."""
    name = f"{model.table}.parquet"
    if name not in hashed or hashed[name].result():
        return None, []
    return read_table(folder / name, model)


def _check_rows(model: type[Row], read: Read) -> list[Problem]:
    """The rules of the table on its own, once it is read."""
    table = read.result()[0]
    return own_problems(table, model) if table is not None else []


def _check_csv_intact(
    folder: Path, model: type[Row], read: Read, hashed: dict[str, Checked]
) -> list[Problem]:
    """The table's CSV file compared with its Parquet file, once both are known intact."""
    name = f"{model.table}.csv"
    table = read.result()[0]
    if table is None or name not in hashed or hashed[name].result():
        return []
    return _check_csv(folder / name, table)


def _check_file(folder: Path, file: ReleaseFile) -> list[Problem]:
    path = folder / file.name
    try:
        info = path.lstat()
    except FileNotFoundError:
        return [
            Problem(
                code=Rule.RELEASE_FILE,
                message="listed in the descriptor but missing",
                file=file.name,
                hint=_AGAIN,
            )
        ]
    if not stat.S_ISREG(info.st_mode):
        return [Problem(code=Rule.RELEASE_FILE, message="not a regular file", file=file.name)]
    actual = ReleaseFile(file.name, "", info.st_size)
    if info.st_size == file.bytes:  # a file of another size is not hashed (a sparse giant)
        try:
            actual = ReleaseFile.of(path)
        except OSError as exc:
            message = f"cannot read it: {exc.strerror}"
            return [Problem(code=Rule.RELEASE_FILE, message=message, file=file.name)]
    if actual != file:
        found = f"{actual.bytes} bytes" + (f" {actual.sha256}" if actual.sha256 else "")
        return [
            Problem(
                code=Rule.RELEASE_HASH,
                message=f"expected {file.bytes} bytes {file.sha256}, found {found}",
                file=file.name,
                hint="The file was altered or truncated. " + _AGAIN,
            )
        ]
    return []


def read_table(path: Path, model: type[Row]) -> tuple[pa.Table | None, list[Problem]]:
    """The Parquet file at ``path`` as a table of ``model``'s exact schema, or its problem."""
    try:
        with open_regular(path) as handle:
            wrong = schema_difference(pq.read_schema(handle), model)
            if wrong:
                return None, [_schema_problem(path, model, wrong)]
            handle.seek(0)
            return read_parquet(handle, os.fstat(handle.fileno()).st_size, path.name), []
    except (pa.ArrowException, OSError, ReleaseError) as exc:
        message = f"not a readable table: {escaped(str(exc))}"
        return None, [Problem(code=Rule.RELEASE_FILE, message=message, file=path.name)]


def _schema_problem(path: Path, model: type[Row], detail: str) -> Problem:
    return Problem(
        code=Rule.RELEASE_SCHEMA,
        message=f"the {model.table} table differs from its model: {detail}",
        file=path.name,
        hint="The release was not written by this version of nkdata.",
    )


def _check_csv(path: Path, table: pa.Table) -> list[Problem]:
    """A problem unless the CSV file holds the table's header and values."""
    expected = csv_ready(table)
    convert = pacsv.ConvertOptions(
        column_types=expected.schema,
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        null_values=[""],
    )
    parse = pacsv.ParseOptions(newlines_in_values=True)  # article texts span lines
    try:
        with (
            open_regular(path) as handle,
            pacsv.open_csv(handle, parse_options=parse, convert_options=convert) as reader,
        ):  # the reader is closed before the file
            if reader.schema.names == expected.column_names:
                names = _differing_columns(reader, expected)
                differ = (
                    f"column(s) {', '.join(names)} differ from the Parquet file" if names else ""
                )
            else:
                with open_regular(path) as again:  # read whole, as its other columns are typed
                    pacsv.read_csv(again, parse_options=parse, convert_options=convert)
                differ = f"the header differs from the Parquet columns {expected.column_names}"
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:  # a header not in UTF-8
        return [
            Problem(
                code=Rule.RELEASE_CSV,
                message=f"unreadable: {escaped(str(exc))}",
                file=path.name,
                hint=_AGAIN,
            )
        ]
    return (
        [Problem(code=Rule.RELEASE_CSV, message=differ, file=path.name, hint=_AGAIN)]
        if differ
        else []
    )


def _differing_columns(reader: pacsv.CSVStreamingReader, expected: pa.Table) -> list[str]:
    """The columns whose values differ from the table's (every column if the row count does):
    the file is read a block at a time, each compared with the same rows of the table, so that
    memory is reused where a decoded copy of the whole file would be fresh pages."""
    names, rows = expected.column_names, 0
    differing: set[str] = set()
    for batch in reader:
        same = expected.slice(rows, batch.num_rows)
        differing.update(
            name
            for name, column in zip(names, batch.columns, strict=True)
            if not column.equals(one_chunk(same.column(name)))
        )
        rows += batch.num_rows
    return names if rows != expected.num_rows else [name for name in names if name in differing]


_ANNOTATIONS = " (the annotations: every table and column except articles.text)"


def _check_descriptor(
    package: dict[str, Any], files: dict[str, ReleaseFile], tables: dict[str, pa.Table]
) -> tuple[str | None, list[Problem]]:
    """The release's version, and a problem unless the descriptor is the one nkdata writes for
    these files and tables, with dataset fields that ``dataset.yaml``'s model accepts."""
    try:
        dataset = DatasetFile.model_validate(_dataset_fields(package))
    except (ValidationError, KeyError, TypeError, AttributeError, IndexError) as exc:
        detail = (
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            if isinstance(exc, ValidationError)
            else f"{type(exc).__name__} {exc}"
        )
        return None, [_descriptor_problem(f"its dataset fields are not valid: {escaped(detail)}")]
    if set(table_models()) - set(tables) or CARD not in files:
        return dataset.version, []  # a missing table is reported on its own
    expected = descriptor(dataset, files, publishers=publishers(tables), charts=charted(tables))
    differing = sorted(
        key for key in expected.keys() | package.keys() if expected.get(key) != package.get(key)
    )
    if differing:
        shown = ", ".join(escaped(key) for key in differing)
        return dataset.version, [
            _descriptor_problem(f"it differs from the descriptor of these files in: {shown}")
        ]
    return dataset.version, []


def _dataset_fields(package: dict[str, Any]) -> dict[str, Any]:
    """What ``dataset.yaml`` held, read back from the descriptor written from it."""
    licence = dict(package["licenses"][0])
    licence["title"] = str(licence.get("title", "")).removesuffix(_ANNOTATIONS)
    if package["licenses"][1:] != [TEXT_LICENSE]:
        raise KeyError("licenses: the second licence is not that of the article texts")
    fields = {
        "name": package["name"],
        "title": package["title"],
        "version": package["version"],
        "released": str(package["created"]).removesuffix("T00:00:00Z"),
        "description": package["description"],
        "keywords": package["keywords"],
        "license": licence,
        "text_rights": package["nkdata:text_rights"],
        "contributors": package["contributors"],
        "citation": package["nkdata:citation"],
    }
    if "homepage" in package:
        fields["homepage"] = package["homepage"]
    return fields


def _descriptor_problem(message: str) -> Problem:
    return Problem(
        code=Rule.RELEASE_DESCRIPTOR,
        message=message,
        file=DESCRIPTOR,
        hint="The descriptor was edited after the build; " + _AGAIN,
    )
