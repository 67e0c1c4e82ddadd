"""Read corpus YAML safely, keeping the line and column of every value.

PyYAML's loaders keep the last of two duplicate keys, resolve ``no`` to False and ``1.10`` to
1.1, expand aliases ("billion laughs") and build Python objects from tags. This reader walks
libyaml's event stream instead and builds plain values itself, so that:

- a duplicate key, an alias or anchor, an explicit tag or an absurd nesting depth is a problem;
- a character YAML forbids (a raw control character) is located by line and column, and an
  invisible one that YAML lets through (zero-width, bidi control, an escaped ``"\\e"``) is a
  problem of the value that holds it;
- plain scalars resolve by the YAML 1.2 core schema only: ``null``/``~``/empty, ``true``/``false``,
  decimal integers and decimal floats. ``no``, ``yes``, ``on``, ``2018-09-10`` stay strings;
- every value's position is known, keyed by its path, for error messages.

A file is read twice only when something is wrong with it. The first walk builds the values and
nothing else, bailing out on anything unusual; positions, duplicate keys and every other problem
come from a second, careful walk, made when the file bails out or when a later stage reports a
problem in it. Both walks resolve scalars with the same function, so they build the same values.

>>> doc = parse_yaml("a: no\\nb: [1, 1.10]\\n", "x.yaml")
>>> doc.data, doc.positions[("b", 1)]
({'a': 'no', 'b': [1, 1.1]}, (2, 8))
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import yaml

from nkdata.corpus.problems import Problem, Rule
from nkdata.corpus.text import problem_at
from nkdata.schema.characters import describe_char, first_invisible

try:  # libyaml is the floor this reader is measured against; fall back only where it is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - every wheel of PyYAML on PyPI ships libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]
MAX_DEPTH = 32

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_NUMBER_START = frozenset("0123456789+-.")
_MAYBE_TYPED = frozenset("~nNtTfF") | _NUMBER_START
"""First characters of every plain scalar that is not text (null, booleans, numbers)."""
_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class YamlDocument:
    """A parsed file: plain data, and the 1-based (line, column) of every value by path.

    Positions are found on first use (a second walk of the text); most files never need them.
    """

    __slots__ = ("_positions", "_text", "data", "problems")

    def __init__(
        self,
        data: Any,
        positions: dict[Path, tuple[int, int]] | None = None,
        problems: list[Problem] | None = None,
        text: str = "",
    ) -> None:
        self.data = data
        self.problems = problems or []
        """Problems that did not stop parsing (duplicate keys: the first value is kept)."""
        self._positions = positions
        self._text = text

    @property
    def positions(self) -> dict[Path, tuple[int, int]]:
        """Every value's position, keyed by its path."""
        if self._positions is None:
            careful = _careful(self._text, "")
            self._positions = careful.positions if isinstance(careful, YamlDocument) else {}
        return self._positions

    def position(self, path: Path) -> tuple[int, int] | None:
        """Position of ``path``, or of its nearest ancestor that has one."""
        positions = self.positions
        while True:
            found = positions.get(path)
            if found is not None or not path:
                return found
            path = path[:-1]


