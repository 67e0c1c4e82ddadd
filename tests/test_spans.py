"""The vectorised span check agrees with slicing each text in Python, whatever the texts hold."""

from __future__ import annotations

from unittest import mock

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nkdata.release import spans
from nkdata.release.spans import TextSpans

TEXT = st.text(alphabet="ab é€😀\n,’", max_size=30)


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[str | None], list[tuple[object, ...]]]:
    texts = draw(st.lists(st.none() | TEXT, max_size=4))
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        owner = draw(st.none() | st.integers(0, len(texts) - 1)) if texts else None
        text = texts[owner] if owner is not None else None
        size = len(text) if text else 5
        start = draw(st.none() | st.integers(-1, size + 1))
        end = draw(st.none() | st.integers(-1, size + 1))
        sliceable = text is not None and start is not None and end is not None
        if sliceable and 0 <= start <= end <= len(text) and draw(st.booleans()):
            part = text[start:end]  # type: ignore[index]
        else:
            part = draw(st.none() | st.sampled_from(["", "a", "é", "ab", "’"]))
        rows.append((owner, start, end, part))
    return texts, rows


def expected(texts: list[str | None], row: tuple[object, ...]) -> bool:
    owner, start, end, part = row
    text = texts[owner] if isinstance(owner, int) else None
    if text is None or start is None or end is None or part is None:
        return False
    assert isinstance(start, int) and isinstance(end, int)
    return not (0 <= start <= end <= len(text) and text[start:end] == part)


@pytest.mark.parametrize("batch", [1, 7, spans.BATCH_BYTES])
@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
@given(case=cases())
def test_spans_differ_where_python_slicing_does(
    case: tuple[list[str | None], list[tuple[object, ...]]],
    batch: int,
    kind: pa.DataType,
) -> None:
    texts, rows = case
    column = pa.array(["offset", *texts], kind)[1:]  # a slice: the buffers start earlier
    owner, start, end, part = ([row[i] for row in rows] for i in range(4))
    with mock.patch.object(spans, "BATCH_BYTES", batch):  # spans gathered in several batches
        found = TextSpans(column).differ(
            pa.array(owner, pa.int32()),
            pa.array(start, pa.int64()),
            pa.array(end, pa.int64()),
            pa.array(part, pa.string()),
        )
    assert found.to_pylist() == [expected(texts, row) for row in rows]
