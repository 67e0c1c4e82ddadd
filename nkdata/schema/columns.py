"""Describe a table model's columns once, for every schema generated from it.

Pydantic already unwraps ``Annotated``, unions and constraints into JSON Schema; this module reads
that JSON Schema (plus the :class:`~nkdata.schema.fields.References` markers) into :class:`Column`
records, from which :mod:`nkdata.schema.export` writes Frictionless Table Schemas and
:mod:`nkdata.schema.arrow` builds Arrow schemas.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from nkdata.models import TABLES, Row
from nkdata.schema.fields import NOT_FUTURE, References

Kind = Literal["string", "integer", "number", "boolean", "date", "list"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a release table."""

    name: str
    kind: Kind
    nullable: bool
    description: str
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    enum: tuple[str, ...] | None = None
    forbidden: tuple[str, ...] = ()
    """Values the column never holds (ids that are Windows device names)."""
    not_future: bool = False
    """A date column whose dates are never after today."""
    vocabulary: str | None = None
    """The name of the enumeration (`Framing`, ...) whose members are the column's values."""
    references: str | None = None


@cache
def columns(model: type[Row]) -> tuple[Column, ...]:
    """The columns of ``model``, in field order.

    >>> [c.name for c in columns(TABLES[1])]
    ['id', 'label', 'unit', 'description']
    """
    schema = model.model_json_schema(mode="validation")
    defs = schema.get("$defs", {})
    result = []
    for name, prop in schema["properties"].items():
        options = prop.get("anyOf", [prop])
        nullable = any(option.get("type") == "null" for option in options)
        base = next(option for option in options if option.get("type") != "null")
        vocabulary = base["$ref"].split("/")[-1] if "$ref" in base else None
        base = defs[vocabulary] if vocabulary else base
        if base.get("type") == "array":  # a list column's constraints are its items'
            base = {**base.get("items", {}), "type": "array"}
        result.append(
            Column(
                name=name,
                kind=_kind(base),
                nullable=nullable,
                description=model.model_fields[name].description or "",
                pattern=base.get("pattern"),
                min_length=base.get("minLength"),
                max_length=base.get("maxLength"),
                minimum=base.get("minimum"),
                enum=tuple(base["enum"]) if "enum" in base else None,
                forbidden=tuple(base.get("not", {}).get("enum", ())),
                not_future=bool(base.get(NOT_FUTURE)),
                vocabulary=vocabulary if "enum" in base else None,
                references=_references(model, name),
            )
        )
    return tuple(result)


def _kind(schema: dict[str, Any]) -> Kind:
    if schema.get("type") == "array":
        return "list"
    if schema.get("format") == "date":
        return "date"
    kind = schema.get("type", "string")
    if kind not in {"string", "integer", "number", "boolean"}:
        raise TypeError(f"no column type for JSON Schema {schema}")
    return kind  # type: ignore[no-any-return]


def _references(model: type[Row], name: str) -> str | None:
    return next(
        (meta.table for meta in model.model_fields[name].metadata if isinstance(meta, References)),
        None,
    )


def table_models() -> dict[str, type[Row]]:
    """Table name → model, in dependency order."""
    return {model.table: model for model in TABLES}