class YamlProblem(Exception):
    """Raised inside the walk; turned into a Problem by :func:`parse_yaml`."""

    def __init__(self, code: Rule, message: str, mark: Any, hint: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.mark, self.hint = code, message, mark, hint


def format_path(path: Path) -> str:
    """``("claims", 2, "quote")`` → ``claims[2].quote``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def parse_yaml(text: str, file: str) -> YamlDocument | Problem:
    """Parse one YAML document; return it, or the first problem that stops parsing.

    Duplicate keys do not stop parsing: each is recorded in ``problems`` of the document, so
    that the rest of the file is still checked.
    """
    try:
        return YamlDocument(_plain(_Loader(text).get_event), text=text)
    except (_Unusual, YamlProblem, yaml.YAMLError):
        return _careful(text, file)


def _careful(text: str, file: str) -> YamlDocument | Problem:
    """The careful walk: positions of every value, and every problem located."""
    events = yaml.parse(text, Loader=_Loader)
    try:
        return _Builder(events, file).document()
    except YamlProblem as exc:
        return _problem(file, exc.code, exc.message, exc.mark, exc.hint)
    except yaml.MarkedYAMLError as exc:
        message = (exc.problem or exc.context or "invalid YAML").strip()
        return _problem(
            file,
            Rule.YAML_SYNTAX,
            f"YAML syntax error: {message}",
            exc.problem_mark,
            "Check indentation and quoting on this line; quote text that contains ': ' or '#'.",
        )
    except yaml.reader.ReaderError as exc:
        return _forbidden_character(text, file, exc)
    except yaml.YAMLError as exc:
        return _problem(file, Rule.YAML_SYNTAX, f"YAML error: {exc}", None, "")


def _forbidden_character(text: str, file: str, exc: yaml.reader.ReaderError) -> Problem:
    """The first character YAML refuses, located in ``text`` (libyaml gives a byte offset)."""
    char = chr(exc.character)  # the reader stops at the first, so the first of its kind
    message = f"{describe_char(char)} is not allowed in a YAML file"
    return problem_at(text, text.find(char), Rule.TEXT_CONTROL_CHAR, message, file, _INVISIBLE_HINT)


_INVISIBLE_HINT = (
    "Remove it: corpus values hold no control, zero-width or other invisible characters."
)


def _problem(file: str, code: Rule, message: str, mark: Any, hint: str, path: str = "") -> Problem:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return Problem(
        code=code, message=message, file=file, line=line, column=column, path=path, hint=hint
    )


class _Builder:
    """Builds plain values from an event stream, one document only."""

    def __init__(self, events: Any, file: str) -> None:
        self._events = iter(events)
        self._file = file
        self._positions: dict[Path, tuple[int, int]] = {}
        self._problems: list[Problem] = []

    def _next(self) -> Any:
        return next(self._events)

    def document(self) -> YamlDocument:
        self._next()  # StreamStart
        event = self._next()
        if isinstance(event, yaml.StreamEndEvent):
            raise YamlProblem(
                Rule.YAML_EMPTY,
                "the file holds no YAML document",
                event.start_mark,
                "Fill in the file, or delete it if it is not needed.",
            )
        data = self._node(self._next(), (), 0)
        self._next()  # DocumentEnd
        event = self._next()
        if not isinstance(event, yaml.StreamEndEvent):
            raise YamlProblem(
                Rule.YAML_SYNTAX,
                "more than one YAML document in the file",
                event.start_mark,
                "Remove the '---' line: each corpus file holds one document.",
            )
        return YamlDocument(data, self._positions, self._problems)

    def _node(self, event: Any, path: Path, depth: int) -> Any:
        mark = event.start_mark
        self._positions[path] = (mark.line + 1, mark.column + 1)
        _refuse_anchor(event)
        if depth > MAX_DEPTH:
            raise YamlProblem(
                Rule.YAML_TOO_DEEP,
                f"nesting deeper than {MAX_DEPTH} levels",
                mark,
                "Corpus files nest a few levels deep; check the indentation.",
            )
        if isinstance(event, yaml.ScalarEvent):
            value = _scalar(event)
            if type(value) is float and not _holds_exactly(event.value, value):
                self._problems.append(
                    _problem(
                        self._file,
                        Rule.NUMBER_INEXACT,
                        f"{event.value} cannot be stored exactly: a 64-bit float holds it as "
                        f"{value!r}",
                        mark,
                        "Write the number with at most 15 significant digits, as the text gives "
                        "it scaled to the unit (0.25, 4000000, 1.5e9).",
                        format_path(path),
                    )
                )
            return self._text(value, event, path)
        self._check_tag(event)
        if isinstance(event, yaml.SequenceStartEvent):
            return self._sequence(path, depth)
        return self._mapping(path, depth)

    def _sequence(self, path: Path, depth: int) -> list[Any]:
        items: list[Any] = []
        while not isinstance(event := self._next(), yaml.SequenceEndEvent):
            items.append(self._node(event, (*path, len(items)), depth + 1))
        return items

    def _mapping(self, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while not isinstance(event := self._next(), yaml.MappingEndEvent):
            _refuse_anchor(event)
            if not isinstance(event, yaml.ScalarEvent):
                raise YamlProblem(
                    Rule.YAML_SYNTAX,
                    "a mapping key must be plain text",
                    event.start_mark,
                    "Keys are field names such as 'title' or 'claims'.",
                )
            _scalar(event)  # refuses a tagged key
            key = self._text(event.value, event, (*path, event.value))  # as written: `no`, `1.10`
            if key not in result:
                result[key] = self._node(self._next(), (*path, key), depth + 1)
                continue
            first = self._positions[(*path, key)]
            self._problems.append(
                _problem(
                    self._file,
                    Rule.YAML_DUPLICATE_KEY,
                    f"duplicate key '{key}' (first at line {first[0]})",
                    event.start_mark,
                    "Keep one of the two entries; YAML readers would silently drop one.",
                    format_path((*path, key)),
                )
            )
            # walk the duplicate's value for its own problems, its positions kept apart
            self._node(self._next(), (*path, key, "<duplicate>"), depth + 1)
        return result

    def _text(self, value: Any, event: Any, path: Path) -> Any:
        """``value``; an invisible character in it is recorded as a problem (parsing goes on)."""
        at = first_invisible(value) if isinstance(value, str) else None
        if at is not None:
            self._problems.append(
                _problem(
                    self._file,
                    Rule.TEXT_CONTROL_CHAR,
                    f"{describe_char(value[at])} at character {at + 1} of the value",
                    event.start_mark,
                    _INVISIBLE_HINT,
                    format_path(path),
                )
            )
        return value

    @staticmethod
    def _check_tag(event: Any) -> None:
        tag = event.tag
        if tag is not None and tag not in _CORE_TAGS and tag != "!":
            raise YamlProblem(
                Rule.YAML_TAG,
                f"explicit YAML tag {tag!r} is not allowed",
                event.start_mark,
                "Remove the tag: corpus values are plain text, numbers, lists and mappings.",
            )


def _refuse_anchor(event: Any) -> None:
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
        raise YamlProblem(
            Rule.YAML_ALIAS,
            "YAML anchors and aliases are not allowed",
            event.start_mark,
            "Write the value out in full where it is used.",
        )


class _Unusual(Exception):
    """Raised by the plain walk on anything it leaves to the careful walk."""


_SCALAR, _MAPPING, _SEQUENCE = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAPPING_END, _SEQUENCE_END = yaml.MappingEndEvent, yaml.SequenceEndEvent


def _plain(get: Any) -> Any:
    """The values of a well-formed document with no duplicate key, alias, anchor or tag."""
    get()  # StreamStart
    if type(get()) is not yaml.DocumentStartEvent:
        raise _Unusual
    data = _plain_node(get, get(), 0)
    get()  # DocumentEnd
    if type(get()) is not yaml.StreamEndEvent:
        raise _Unusual
    return data


def _plain_node(get: Any, event: Any, depth: int) -> Any:
    """One node of :func:`_plain`."""
    kind = type(event)
    if event.anchor is not None or depth > MAX_DEPTH:
        raise _Unusual
    if kind is _SCALAR:
        return _plain_scalar(event)
    if event.tag is not None and event.tag != "!":
        raise _Unusual
    if kind is _MAPPING:
        return _plain_mapping(get, depth)
    if kind is _SEQUENCE:
        items: list[Any] = []
        while type(item := get()) is not _SEQUENCE_END:
            items.append(_plain_node(get, item, depth + 1))
        return items
    raise _Unusual  # an alias


def _plain_mapping(get: Any, depth: int) -> dict[str, Any]:
    """The hot loop of reading a corpus, hence written out flat: most values are plain text."""
    result: dict[str, Any] = {}
    while type(key := get()) is not _MAPPING_END:
        if type(key) is not _SCALAR or key.anchor is not None or key.tag is not None:
            raise _Unusual
        name = key.value  # as written: `no`, `1.10`
        if not name or name[0] in _MAYBE_TYPED:
            _scalar(key)  # refuses what the careful walk refuses in a key (a number too long)
        if name in result or (not name.isprintable() and first_invisible(name) is not None):
            raise _Unusual
        value = get()
        if type(value) is not _SCALAR or value.anchor is not None or depth >= MAX_DEPTH:
            result[name] = _plain_node(get, value, depth + 1)
            continue
        text = value.value
        plain = value.tag is None and text and text[0] not in _MAYBE_TYPED
        result[name] = text if plain and text.isprintable() else _plain_scalar(value)
    return result


def _plain_scalar(event: Any) -> Any:
    """A scalar's value; text with an invisible character, or a number that a float cannot hold
    as written, is left to the careful walk."""
    value = _scalar(event)
    if type(value) is str and not value.isprintable() and first_invisible(value) is not None:
        raise _Unusual
    if type(value) is float and not _holds_exactly(event.value, value):
        raise _Unusual
    return value


def _holds_exactly(text: str, number: float) -> bool:
    """Whether the float read from ``text`` is the number written: its shortest form names the
    same decimal. Infinity and NaN are the models' to refuse.

    >>> _holds_exactly("0.1", 0.1), _holds_exactly("1e-400", 0.0)
    (True, False)
    """
    if len(text) <= 16 and "e" not in text and "E" not in text:
        return True  # at most 15 digits between 1e-15 and 1e15: a float round-trips them
    return not math.isfinite(number) or Decimal(repr(number)) == Decimal(text)


def _scalar(event: Any) -> Any:
    """Resolve a scalar by the YAML 1.2 core schema; quoted and tagged-!!str scalars stay text."""
    value: str = event.value
    if event.tag is None and value and value[0] not in _MAYBE_TYPED:
        return value  # plain or quoted text: the common case, decided by one character
    if event.tag is not None and event.tag != "!":
        if event.tag == "tag:yaml.org,2002:str":
            return value
        raise YamlProblem(
            Rule.YAML_TAG,
            f"explicit YAML tag {event.tag!r} is not allowed",
            event.start_mark,
            "Remove the tag; quote the value if it must stay text.",
        )
    if not event.implicit[0]:  # quoted or block scalar: always text
        return value
    if value[:1] in _NUMBER_START:
        if _INT.match(value):
            try:
                return int(value)
            except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
                raise YamlProblem(
                    Rule.FIELD_VALUE,
                    f"a number of {len(value.lstrip('+-'))} digits is out of range",
                    event.start_mark,
                    "Write the number as the text gives it, scaled to the unit: 4000000.",
                ) from None
        if _FLOAT.match(value) or _SPECIAL_FLOAT.match(value):
            return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
        return value
    if _NULL.match(value):
        return None
    return _BOOL.get(value, value)
