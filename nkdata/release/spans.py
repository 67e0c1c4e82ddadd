"""Whether each row's text is the span of an article text at its offsets, for whole columns.

A claim's quote is ``text[quote_start:quote_end]`` and a figure's text ``text[text_start:
text_end]`` (offsets in code points). Slicing each text in Python costs a Python string per
row; here the offsets become byte offsets into the texts' UTF-8 buffer (a text's code point
``c`` starts ``c`` bytes in plus the continuation bytes before it), the spans are gathered from
that buffer with numpy in batches of bounded size, and Arrow compares them with the rows'
values, row by row.

>>> import pyarrow as pa
>>> texts = TextSpans(pa.array(["Señor Kim said 25,000.", "ok"]))
>>> differ = texts.differ(pa.array([0, 0, 1]), pa.array([15, 0, 0]), pa.array([21, 5, 3]),
...                       pa.array(["25,000", "Señor", "ok!"]))
>>> differ.to_pylist()
[False, False, True]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nkdata.release.textbytes import Utf8, Values, booleans, mask, one_chunk
from nkdata.schema.arrow import boolean, integer

if TYPE_CHECKING:
    from numpy.typing import NDArray

BATCH_BYTES = 1 << 18
"""Bytes of spans gathered at once: bounds the index arrays (8 bytes a byte) to 2 MiB, which
memory already touched can hold (fresh pages cost a fault each)."""


class TextSpans:
    """A column of texts (nulls allowed), prepared once to check the spans of many rows."""

    def __init__(self, texts: Values) -> None:
        self.utf8 = Utf8.of(texts)
        self.lengths = _numbers(pc.utf8_length(one_chunk(texts)))[0]
        data, unusual = self.utf8.data, self.utf8.unusual
        continuation = unusual[(data[unusual] & 0xC0) == 0x80]
        self.keys = continuation - np.arange(len(continuation))
        """For a global code point g, its byte is g + (keys <= g).sum()."""
        starts = self.utf8.bounds[:-1]
        self.first = starts - np.searchsorted(continuation, starts)
        """The global code point (counted from the buffer's start) that starts each text."""

    def differ(self, owner: Values, start: Values, end: Values, part: Values) -> pa.BooleanArray:
        """True for each row whose ``part`` is not ``texts[owner][start:end]`` with ``0 <= start
        <= end <= len(text)``. False where the owner is null (an unknown article), its text is
        null, or the row lacks a value: those are other rules' problems."""
        (at, known), (begin, has_begin), (stop, has_stop) = map(_numbers, (owner, start, end))
        known &= has_begin & has_stop & mask(pc.is_valid(one_chunk(part)))
        if not len(self.utf8.valid):
            return booleans(known & False)
        known[known] &= self.utf8.valid[at[known]]
        at = np.where(known, at, 0)
        inside = known & (begin >= 0) & (begin <= stop) & (stop <= self.lengths[at])
        first = self.position(at, np.where(inside, begin, 0))
        sizes = np.where(inside, self.position(at, np.where(inside, stop, 0)) - first, 0)
        same = _equal(self.utf8.data, first, sizes, one_chunk(part).cast(pa.large_binary()))
        return booleans(known & ~(inside & same))

    def position(self, text: NDArray[np.int64], offset: NDArray[np.int64]) -> NDArray[np.int64]:
        """The byte in the buffer where code point ``offset`` of text ``text`` starts."""
        code_point = self.first[text] + offset
        return code_point + np.searchsorted(self.keys, code_point, side="right")


def _numbers(column: Values) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Values (0 where null) and validity of an integer column."""
    array = one_chunk(column)
    values = pc.fill_null(array.cast(pa.int64()), integer(0))
    if not len(values):
        return np.zeros(0, np.int64), np.zeros(0, np.bool_)
    numbers = np.frombuffer(values.buffers()[1], np.int64)
    return numbers[values.offset : values.offset + len(values)], mask(pc.is_valid(array))


def _equal(
    data: NDArray[np.uint8], begin: NDArray[np.int64], sizes: NDArray[np.int64], part: pa.Array
) -> NDArray[np.bool_]:
    """Whether ``data[begin:begin + size]`` equals ``part``, row by row, in batches."""
    same = np.zeros(len(part), np.bool_)
    ends = np.cumsum(sizes)
    row = 0
    while row < len(part):
        limit = ends[row] - sizes[row] + BATCH_BYTES
        last = max(row + 1, int(np.searchsorted(ends, limit, side="right")))
        chunk = slice(row, last)
        offsets = np.concatenate(([0], np.cumsum(sizes[chunk])))
        within = np.arange(offsets[-1]) - np.repeat(offsets[:-1], sizes[chunk])
        gathered = data[np.repeat(begin[chunk], sizes[chunk]) + within]
        spans = pa.Array.from_buffers(
            pa.large_binary(),
            last - row,
            [None, pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(gathered)],
        )
        equal = pc.fill_null(pc.equal(spans, part[row:last]), boolean(False))
        same[chunk] = mask(equal)
        row = last
    return same
