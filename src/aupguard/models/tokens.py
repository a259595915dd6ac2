"""Word tokens shared by the spam featurizers: one lowercase pass, one linear regex."""

from __future__ import annotations

import re

# Letters/digits runs (cut at 30 so one long run cannot make a huge token) and a few
# symbols that carry meaning in spam ($, £, €, !, %).
_TOKEN = re.compile(r"[^\W_]{1,30}|[$£€!%]")


def words(text: str, limit: int) -> list[str]:
    """Lowercased tokens of the first `limit` characters; long numbers become their shape."""
    out = _TOKEN.findall(text[:limit].lower())
    return [_shape(t) if len(t) > 3 and t[0].isdigit() else t for t in out]


def _shape(token: str) -> str:
    if token.isdigit():
        return "#" + str(min(len(token), 12))
    return "#" + "".join("d" if c.isdigit() else "a" for c in token[:8])
