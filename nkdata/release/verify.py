"""Check a release folder without frictionless: hashes, schemas, values, keys and CSV twins.

Every check on values is vectorised with pyarrow compute, so that verifying a large release
takes a small fraction of ``frictionless validate``. Problems are the ones ``nkdata validate``
reports, with the release file as the file and the column as the field path, so the same
renderers (text, JSON lines, GitHub annotations) print them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from nkdata.corpus.problems import Problem, Rule, sorted_problems
from nkdata.errors import ReleaseError
from nkdata.models import Row
from nkdata.release.fileformats import csv_ready
from nkdata.schema.arrow import arrow_schema, integer, strings
from nkdata.schema.columns import Column, columns, table_models
from nkdata.schema.releasefolder import (
    DESCRIPTOR,
    FORMATS,
    ReleaseFile,
    parse_descriptor,
    release_files,
)

_SHOWN = 5
_AGAIN = "Download the release again (`nkdata download VERSION --dest DIR`)."


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify_release`: the problems, and what was checked."""

    problems: list[Problem]
    version: str | None
    files: int
    rows: int


def verify_release(folder: Path) -> Verification:
    """Check every file of the release in ``folder`` against its descriptor and the models.

    Examples
    --------
    >>> import nkdata
    >>> verify_release(nkdata.load().path).problems   # the release installed with nkdata
    []
    """
    try:
        descriptor = parse_descriptor((folder / DESCRIPTOR).read_bytes(), DESCRIPTOR)
        files = {file.name: file for file in release_files(descriptor, DESCRIPTOR)}
    except (OSError, ReleaseError) as exc:
        message = exc.strerror if isinstance(exc, OSError) else str(exc)
        problem = Problem(
            code=Rule.RELEASE_DESCRIPTOR, message=f"cannot read it: {message}", file=DESCRIPTOR
        )
        return Verification([problem], None, 0, 0)
    models = table_models()
    tabular = {f"{name}.{fmt}" for name in models for fmt in FORMATS}
    others = [file for name, file in files.items() if name not in tabular]
    # One thread per table: pyarrow and hashlib release the GIL, and each file is one stream
    # (one row group, one column chunk), so the tables are what can run side by side.
    with ThreadPoolExecutor(max_workers=len(models) + 1) as pool:
        checked = pool.map(lambda model: _check_table(folder, files, model), models.values())
        problems = [p for file in pool.map(lambda f: _check_file(folder, f), others) for p in file]
        tables: dict[str, pa.Table] = {}
        for name, (table, found) in zip(models, checked, strict=True):
            problems += found
            if table is not None:
                tables[name] = table
    problems += _check_foreign_keys(tables)
    version = descriptor.get("version")
    rows = sum(table.num_rows for table in tables.values())
    return Verification(
        sorted_problems(problems), version if isinstance(version, str) else None, len(files), rows
    )


def _check_table(
    folder: Path, files: dict[str, ReleaseFile], model: type[Row]
) -> tuple[pa.Table | None, list[Problem]]:
    """The table's Parquet file read and checked, and its CSV twin compared with it."""
    problems, intact = [], set()
    for fmt in FORMATS:
        name = f"{model.table}.{fmt}"
        if name not in files:
            problems.append(
                Problem(code=Rule.RELEASE_FILE, message="not listed in the descriptor", file=name)
            )
        elif found := _check_file(folder, files[name]):
            problems += found
        else:
            intact.add(fmt)
    if "parquet" not in intact:
        return None, problems
    table, found = _read_parquet(folder / f"{model.table}.parquet", model)
    problems += found
    if table is not None:
        problems += _check_values(table, model, f"{model.table}.parquet")
        if "csv" in intact:
            problems += _check_csv(folder / f"{model.table}.csv", table)
    return table, problems


def _check_file(folder: Path, file: ReleaseFile) -> list[Problem]:
    path = folder / file.name
    if not path.is_file():
        return [
            Problem(
                code=Rule.RELEASE_FILE,
                message="listed in the descriptor but missing",
                file=file.name,
                hint=_AGAIN,
            )
        ]
    actual = ReleaseFile.of(path)
    if actual != file:
        return [
            Problem(
                code=Rule.RELEASE_HASH,
                message=f"expected {file.bytes} bytes {file.sha256}, "
                f"found {actual.bytes} bytes {actual.sha256}",
                file=file.name,
                hint="The file was altered or truncated. " + _AGAIN,
            )
        ]
    return []


def _read_parquet(path: Path, model: type[Row]) -> tuple[pa.Table | None, list[Problem]]:
    try:
        with pq.ParquetFile(path) as parquet:  # pq.read_table would import pyarrow.dataset
            table = parquet.read()
    except (pa.ArrowException, OSError) as exc:
        return None, [
            Problem(
                code=Rule.RELEASE_FILE,
                message=f"not a readable Parquet file: {exc}",
                file=path.name,
            )
        ]
    expected = arrow_schema(model)
    found = {f.name: f.type for f in table.schema}
    wrong = [
        f"{f.name} ({found.get(f.name, 'missing')}, expected {f.type})"
        for f in expected
        if f.name not in found or not found[f.name].equals(f.type)
    ]
    extra = [name for name in found if name not in expected.names]
    if wrong or extra:
        detail = "; ".join(
            [*(f"column {w}" for w in wrong), *(f"unexpected column {e}" for e in extra)]
        )
        return None, [
            Problem(
                code=Rule.RELEASE_SCHEMA,
                message=f"the columns differ from the {model.table} model: {detail}",
                file=path.name,
                hint="The release was not written by this version of nkdata.",
            )
        ]
    return table.select(expected.names), []


