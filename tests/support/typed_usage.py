"""How a user's code reads with nkdata: checked with ``mypy --strict`` by tests/test_loading.py.

``assert_type`` fails type checking when nkdata's annotations drift from the model types.
"""

from __future__ import annotations

from datetime import date
from typing import assert_type

import pyarrow as pa

import nkdata
from nkdata.models import Article, Claim, Figure, Quantity, Source


def main() -> dict[str, int]:
    data = nkdata.load()
    assert_type(data, nkdata.Dataset)
    assert_type(data.claims, nkdata.Table[Claim])

    published: list[date] = [article.published for article in data.articles]
    assert_type(next(iter(data.articles)), Article)
    assert_type(data.sources["gideon-rachman"], Source)
    assert_type(data.quantities.get("no-such-quantity"), Quantity | None)
    largest = max((f for f in data.figures if f.value is not None), key=lambda f: f.value or 0.0)
    assert_type(largest, Figure)
    table = data.claims.to_arrow()
    assert isinstance(table, pa.Table)
    by_source: dict[str, int] = {}
    for claim in data.claims:
        by_source[claim.source_id] = by_source.get(claim.source_id, 0) + 1
    return {"articles": len(published), "sources": len(by_source)}


if __name__ == "__main__":
    print(main())
