"""Whole-word phrase look-ups (brand names in display names): words, then n-gram dict hits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
MAX_CHARS = 1_000  # display names and sender IDs are short; longer input is cut here

# Letters people swap in to dodge a plain match: Cyrillic and Greek look-alikes of Latin.
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ѕ": "s", "і": "i", "ј": "j", "к": "k", "м": "m",
        "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ԁ": "d",
        "ӏ": "l", "ԛ": "q", "ԝ": "w", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k",
        "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    }
)  # fmt: skip
# Runs of letters or digits, with & or ' allowed inside (AT&T, Macy's); linear-time.
_WORD = re.compile(r"[^\W_]+(?:[&'][^\W_]+)*")


def words(text: str) -> list[str]:
    """Case-folded words with compatibility forms and look-alike letters folded."""
    folded = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold()
    return _WORD.findall(folded.translate(_CONFUSABLES))


@dataclass(frozen=True, slots=True)
class PhraseHit(Generic[T]):
    start: int  # index of the first word
    end: int  # index after the last word
    value: T


class PhraseIndex(Generic[T]):
    """Phrases (as word tuples) to values; `find` costs O(words x longest phrase)."""

    def __init__(self, items: Iterable[tuple[str, T]]) -> None:
        self._map: dict[tuple[str, ...], list[T]] = {}
        self._longest = 1
        for phrase, value in items:
            key = tuple(words(phrase))
            if key:
                values = self._map.setdefault(key, [])
                if value not in values:
                    values.append(value)
                self._longest = max(self._longest, len(key))

    def __len__(self) -> int:
        return len(self._map)

    def find(self, text: str) -> list[PhraseHit[T]]:
        return self.find_words(words(text))

    def find_words(self, tokens: list[str]) -> list[PhraseHit[T]]:
        hits: list[PhraseHit[T]] = []
        if not self._map:
            return hits
        for i in range(len(tokens)):
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                values = self._map.get(tuple(tokens[i : i + n]))
                if values:
                    hits.extend(PhraseHit(i, i + n, v) for v in values)
        return hits
