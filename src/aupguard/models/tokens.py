"""Word tokens shared by the spam featurizers: one lowercase pass, digits folded to 0.

A token is a run of letters and digits (cut into pieces of at most 30 characters, so one
long run cannot make a huge token) or one of the symbols that carry meaning in spam
($, £, €, !, %). Every digit becomes 0: numbers keep their shape ("$" "000" "00000000000"),
not their value, so prices, phone numbers and dates generalise.

Most text is ASCII; for it the tokens come from `bytes.translate` and `split` (a table
look-up per byte, no regex): about half the cost of the regex, which the rest still takes
(the floor is making one string object per token).
Both paths give the same tokens for the same text (tests/models/test_tokens.py); the
models are bags of words, so only how many of each token there are matters, not order.
"""

from __future__ import annotations

import re

MAX_TOKEN = 30
_TOKEN = re.compile(r"[^\W_]{1,30}|[$£€!%]")
_DIGIT = re.compile(r"[0-9]")
_KEPT = b"abcdefghijklmnopqrstuvwxyz0123456789"
# Bytes: letters kept, digits folded, everything else (the symbols too) a separator.
_ASCII = bytes(0x30 if 0x30 <= b <= 0x39 else b if b in _KEPT else 0x20 for b in range(256))
_SYMBOLS = ("$", "!", "%")  # the ASCII ones; £ and € take the regex path


def words(text: str, limit: int) -> list[str]:
    """Lowercased tokens of the first `limit` characters, digits folded to 0."""
    low = text[:limit].lower()
    if not low.isascii():
        return _TOKEN.findall(_DIGIT.sub("0", low))
    out = low.encode("ascii").translate(_ASCII).decode("ascii").split()
    if out and max(map(len, out)) > MAX_TOKEN:  # a run to cut into pieces: rare
        return _TOKEN.findall(_DIGIT.sub("0", low))
    for symbol in _SYMBOLS:
        n = low.count(symbol)
        if n:
            out.extend((symbol,) * n)
    return out
