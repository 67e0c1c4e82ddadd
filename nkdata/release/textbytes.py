"""A string column read as its UTF-8 bytes, with numpy: what the texts of a large column hold,
without a Python string per value.

The rules stay the ones written for Python strings: :meth:`Utf8.holding` asks a rule about
each distinct character found (once), :meth:`Utf8.maybe_not_nfc` asks
:mod:`unicodedata` about each distinct character and pair of neighbours, and only the values
they pick need their Python string. Only the bytes beyond printable ASCII are looked at one by
one, found a block at a time (see :data:`BLOCK_BYTES`).

>>> import pyarrow as pa
>>> texts = Utf8.of(pa.array(["plain", "zero\\u200bwidth", None, "cafe\\u0301"]))
>>> texts.holding(lambda char: char == "\\u200b").tolist()
[False, True, False, False]
>>> texts.maybe_not_nfc().tolist()
[False, False, False, True]
>>> texts.sha256()[0]
'a116c9ed46d6207734a43317d30fd88f52ac8634c37d904bbf4e41d865f90475'
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nkdata.schema.arrow import boolean

if TYPE_CHECKING:
    from numpy.typing import NDArray

Values: TypeAlias = pa.Array | pa.ChunkedArray

BLOCK_BYTES = 1 << 20
"""Bytes scanned at once: the temporary arrays of a block are reused from one block to the
next (fresh memory costs a page fault a page), and a few large calls let other threads run
between them (many small ones would each wait for the GIL)."""
_CODE_POINTS = 0x110000


@dataclass(frozen=True, eq=False)
class Utf8:
    """A string column's bytes: value ``i`` is ``data[bounds[i]:bounds[i + 1]]`` where
    ``valid[i]`` (a null value's bytes, if any, are ignored)."""

    bounds: NDArray[np.int64]
    data: NDArray[np.uint8]
    valid: NDArray[np.bool_]

    @classmethod
    def of(cls, column: Values) -> Utf8:
        array = one_chunk(column)
        _, offsets, data = array.buffers()
        width = np.int64 if pa.types.is_large_string(array.type) else np.int32
        start = array.offset
        bounds = np.frombuffer(offsets, width)[start : start + len(array) + 1].astype(np.int64)
        return cls(
            bounds if len(bounds) else np.zeros(1, np.int64),
            np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8),
            mask(pc.is_valid(array)),
        )

    def __len__(self) -> int:
        return len(self.valid)

    def scan(self, chosen: Callable[[NDArray[np.uint8]], NDArray[np.bool_]]) -> NDArray[np.int64]:
        """Positions of the values' bytes for which ``chosen`` (given a block) is true."""
        found = [np.zeros(0, np.int64)]
        first, last = int(self.bounds[0]), int(self.bounds[-1])
        for block in range(first, last, BLOCK_BYTES):
            hits = np.flatnonzero(chosen(self.data[block : min(block + BLOCK_BYTES, last)]))
            if len(hits):
                found.append(hits + block)
        return np.concatenate(found)

    @cached_property
    def unusual(self) -> NDArray[np.int64]:
        """Where the bytes other than printable ASCII are: controls, DEL, and every byte of a
        character beyond ASCII (one pass, usually over few bytes)."""
        return self.scan(lambda block: block - np.uint8(0x20) >= np.uint8(0x5F))

    @cached_property
    def beyond_ascii(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Where each character beyond ASCII starts (its lead byte), and its code point."""
        at = self.unusual[self.data[self.unusual] >= 0xC0]
        return at, self.code_points(at)

    def code_points(self, at: NDArray[np.int64]) -> NDArray[np.int64]:
        """The code points of the characters starting at ``at``."""
        lead = self.data[at].astype(np.int64)
        size = 1 + (lead >= 0xC0) + (lead >= 0xE0) + (lead >= 0xF0)
        point: NDArray[np.int64] = lead & np.array([0x7F, 0x1F, 0x0F, 0x07])[size - 1]
        for extra in (1, 2, 3):
            follow = self.data[np.minimum(at + extra, len(self.data) - 1)].astype(np.int64)
            point = np.where(size > extra, (point << 6) | (follow & 0x3F), point)
        return point

    def rows(self, at: NDArray[np.int64]) -> NDArray[np.bool_]:
        """True for each valid value holding one of the bytes at ``at``."""
        found = np.zeros(len(self), np.bool_)
        found[np.searchsorted(self.bounds, at, side="right") - 1] = True
        return found & self.valid

    def holding(self, rule: Callable[[str], bool]) -> NDArray[np.bool_]:
        """True for each value holding a character for which ``rule`` is true, asked once per
        distinct character. ``rule`` must be false for printable ASCII (space to ``~``): only
        the other bytes are looked at."""
        at = self.unusual[_ascii_picks(rule)[self.data[self.unusual]]]
        beyond, points = self.beyond_ascii
        picked = _picked(points, lambda point: point >= _CODE_POINTS or rule(chr(point)))
        return self.rows(np.concatenate((at, beyond[picked])))

    def maybe_not_nfc(self) -> NDArray[np.bool_]:
        """True for each value that may not be NFC; false only for those that are.

        A text is NFC if each of its characters is on its own, with combining class 0, and
        each pair of neighbours is NFC: its characters are then starters whose decompositions
        begin with a starter, so that only neighbours can compose. ASCII is NFC, and never the
        second of a composition, so only pairs ending beyond ASCII are asked about.
        """
        at, points = self.beyond_ascii
        before = self._previous(at)
        pairs = np.where(before >= 0, before * _CODE_POINTS + points, -1)
        alone = _picked(points, lambda point: not _nfc_starter(point))
        paired = _picked(pairs, lambda pair: pair >= 0 and not _nfc_pair(pair))
        return self.rows(at[alone | paired])

    def _previous(self, at: NDArray[np.int64]) -> NDArray[np.int64]:
        """The code point before each character beyond ASCII in its value (-1 for a value's
        first character): an ASCII byte, or else the character beyond ASCII before it."""
        points = self.beyond_ascii[1]
        first = self.bounds[np.searchsorted(self.bounds, at)] == at
        byte = self.data[np.maximum(at - 1, 0)].astype(np.int64)
        before = np.where(byte < 0x80, byte, np.concatenate(([-1], points[:-1])))
        return np.where(first, -1, before)

    def sha256(self) -> list[str | None]:
        """Each value's SHA-256, hashed from the bytes Arrow holds (None for a null)."""
        bounds, data, valid = self.bounds.tolist(), self.data.data, self.valid.tolist()
        return [
            hashlib.sha256(data[bounds[row] : bounds[row + 1]]).hexdigest() if valid[row] else None
            for row in range(len(valid))
        ]


@functools.cache
def _ascii_picks(rule: Callable[[str], bool]) -> NDArray[np.bool_]:
    """For each byte, whether it is an ASCII character ``rule`` picks (asked once a rule)."""
    if any(rule(chr(code)) for code in range(0x20, 0x7F)):
        raise ValueError("the rule holds for a printable ASCII character")
    return np.array([rule(chr(code)) for code in range(0x80)] + [False] * 0x80)


def _picked(values: NDArray[np.int64], test: Callable[[int], bool]) -> NDArray[np.bool_]:
    """True for each value ``test`` picks, asked once per distinct value (with Arrow: numpy's
    ``unique`` imports ``numpy.ma``, 50 ms)."""
    column = _int64(values)
    chosen = [value for value in pc.unique(column).to_pylist() if test(value)]
    return mask(pc.is_in(column, value_set=_int64(np.array(chosen, np.int64))))


def _int64(values: NDArray[np.int64]) -> pa.Array:
    contiguous = np.ascontiguousarray(values, np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(contiguous)])