def _ids(table: pa.Table, mask: pa.ChunkedArray | pa.Array) -> str:
    """The first few ids of the rows where ``mask`` is true."""
    ids = table.filter(mask).column("id").to_pylist()
    more = f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else ""
    return ", ".join(map(str, ids[:_SHOWN])) + more


def _broken(values: pa.ChunkedArray, column: Column) -> pa.ChunkedArray | None:
    """True where a set value breaks the column's vocabulary, pattern, length or minimum."""
    checks = []
    if column.enum:
        checks.append(pc.invert(pc.is_in(values, value_set=strings(column.enum))))
    if column.pattern and column.kind == "string":
        checks.append(pc.invert(pc.match_substring_regex(values, column.pattern)))
    if column.min_length is not None and column.kind == "string":
        checks.append(pc.less(pc.utf8_length(values), integer(column.min_length)))
    if column.minimum is not None:
        checks.append(pc.less(values, integer(column.minimum)))
    if not checks:
        return None
    broken = checks[0]
    for check in checks[1:]:
        broken = pc.or_(broken, check)
    # Kleene "and": an empty cell (null, reported as RELEASE_REQUIRED) is false here.
    return pc.and_kleene(broken, pc.is_valid(values))


def _check_values(table: pa.Table, model: type[Row], file: str) -> list[Problem]:
    problems = []
    for column in columns(model):
        values = table.column(column.name)
        if not column.nullable and values.null_count:
            problems.append(
                Problem(
                    code=Rule.RELEASE_REQUIRED,
                    message=f"{values.null_count} empty value(s), "
                    f"in rows {_ids(table, values.is_null())}",
                    file=file,
                    path=column.name,
                )
            )
        broken = _broken(values, column)
        if broken is not None and (count := pc.sum(broken).as_py() or 0):
            problems.append(
                Problem(
                    code=Rule.RELEASE_CONSTRAINT,
                    message=f"{count} value(s) break the column's rule, "
                    f"in rows {_ids(table, broken)}",
                    file=file,
                    path=column.name,
                )
            )
    key = table.column(model.primary_key)
    counts = pc.value_counts(key)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), integer(1)))
    if len(repeated):
        shown = ", ".join(map(str, repeated.to_pylist()[:_SHOWN]))
        problems.append(
            Problem(
                code=Rule.RELEASE_PRIMARY_KEY,
                message=f"{len(repeated)} repeated id(s): {shown}",
                file=file,
                path=model.primary_key,
            )
        )
    return problems


def _check_foreign_keys(tables: dict[str, pa.Table]) -> list[Problem]:
    problems = []
    for name, table in tables.items():
        for column in columns(table_models()[name]):
            if column.references is None or column.references not in tables:
                continue
            values = table.column(column.name)
            flat = pc.drop_null(pc.list_flatten(values) if column.kind == "list" else values)
            known = tables[column.references].column("id")
            missing = pc.filter(flat, pc.invert(pc.is_in(flat, value_set=known)))
            if len(missing):
                shown = sorted(set(missing.to_pylist()))
                more = f" and {len(shown) - _SHOWN} more" if len(shown) > _SHOWN else ""
                problems.append(
                    Problem(
                        code=Rule.RELEASE_FOREIGN_KEY,
                        message=f"{len(missing)} value(s) not in {column.references}.id: "
                        + ", ".join(shown[:_SHOWN])
                        + more,
                        file=f"{name}.parquet",
                        path=column.name,
                    )
                )
    return problems


def _check_csv(path: Path, table: pa.Table) -> list[Problem]:
    expected = csv_ready(table)
    convert = pacsv.ConvertOptions(
        column_types=expected.schema,
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        null_values=[""],
    )
    parse = pacsv.ParseOptions(newlines_in_values=True)  # article texts span lines
    try:
        found = pacsv.read_csv(path, parse_options=parse, convert_options=convert)
    except (pa.ArrowException, OSError) as exc:
        return [
            Problem(
                code=Rule.RELEASE_CSV, message=f"unreadable: {exc}", file=path.name, hint=_AGAIN
            )
        ]
    if found.column_names != expected.column_names:
        differ = f"the header differs from the Parquet columns {expected.column_names}"
    else:
        names = [n for n in expected.column_names if not found.column(n).equals(expected.column(n))]
        differ = f"column(s) {', '.join(names)} differ from the Parquet file" if names else ""
    return (
        [Problem(code=Rule.RELEASE_CSV, message=differ, file=path.name, hint=_AGAIN)]
        if differ
        else []
    )
