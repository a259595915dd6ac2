"""Address fields to (name, address) pairs quickly: plain forms by hand, the rest by the stdlib."""

from __future__ import annotations

import email.utils
from collections.abc import Iterable

_HARD = frozenset('"(),;:\\[]')  # quoting, comments, groups: leave those to email.utils


def parse_address(value: str) -> tuple[str, str]:
    """email.utils.parseaddr, with a fast path for the plain `Name <a@b>` and `a@b` forms."""
    if not _HARD.intersection(value) and value.count("<") <= 1 and value.count("@") == 1:
        lt = value.find("<")
        if lt < 0 and " " not in value.strip():
            return "", value.strip()
        gt = value.find(">", lt)
        if lt >= 0 and gt == len(value.rstrip()) - 1 and " " not in value[lt:gt]:
            return " ".join(value[:lt].split()), value[lt + 1 : gt]
    return email.utils.parseaddr(value)


def addresses(values: Iterable[str], limit: int = 1000) -> list[str]:
    """The addresses in address-list fields (To, Cc), at most `limit`."""
    out: list[str] = []
    for value in values:
        if '"' in value or "(" in value or ";" in value or "\\" in value:
            out.extend(a for _, a in email.utils.getaddresses([value]) if a)
        else:
            out.extend(a for part in value.split(",") if (a := parse_address(part)[1]))
        if len(out) >= limit:
            break
    return out[:limit]
