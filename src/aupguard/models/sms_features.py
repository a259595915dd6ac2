"""Features of one short message (SMS or chat) for the spam model: words and character n-grams."""

from __future__ import annotations

import html

from aupguard.models.tokens import words

TEXT_CHARS = 1_000  # an SMS is at most a few segments; longer chat text is cut here
NGRAMS = (3, 4, 5)


def sms_tokens(text: str, rule_names: tuple[str, ...] = ()) -> list[str]:
    """Word tokens, character n-grams (digits folded to 0) and shape tokens of `text`."""
    text = text[:TEXT_CHARS]
    if "&" in text:
        text = html.unescape(text)  # the UCI corpus and some gateways escape entities
    out = words(text, TEXT_CHARS)
    folded = " " + " ".join(text.lower().translate(_DIGITS).split()) + " "
    for n in NGRAMS:
        out.extend("c:" + folded[i : i + n] for i in range(len(folded) - n + 1))
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 10 and sum(c.isupper() for c in letters) > 0.5 * len(letters):
        out.append("m:shouting")
    out.append(f"m:len:{min(len(text) // 40, 5)}")
    out.extend("r:" + name for name in rule_names)
    return out


_DIGITS = str.maketrans("0123456789", "0000000000")
