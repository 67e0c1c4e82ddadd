"""Check a release folder without frictionless: hashes, schemas, keys and CSV/Parquet agreement.

Every check is vectorised with pyarrow compute, so that verifying a large release takes a small
fraction of ``frictionless validate``. Problems are reported like ``nkdata validate``'s, with the
release file as the file and the column as the field path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from nkdata.arrowtables import arrow_schema
from nkdata.columns import columns, table_models
from nkdata.datapackage import DESCRIPTOR, file_stats
from nkdata.models import Row
from nkdata.problems import Problem, Rule, sorted_problems
from nkdata.tablefiles import csv_ready

_SHOWN = 5


def verify_release(folder: Path) -> list[Problem]:
    """Every problem of the release in ``folder`` (an empty list: the release is sound)."""
    try:
        descriptor = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
        resources = {entry["path"]: entry for entry in descriptor["resources"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [
            Problem(
                Rule.RELEASE_DESCRIPTOR,
                f"cannot read {DESCRIPTOR}: {exc}",
                DESCRIPTOR,
                hint="Download the release again.",
            )
        ]
    problems = [p for entry in resources.values() for p in _check_file(folder, entry)]
    damaged = {p.file for p in problems}
    tables: dict[str, pa.Table] = {}
    for name, model in table_models().items():
        path = f"{name}.parquet"
        if path in resources and path not in damaged:
            table, found = _read_parquet(folder / path, model)
            problems += found
            if table is not None:
                tables[name] = table
                problems += _check_values(table, model, path)
                if f"{name}.csv" in resources and f"{name}.csv" not in damaged:
                    problems += _check_csv(folder / f"{name}.csv", table)
    problems += _check_foreign_keys(tables)
    return sorted_problems(problems)


def _check_file(folder: Path, entry: dict[str, Any]) -> list[Problem]:
    name = str(entry["path"])
    path = folder / name
    if not path.is_file():
        return [
            Problem(
                Rule.RELEASE_FILE,
                "listed in the descriptor but missing",
                name,
                hint="Download the release again.",
            )
        ]
    stats = file_stats(path)
    expected = str(entry.get("hash", "")).removeprefix("sha256:")
    if stats.bytes != entry.get("bytes") or stats.sha256 != expected:
        return [
            Problem(
                Rule.RELEASE_HASH,
                f"expected {entry.get('bytes')} bytes sha256:{expected}, found "
                f"{stats.bytes} bytes sha256:{stats.sha256}",
                name,
                hint="The file was altered or truncated; download the release again.",
            )
        ]
    return []


def _read_parquet(path: Path, model: type[Row]) -> tuple[pa.Table | None, list[Problem]]:
    table = pq.read_table(path)
    expected = arrow_schema(model)
    found = {f.name: f for f in table.schema}
    wrong = [
        f.name
        for f in expected
        if f.name not in found
        or (
            not found[f.name].type.equals(f.type, check_metadata=False)
            and not (pa.types.is_list(f.type) and pa.types.is_list(found[f.name].type))
        )
    ]
    extra = [name for name in found if name not in expected.names]
    if wrong or extra:
        return None, [
            Problem(
                Rule.RELEASE_SCHEMA,
                f"columns differ from the {model.table} model: "
                f"wrong or missing {wrong}, unexpected {extra}",
                path.name,
                hint="This release was not written by this version of nkdata.",
            )
        ]
    return table.select(expected.names).cast(expected), []


def _ids(table: pa.Table, mask: pa.Array) -> str:
    ids = table.filter(mask).column("id").to_pylist()
    more = f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else ""
    return ", ".join(map(str, ids[:_SHOWN])) + more


def _check_values(table: pa.Table, model: type[Row], file: str) -> list[Problem]:
    problems = []
    for column in columns(model):
        values = table.column(column.name)
        if not column.nullable and values.null_count:
            problems.append(
                Problem(
                    Rule.RELEASE_REQUIRED,
                    f"{values.null_count} empty value(s) in rows {_ids(table, values.is_null())}",
                    file,
                    path=column.name,
                )
            )
        bad = None
        if column.enum:
            bad = pc.invert(pc.is_in(values, value_set=pa.array(column.enum)))
        elif column.pattern and column.kind == "string":
            bad = pc.invert(pc.match_substring_regex(values, column.pattern))
        if bad is not None and (count := pc.sum(pc.fill_null(bad, False)).as_py() or 0):
            problems.append(
                Problem(
                    Rule.RELEASE_CONSTRAINT,
                    f"{count} value(s) break the "
                    f"column's rule, in rows {_ids(table, pc.fill_null(bad, False))}",
                    file,
                    path=column.name,
                )
            )
    key = table.column(model.primary_key)
    if pc.count_distinct(key).as_py() != len(key):
        counts = pc.value_counts(key)
        repeated = [
            str(v)
            for v in pc.filter(
                counts.field("values"), pc.greater(counts.field("counts"), 1)
            ).to_pylist()
        ]
        problems.append(
            Problem(
                Rule.RELEASE_PRIMARY_KEY,
                f"repeated ids: {', '.join(repeated)}",
                file,
                path=model.primary_key,
            )
        )
    return problems


def _check_foreign_keys(tables: dict[str, pa.Table]) -> list[Problem]:
    problems = []
    for name, model in table_models().items():
        if name not in tables:
            continue
        for column in columns(model):
            if column.references is None or column.references not in tables:
                continue
            values = tables[name].column(column.name)
            flat = pc.list_flatten(values) if column.kind == "list" else values
            known = tables[column.references].column("id")
            missing = pc.filter(
                flat, pc.invert(pc.fill_null(pc.is_in(flat, value_set=known), True))
            )
            if len(missing):
                shown = sorted(set(missing.to_pylist()))[:_SHOWN]
                problems.append(
                    Problem(
                        Rule.RELEASE_FOREIGN_KEY,
                        f"{len(missing)} value(s) not in {column.references}.id: "
                        + ", ".join(shown),
                        f"{name}.parquet",
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
    try:
        found = pacsv.read_csv(path, convert_options=convert)
    except (pa.ArrowInvalid, OSError) as exc:
        return [Problem(Rule.RELEASE_CSV, f"unreadable: {exc}", path.name)]
    if found.column_names != expected.column_names or not found.equals(expected):
        return [
            Problem(
                Rule.RELEASE_CSV,
                "values differ from the Parquet file",
                path.name,
                hint="Download the release again.",
            )
        ]
    return []
