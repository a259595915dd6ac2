"""Language of a text, offline and bounded: an English fast path, then py3langid.

Most traffic of an English-speaking platform is English; counting common function
words settles those texts in a few microseconds, and only the rest pays for the
n-gram model on a bounded sample.
"""

from __future__ import annotations

import re

from aupguard.events import langid_cache

SAMPLE_CHARS = 400
MIN_LETTERS = 20
_WORD = re.compile(r"[a-z']+")
_ENGLISH = frozenset(
    [
        "the",
        "and",
        "to",
        "of",
        "a",
        "in",
        "is",
        "you",
        "that",
        "it",
        "for",
        "your",
        "this",
        "on",
        "are",
        "with",
        "be",
        "have",
        "we",
        "as",
        "at",
        "not",
        "or",
        "our",
        "will",
        "from",
        "can",
        "if",
        "by",
        "an",
        "please",
        "all",
        "my",
        "i",
        "me",
        "do",
        "was",
        "there",
        "here",
        "they",
        "their",
        "what",
        "about",
        "would",
        "more",
        "has",
        "just",
        "been",
        "any",
    ]
)


def load_model() -> None:
    """Load py3langid's model now (it loads on the first non-English text otherwise)."""
    _classify("load")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code, or None when the text has too few letters to tell."""
    sample = text[:SAMPLE_CHARS]
    if sum(map(str.isalpha, sample)) < MIN_LETTERS:
        return None
    words = _WORD.findall(sample.lower())
    if len(words) >= 8:
        hits = sum(w in _ENGLISH for w in words)
        if hits / len(words) >= 0.2:
            return "en"
    return _classify(sample)


def _classify(text: str) -> str:
    import py3langid  # loaded on first use: a detector that needs no language pays nothing

    langid_cache.install()  # its model from the cache folder, when it can
    lang, _score = py3langid.classify(text)
    return str(lang)
