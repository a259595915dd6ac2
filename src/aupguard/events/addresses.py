"""Address fields to (name, address) pairs quickly: plain forms by hand, the rest by the stdlib.

The hand-written paths take only the forms whose stdlib result is obvious (`a@b`,
`Name <a@b>`, `"Quoted Name" <a@b>` and lists of those) and give exactly what
`email.utils` gives for them (tests/events/test_addresses.py compares both on every
address field of the corpora); comments, groups, escapes and anything odd go to the stdlib.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterable

_HARD = frozenset('"(),;:\\[]')  # quoting, comments, groups: leave those to email.utils
_LIST_HARD = frozenset("();:\\[]")


def parse_address(value: str) -> tuple[str, str]:
    """email.utils.parseaddr, with fast paths for the plain and quoted-name forms."""
    if not _HARD.intersection(value):
        plain = _plain(value)
        if plain is not None:
            return plain
    elif value.lstrip().startswith('"') and "\\" not in value:
        quoted = _quoted(value)
        if quoted is not None:
            return quoted
    return email.utils.parseaddr(value)


def _plain(value: str) -> tuple[str, str] | None:
    """`a@b` or `Name <a@b>` (no special characters at all), else None."""
    if value.count("<") > 1 or value.count("@") != 1:
        return None
    lt = value.find("<")
    if lt < 0:
        return ("", value.strip()) if " " not in value.strip() else None
    gt = value.find(">", lt)
    if gt == len(value.rstrip()) - 1 and " " not in value[lt:gt]:
        return " ".join(value[:lt].split()), value[lt + 1 : gt]
    return None


def _quoted(value: str) -> tuple[str, str] | None:
    """`"Any name" <a@b>` (no escapes), else None."""
    start = value.find('"')
    end = value.find('"', start + 1)
    if end < 0:
        return None
    rest = value[end + 1 :].strip()
    if (
        rest.startswith("<")
        and rest.endswith(">")
        and rest.count("<") == 1
        and rest.count(">") == 1
        and rest.count("@") == 1
        and " " not in rest
        and not _HARD.intersection(rest)
    ):
        return value[start + 1 : end], rest[1:-1]
    return None


def addresses(values: Iterable[str], limit: int = 1000) -> list[str]:
    """The addresses in address-list fields (To, Cc), at most `limit`."""
    out: list[str] = []
    for value in values:
        found = _fast_list(value)
        if found is None:
            out.extend(a for _, a in email.utils.getaddresses([value]) if a)
        else:
            out.extend(found)
        if len(out) >= limit:
            break
    return out[:limit]


def _fast_list(value: str) -> list[str] | None:
    """The addresses of a list whose every member has a fast form, else None."""
    pieces = _split_list(value)
    if pieces is None:
        return None
    out: list[str] = []
    for piece in pieces:
        if not piece.strip():
            continue
        pair = _quoted(piece) if '"' in piece else _plain(piece)
        if pair is None:
            return None
        if pair[1]:
            out.append(pair[1])
    return out


def _split_list(value: str) -> list[str] | None:
    """The comma-separated members of a list, commas inside quotes kept; None for forms
    left to the stdlib (comments, groups, escapes, routes, an unclosed quote)."""
    if not _LIST_HARD.isdisjoint(value):
        return None
    if '"' not in value:
        return value.split(",")
    segments = value.split('"')
    if len(segments) % 2 == 0:
        return None  # an odd number of quotes
    out: list[str] = []
    current: list[str] = []
    for i, segment in enumerate(segments):
        if i % 2:
            current.append(f'"{segment}"')
            continue
        first, *others = segment.split(",")
        current.append(first)
        for other in others:
            out.append("".join(current))
            current = [other]
    out.append("".join(current))
    return out
