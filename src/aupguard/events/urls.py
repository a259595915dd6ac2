"""URLs in plain text: scheme URLs and www. hosts, with their offsets.

Candidates are found with str.find (C speed) and only then matched with a small
linear regex, so a long text with no URL costs almost nothing.
"""

from __future__ import annotations

import re

from aupguard.events.views import UrlRef

_TAIL = re.compile(r"""[^\s<>"'`{}|\\^\[\]]{2,2048}""")
_SCHEMES = ("https", "http", "ftp", "hxxps", "hxxp")  # hxxp: defanged links in reports
_TRAILING = ".,;:!?)]}'\""


def urls_in_text(text: str, part: str, limit: int = 2000) -> list[UrlRef]:
    found: list[tuple[int, str]] = []
    pos = text.find("://")
    while pos != -1 and len(found) < limit:
        start = pos
        while start > 0 and pos - start < 5 and text[start - 1].isalpha():
            start -= 1
        scheme = text[start:pos].lower()
        m = _TAIL.match(text, pos + 3)
        if m and scheme in _SCHEMES:
            found.append((start, text[start : m.end()].rstrip(_TRAILING)))
        pos = text.find("://", (m.end() if m else pos + 3))
    lowered = text.lower() if "www." in text or "WWW." in text else ""
    pos = lowered.find("www.")
    while pos != -1 and len(found) < limit:
        if pos == 0 or not (lowered[pos - 1].isalnum() or lowered[pos - 1] in "/.@-"):
            m = _TAIL.match(text, pos)
            if m:
                found.append((pos, "http://" + text[pos : m.end()].rstrip(_TRAILING)))
        pos = lowered.find("www.", pos + 4)
    found.sort()
    return [UrlRef(url=url, part=part, start=start) for start, url in found]
