"""The models stage: validate each read document against its pydantic model.

Pydantic reports every error of a document at once; each becomes a :class:`Problem` located at
the YAML position of the offending value, with a rule code and a hint.
"""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from nkdata.corpus.layout import ReadFile
from nkdata.corpus.problems import Problem, Rule
from nkdata.corpus.yamlreader import YamlDocument, format_path
from nkdata.schema.fields import PATTERN_RULES, SLUG_PATTERN, slug_error

M = TypeVar("M", bound=BaseModel)

_TYPE_ERRORS = {
    "string_type",
    "float_type",
    "int_type",
    "bool_type",
    "list_type",
    "dict_type",
    "model_type",
    "model_attributes_type",
    "date_type",
    "int_from_float",
}
_RULE_VALUES = {rule.value for rule in Rule}


def parse_model(read: ReadFile, model: type[M]) -> tuple[M | None, list[Problem]]:
    """Validate one read file; return the model, or None and every problem found."""
    if read.doc is None:
        return None, []
    try:
        return model.model_validate(read.doc.data), []
    except ValidationError as exc:
        return None, [_problem(read.file, read.doc, error, model) for error in exc.errors()]


def _problem(file: str, doc: YamlDocument, error: ErrorDetails, model: type[BaseModel]) -> Problem:
    path = tuple(error["loc"])
    line, column = doc.position(path) or (None, None)
    kind = error["type"]
    message = error["msg"]
    if kind == "extra_forbidden":
        return Problem(
            code=Rule.FIELD_UNKNOWN,
            message=f"unknown key '{path[-1]}'",
            file=file,
            line=line,
            column=column,
            path=format_path(path),
            hint=_unknown_key_hint(path, model),
        )
    if error.get("input") == "" and path and isinstance(path[-1], str):
        return _empty(file, doc, error, model)
    if kind == "missing":
        return Problem(
            code=Rule.FIELD_MISSING,
            message=f"'{path[-1]}' is required",
            file=file,
            line=line,
            column=column,
            path=format_path(path),
            hint=f"Add '{path[-1]}:' here.",
        )
    code = _rule(kind, error)
    rule = PATTERN_RULES.get((error.get("ctx") or {}).get("pattern", ""))
    if kind == "string_pattern_mismatch" and rule:
        message = rule
    if code is Rule.ID_FORMAT and isinstance(error.get("input"), str):
        message = f"not a valid id: {slug_error(error['input'])}"
    if code in {Rule.FIELD_TYPE, Rule.FIELD_VALUE, Rule.ID_FORMAT}:
        message = f"{message} (got {_shown(error.get('input'))})"
    hint = (error.get("ctx") or {}).get("hint") or _HINTS.get(code, _hint(kind, error))
    return Problem(
        code=code,
        message=message,
        file=file,
        line=line,
        column=column,
        path=format_path(path),
        hint=hint,
    )


def _rule(kind: str, error: ErrorDetails) -> Rule:
    if kind in _RULE_VALUES:
        return Rule(kind)
    if kind in _TYPE_ERRORS or kind.endswith("_type"):
        return Rule.FIELD_TYPE
    if (
        kind == "string_pattern_mismatch"
        and (error.get("ctx") or {}).get("pattern") == SLUG_PATTERN
    ):
        return Rule.ID_FORMAT
    return Rule.FIELD_VALUE


def _shown(value: Any) -> str:
    if isinstance(value, dict | list):
        return type(value).__name__
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _hint(kind: str, error: ErrorDetails) -> str:
    if kind == "string_type":
        return "Put the value in quotes so YAML reads it as text, e.g. version: '1.10'."
    if kind in {"float_type", "int_type"}:
        return "Write a plain number without quotes or thousands separators: 50000."
    if kind == "enum":
        return f"Use one of: {(error.get('ctx') or {}).get('expected', '')}."
    if kind == "string_pattern_mismatch":
        return "The value does not have the required form; see the field's description."
    return ""


_HINTS: dict[Rule, str] = {
    Rule.ID_FORMAT: "Ids are lower-case ASCII letters, digits and single hyphens: 'rfa-korean'.",
    Rule.DATE_INVALID: "Write YYYY, YYYY-MM or YYYY-MM-DD, at the precision the text supports.",
    Rule.DATE_FUTURE: "Dates cannot be after today; check the year.",
    Rule.SOURCE_DESCRIPTION: "Add 'description:' saying who the text says the source is.",
    Rule.FIGURE_BOUNDS: "Check low <= value <= high; swap or correct the numbers.",
    Rule.FIGURE_QUALIFIER: "See the figure rules in docs/annotation.md.",
}


def _unknown_key_hint(path: tuple[Any, ...], model: type[BaseModel]) -> str:
    fields = list(_fields_at(model, path[:-1]))
    close = difflib.get_close_matches(str(path[-1]), fields, n=2)
    if close:
        return "Did you mean " + " or ".join(f"'{name}'" for name in close) + "?"
    return f"Allowed keys here: {', '.join(fields)}." if fields else "Remove it."


def _fields_at(model: type[BaseModel], path: tuple[Any, ...]) -> dict[str, Any]:
    """Fields (name → FieldInfo) of the (nested) model at ``path``; {} when it cannot be
    followed."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        info = _model_fields(current).get(part)
        if info is None:
            return {}
        current = _inner_model(info.annotation)
    return _model_fields(current)


def _empty(file: str, doc: YamlDocument, error: ErrorDetails, model: type[BaseModel]) -> Problem:
    """An empty text where a value is required: say so, and what the field holds."""
    path = tuple(error["loc"])
    line, column = doc.position(path) or (None, None)
    info = _fields_at(model, path[:-1]).get(str(path[-1]))
    described = " ".join(info.description.split()) if info and info.description else ""
    hint = f"Fill it in: {described}" if described else "Fill it in."  # one line, as every hint
    if error["type"] == "enum":
        hint += f" One of: {(error.get('ctx') or {}).get('expected', '')}."
    message = f"'{path[-1]}' is empty"
    return Problem(
        code=Rule.FIELD_MISSING,
        message=message,
        file=file,
        line=line,
        column=column,
        path=format_path(path),
        hint=hint,
    )


def _model_fields(model: Any) -> dict[str, Any]:
    is_model = isinstance(model, type) and issubclass(model, BaseModel)
    return dict(model.model_fields) if is_model else {}


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
