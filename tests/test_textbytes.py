"""A string column read as UTF-8 bytes finds what Python finds in each string: the characters
a rule picks, every text that is not NFC, each text's SHA-256."""

from __future__ import annotations

import hashlib
import sys
import unicodedata
from unittest import mock

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nkdata.release import textbytes
from nkdata.release.textbytes import Utf8
from nkdata.schema.characters import is_invisible

TRICKY = (
    "ab \n\t\r\x00\x1c\x7f\x85\xa0é’—€😀가각ᄀ\u1161\u11a8\u0301\u0316\u0344\u0958\u093c"
    "\u0b47\u0b3e\u0f73\u200b\u2003\u212b\ufeff\u3164\U000e0001\U0010fffd"
)
TEXTS = st.lists(st.none() | st.text(alphabet=TRICKY, max_size=12), max_size=8)


def column(texts: list[str | None], kind: pa.DataType) -> pa.Array:
    """``texts`` as a slice, so that the buffers start before the first value."""
    return pa.array(["before", *texts, "after"], kind)[1:-1]


@pytest.mark.parametrize("block", [1, 3, textbytes.BLOCK_BYTES])
@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
@given(texts=TEXTS)
def test_holding_picks_the_texts_with_a_character_the_rule_picks(
    texts: list[str | None], kind: pa.DataType, block: int
) -> None:
    with mock.patch.object(textbytes, "BLOCK_BYTES", block):
        found = Utf8.of(column(texts, kind)).holding(is_invisible).tolist()
    assert found == [text is not None and any(map(is_invisible, text)) for text in texts]


@pytest.mark.parametrize("block", [1, 3, textbytes.BLOCK_BYTES])
@given(texts=TEXTS)
def test_every_text_that_is_not_nfc_may_not_be(texts: list[str | None], block: int) -> None:
    with mock.patch.object(textbytes, "BLOCK_BYTES", block):
        maybe = Utf8.of(column(texts, pa.string())).maybe_not_nfc().tolist()
    for text, flagged in zip(texts, maybe, strict=True):
        assert flagged or text is None or unicodedata.is_normalized("NFC", text), ascii(text)


def test_usual_texts_are_nfc_without_a_python_string() -> None:
    texts = ["It’s 25,000 — the café’s “Señor” 😀 said.", "plain ASCII\n", "북한 인터넷", None]
    assert Utf8.of(pa.array(texts)).maybe_not_nfc().tolist() == [False] * 4
    odd = ["cafe\u0301", "가\u11a8", "\u212b", "x\u0316\u0301"]
    assert Utf8.of(pa.array(odd)).maybe_not_nfc().tolist() == [True] * 4


def test_no_ascii_character_ends_a_composition() -> None:
    """Why pairs ending in ASCII need no look: no canonical decomposition of two characters
    (what NFC composes back) ends in one, nor does a Hangul syllable."""
    endings = set()
    for code in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            endings.add(int(parts[1], 16))
    assert endings and min(endings) >= 0x80


@given(texts=TEXTS)
def test_sha256_is_the_hash_of_each_text(texts: list[str | None]) -> None:
    expected = [None if t is None else hashlib.sha256(t.encode()).hexdigest() for t in texts]
    assert Utf8.of(column(texts, pa.string())).sha256() == expected


def test_a_rule_that_picks_printable_ascii_is_refused() -> None:
    with pytest.raises(ValueError, match="printable ASCII"):
        Utf8.of(pa.array(["a"])).holding(str.isalpha)
