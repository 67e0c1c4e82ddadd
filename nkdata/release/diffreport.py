"""A :class:`~nkdata.release.diff.ReleaseDiff` as text, Markdown or JSON.

Text is for the terminal (``nkdata diff``); Markdown for the data card and ``nkdata diff
--format markdown`` (:func:`markdown`) and, as a summary without rows, for the CHANGELOG entry
(:func:`summary`); JSON holds every value whole, for tools. Strings are shown as JSON strings,
so that an empty string, a newline or a trailing space is visible; long ones are cut around
their first difference.

>>> show(1000000.0), show(None), show("a\\nb"), show(["x", "y"])
('1,000,000', 'null', '"a\\\\nb"', '["x", "y"]')
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from nkdata.release.diff import FigureChange, ReleaseDiff, RowChange, TableDiff

WIDE = 72
"""Characters of a string shown before it is cut."""
CONTEXT = 24
"""Characters shown before a long string's first difference."""


def show(value: Any) -> str:
    """One value as a reader should see it; a string cut to :data:`WIDE` characters."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:,.15g}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(show(item) for item in value) + "]"
    if isinstance(value, str) and len(value) > WIDE:
        return json.dumps(value[:WIDE], ensure_ascii=False)[:-1] + '…"'
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def show_change(old: Any, new: Any) -> str:
    """``old → new``; two long strings as the passage where they first differ."""
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > WIDE:
        same = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
        start = max(0, (same if same is not None else min(len(old), len(new))) - CONTEXT)
        cut = f"(from character {start}) " if start else ""
        sizes = f"({len(old):,} → {len(new):,} characters)"
        return f"{cut}{show(old[start:])} → {show(new[start:])} {sizes}"
    return f"{show(old)} → {show(new)}"


def _schema_lines(table: TableDiff) -> list[str]:
    if table.new_table:
        return ["new table"]
    if table.dropped_table:
        return ["table removed"]
    lines = []
    if table.columns_added:
        lines.append("columns added: " + ", ".join(table.columns_added))
    if table.columns_removed:
        lines.append("columns removed: " + ", ".join(table.columns_removed))
    lines += [f"column {c} retyped: {old} → {new}" for c, old, new in table.columns_retyped]
    return lines


def _row_title(table: str, row: RowChange) -> str:
    quote = f" {show(row.quote)}" if row.quote else ""
    return f"{table} {row.id}{quote}"


def _figure_line(change: FigureChange) -> str:
    numbers = ", ".join(
        f"{column} {show_change(change.old[column], change.new[column])}" for column in change.old
    )
    quote = f" ({show(change.quote)})" if change.quote else ""
    return f"{change.id}: {numbers}{quote}"


def text(diff: ReleaseDiff) -> list[str]:
    """The whole diff for a terminal."""
    lines = [f"changes from {diff.old} to {diff.new}"]
    if diff.empty:
        return [*lines, "nothing changed"]
    width = max(len(name) for name in diff.tables)
    lines += ["", "rows (added, removed, changed):"]
    lines += [
        f"  {name:<{width}}  {len(t.added):>6,} {len(t.removed):>6,} {len(t.changed):>6,}"
        for name, t in diff.tables.items()
    ]
    schema = [(name, _schema_lines(t)) for name, t in diff.tables.items() if _schema_lines(t)]
    if schema:
        lines += ["", "schema:"]
        lines += [f"  {name}: {line}" for name, found in schema for line in found]
    for name, table in diff.tables.items():
        if table.added and not table.new_table:
            lines += ["", f"added to {name}:", *(f"  {key}" for key in table.added)]
        if table.removed and not table.dropped_table:
            lines += ["", f"removed from {name}:", *(f"  {key}" for key in table.removed)]
        if table.changed:
            lines += ["", f"changed in {name}:"]
            for row in table.changed:
                lines.append(f"  {_row_title(name, row).removeprefix(name + ' ')}")
                lines += [f"    {c.column}: {show_change(c.old, c.new)}" for c in row.cells]
    if diff.figure_values:
        lines += ["", "figures whose value changed, by quantity:"]
        for quantity, changes in diff.figure_values.items():
            lines.append(f"  {quantity}:")
            lines += [f"    {_figure_line(change)}" for change in changes]
    return lines


def _code(value: str) -> str:
    """A Markdown code span that survives any backtick inside ``value``."""
    fence = "``" if "`" in value else "`"
    return f"{fence}{value}{fence}"


def summary(diff: ReleaseDiff) -> list[str]:
    """Counts per table, schema changes and changed figure values, in Markdown: no rows."""
    if diff.empty:
        return [f"No rows changed since {diff.old}."]
    lines = [
        f"Since {diff.old}:",
        "",
        "| table | added | removed | changed |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| `{name}` | {len(t.added):,} | {len(t.removed):,} | {len(t.changed):,} |"
        for name, t in diff.tables.items()
    ]
    schema = [(name, _schema_lines(t)) for name, t in diff.tables.items() if _schema_lines(t)]
    if schema:
        lines += ["", "Schema:", ""]
        lines += [f"- `{name}`: {'; '.join(found)}" for name, found in schema]
    if diff.figure_values:
        lines += ["", "Figures whose value changed, by quantity:", ""]
        for quantity, changes in diff.figure_values.items():
            lines.append(f"- `{quantity}`:")
            lines += [f"  - {_code(_figure_line(change))}" for change in changes]
    return lines


def markdown(diff: ReleaseDiff, limit: int | None = None) -> list[str]:
    """The summary, then the ids added and removed and every changed cell, at most ``limit``
    rows per table and kind (the rest counted, with the command that lists them)."""
    lines = summary(diff)
    more = f"`nkdata diff {diff.old} {diff.new}` lists them all"
    for name, table in diff.tables.items():
        for verb, keys in (("Added to", table.added), ("Removed from", table.removed)):
            if keys and not (table.new_table or table.dropped_table):
                shown = keys[:limit] if limit is not None else keys
                lines += ["", f"{verb} `{name}`: " + ", ".join(_code(key) for key in shown)]
                if len(shown) < len(keys):
                    lines[-1] += f" and {len(keys) - len(shown):,} more ({more})"
        if table.changed:
            shown_rows = table.changed[:limit] if limit is not None else table.changed
            lines += ["", f"Changed in `{name}`:", ""]
            for row in shown_rows:
                quote = f" ({_code(show(row.quote))})" if row.quote else ""
                lines.append(f"- `{row.id}`{quote}")
                lines += [
                    f"  - `{c.column}`: {_code(show_change(c.old, c.new))}" for c in row.cells
                ]
            if len(shown_rows) < len(table.changed):
                lines += ["", f"and {len(table.changed) - len(shown_rows):,} more ({more})."]
    return lines


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    return value


def as_json(diff: ReleaseDiff) -> dict[str, Any]:
    """The diff as one JSON object, every value whole."""

    def row(change: RowChange) -> dict[str, Any]:
        cells = {
            c.column: {"old": _json_value(c.old), "new": _json_value(c.new)} for c in change.cells
        }
        return {"id": change.id, "quote": change.quote, "cells": cells}

    tables = {
        name: {
            "added": list(t.added),
            "removed": list(t.removed),
            "changed": [row(change) for change in t.changed],
            "schema": {
                "new_table": t.new_table,
                "dropped_table": t.dropped_table,
                "columns_added": list(t.columns_added),
                "columns_removed": list(t.columns_removed),
                "columns_retyped": [
                    {"column": c, "old": old, "new": new} for c, old, new in t.columns_retyped
                ],
            },
        }
        for name, t in diff.tables.items()
    }
    figures = {
        quantity: [{"id": c.id, "quote": c.quote, "old": c.old, "new": c.new} for c in changes]
        for quantity, changes in diff.figure_values.items()
    }
    return {"old": diff.old, "new": diff.new, "tables": tables, "figure_values": figures}
