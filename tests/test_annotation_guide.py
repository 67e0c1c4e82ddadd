"""docs/annotation.md quotes the controlled vocabularies: a new or reworded member must reach it."""

from __future__ import annotations

import pytest

from nkdata.schema.vocab import (
    ClaimMode,
    DateBasis,
    Documented,
    ExclusionReason,
    Framing,
    NonBodyKind,
    Qualifier,
    Topic,
)
from tests.conftest import REPO

GUIDE = REPO / "docs" / "annotation.md"


@pytest.mark.parametrize(
    "vocabulary", [ClaimMode, Framing, Topic, Qualifier, DateBasis, NonBodyKind, ExclusionReason]
)
def test_guide_tables_quote_every_member_and_its_meaning(vocabulary: type[Documented]) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    missing = [
        value
        for value, meaning in vocabulary.meanings().items()
        if f"| `{value}` | {meaning} |" not in text
    ]
    assert not missing, f"docs/annotation.md lacks the {vocabulary.__name__} rows of {missing}"
