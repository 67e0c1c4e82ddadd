"""The character rule of every text nkdata keeps, and how untrusted text is shown safely.

Corpus texts and values, release cells and everything a command prints come through here:

- :func:`is_invisible` is the one definition of a character no text may hold (the corpus
  reader, ``nkdata verify`` and the loaders all ask it);
- :func:`escaped` is how a message shows text that came from outside (a file name, a value, a
  descriptor field, an HTTP header), so that it can neither drive a terminal nor forge a line of
  a CI log.

>>> is_invisible("\\u200b"), is_invisible("\\u3164"), is_invisible("\\u00e9")
(True, True, False)
>>> escaped("v1\\n::error ::forged\\x1b[2J")
'v1\\\\u000a::error ::forged\\\\u001b[2J'
"""

from __future__ import annotations

import functools
import unicodedata

_ALLOWED_CONTROLS = frozenset("\n\t")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})
BLANK_LOOKALIKES = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0")
"""Characters of visible categories that render as nothing: COMBINING GRAPHEME JOINER, the
Hangul fillers (choseong, jungseong, letter, halfwidth) and BRAILLE PATTERN BLANK. They are
used to fake empty or look-alike names, and no news text needs them."""


def is_noncharacter(char: str) -> bool:
    """U+FDD0..U+FDEF and the last two code points of every plane (U+FFFE, U+1FFFF, ...)."""
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


@functools.cache
def is_invisible(char: str) -> bool:
    """Control, format (zero-width, bidi), private-use, line/paragraph separators, blank
    look-alikes and noncharacters; LF and TAB are allowed."""
    if char in _ALLOWED_CONTROLS:
        return False
    return (
        unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or char in BLANK_LOOKALIKES
        or is_noncharacter(char)
    )


def first_invisible(text: str) -> int | None:
    """Offset of the first invisible character of ``text``, or None.

    >>> first_invisible("zero\\u200bwidth"), first_invisible("a\\u00a0b\\n")
    (4, None)
    >>> first_invisible("\\u3164")
    0
    """
    if text.isprintable() and not any(char in text for char in BLANK_LOOKALIKES):
        return None  # fast path: no control, format, private, separator or blank character
    return next((at for at, char in enumerate(text) if is_invisible(char)), None)


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds an invisible character: a few passes in C for the usual text
    (printable but for its line breaks and tabs), a look at each distinct character otherwise."""
    if text.replace("\n", "").replace("\t", "").isprintable():
        return any(char in text for char in BLANK_LOOKALIKES)
    return any(is_invisible(char) for char in set(text))


def describe_char(char: str) -> str:
    """``invisible character U+200B (ZERO WIDTH SPACE)`` or ``control character U+001B``."""
    if unicodedata.category(char) == "Cc":
        return f"control character U+{ord(char):04X}"
    return f"invisible character U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')})"


def escaped(text: str) -> str:
    """``text`` with line breaks, invisible characters and undecodable bytes (a file name's
    lone surrogates) written as ``\\uXXXX`` escapes, valid in JSON too: safe to print."""
    if text.isprintable() and not any(char in text for char in BLANK_LOOKALIKES):
        return text
    return "".join(
        _escape_char(char) if char == "\n" or is_invisible(char) else char for char in text
    )


def _escape_char(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON spells it
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"
