"""Arrow arrays and scalars made from Python values without pyarrow's conversion.

pyarrow imports pandas, when it is installed, on its first conversion of a Python value
(``pa.scalar``, ``pa.array``, or a plain ``1`` passed to a compute function), to ask whether the
value is a pandas object. That costs a quarter of a second, a sixth of ``nkdata verify`` on a
large release, which needs only a few constants; these are built from their bytes instead.

>>> strings(["a", "bc"]).to_pylist()
['a', 'bc']
>>> integer(7).as_py()
7
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate

import pyarrow as pa


def strings(texts: Sequence[str]) -> pa.StringArray:
    """``texts`` as an Arrow string array."""
    data = [text.encode("utf-8") for text in texts]
    offsets = array("i", accumulate(map(len, data), initial=0))
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    return pa.Array.from_buffers(pa.string(), len(data), buffers)


def integer(value: int) -> pa.Int64Scalar:
    """``value`` as an Arrow 64-bit integer scalar."""
    return pa.Array.from_buffers(pa.int64(), 1, [None, pa.py_buffer(array("q", [value]))])[0]
