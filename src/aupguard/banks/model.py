"""Banks in memory: exact digests and PDQ hashes to match, built from the store or a file."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

PDQ_MATCH_DISTANCE = 31  # Meta's recommended PDQ threshold (of 256 bits)
_HEX = re.compile(r"^[0-9a-f]+$")
LENGTHS = {"sha256": 64, "md5": 32, "pdq": 64}


class Purpose(enum.StrEnum):
    """What a bank holds, which decides the clause and the handling of a match."""

    CSAM = "csam"  # child sexual abuse material: legal hold, suspend, reporting duty
    TERROR = "terror"  # terrorist and violent extremist content (hash-sharing lists)
    IP = "ip"  # known infringing files


@dataclass(frozen=True, slots=True)
class BankEntry:
    bank: str
    purpose: Purpose
    algorithm: str  # sha256, md5, pdq
    value: str  # lower-case hex


@dataclass(frozen=True, slots=True)
class BankHit:
    entry: BankEntry
    distance: int = 0  # PDQ Hamming distance; 0 for exact digests


def check_value(algorithm: str, value: str) -> str:
    """The hex value normalised, or ValueError saying what is wrong."""
    v = value.strip().lower()
    if algorithm not in LENGTHS:
        raise ValueError(f"unknown algorithm {algorithm!r}; expected sha256, md5 or pdq")
    if len(v) != LENGTHS[algorithm] or not _HEX.match(v):
        raise ValueError(
            f"{algorithm} value must be {LENGTHS[algorithm]} hex digits, got {value!r}"
        )
    return v


class BankSnapshot:
    """Every entry of every bank; exact look-ups are dict hits, PDQ a bounded scan."""

    def __init__(self, entries: Iterable[BankEntry], version: int = 0) -> None:
        self.version = version
        self._exact: dict[tuple[str, str], list[BankEntry]] = {}
        self._pdq: list[tuple[int, BankEntry]] = []
        for e in entries:
            if e.algorithm == "pdq":
                self._pdq.append((int(e.value, 16), e))
            else:
                self._exact.setdefault((e.algorithm, e.value), []).append(e)

    def __len__(self) -> int:
        return sum(len(v) for v in self._exact.values()) + len(self._pdq)

    @property
    def has_pdq(self) -> bool:
        return bool(self._pdq)

    def match_digest(self, algorithm: str, value: str) -> tuple[BankHit, ...]:
        return tuple(BankHit(e) for e in self._exact.get((algorithm, value.lower()), ()))

    def match_pdq(self, value: str, max_distance: int = PDQ_MATCH_DISTANCE) -> tuple[BankHit, ...]:
        """Entries within `max_distance` bits; a linear scan of XOR popcounts (fast to ~10^5)."""
        probe = int(value, 16)
        hits = []
        for known, entry in self._pdq:
            d = (probe ^ known).bit_count()
            if d <= max_distance:
                hits.append(BankHit(entry, d))
        return tuple(sorted(hits, key=lambda h: h.distance))