def _nfc_starter(point: int) -> bool:
    """A character that is NFC on its own, with combining class 0 (code points beyond
    Unicode, from bytes that are not UTF-8, are not)."""
    if point >= _CODE_POINTS:
        return False
    return unicodedata.combining(chr(point)) == 0 and unicodedata.is_normalized("NFC", chr(point))


def _nfc_pair(pair: int) -> bool:
    """Two neighbours, ``first * 0x110000 + second``, that are NFC together."""
    first, second = divmod(pair, _CODE_POINTS)
    if max(first, second) >= _CODE_POINTS:
        return False
    return unicodedata.is_normalized("NFC", chr(first) + chr(second))


def one_chunk(column: Values) -> pa.Array:
    """The column as one array (a single chunk is not copied; combining none would import
    pandas)."""
    if not isinstance(column, pa.ChunkedArray):
        return column
    if column.num_chunks <= 1:
        return column.chunk(0) if column.num_chunks else pa.nulls(0, column.type)
    return column.combine_chunks()


def mask(values: Values) -> NDArray[np.bool_]:
    """An Arrow boolean column as numpy (nulls false), from its bits: ``to_numpy`` would
    import pandas."""
    array = one_chunk(pc.fill_null(values, boolean(False)))
    if not len(array):
        return np.zeros(0, np.bool_)
    bits = np.frombuffer(array.buffers()[1], np.uint8)
    every = np.unpackbits(bits, count=array.offset + len(array), bitorder="little")
    return every[array.offset :].astype(np.bool_)


def booleans(values: NDArray[np.bool_]) -> pa.BooleanArray:
    """A numpy mask as Arrow, from its bits (``pa.array`` would import pandas)."""
    bits = pa.py_buffer(np.packbits(values, bitorder="little"))
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, bits])
