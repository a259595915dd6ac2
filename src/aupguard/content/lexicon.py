"""The content lexicons (data/lexicon.yaml): phrase categories found in folded message words."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from aupguard.datafile import load_yaml
from aupguard.phrases import PhraseHit, PhraseIndex, content_words

ORG = "org:"  # hits of organisation names carry this prefix before their kind


@cache
def lexicon() -> PhraseIndex[str]:
    """Every phrase of every category, and every organisation name, in one index (one pass
    over the words); a hit's value is 'group:category' ('ip:crack') or 'org:kind'."""
    from aupguard.content.claims import organisation_names

    text = (files("aupguard.content") / "data" / "lexicon.yaml").read_text("utf-8")
    data = load_yaml(text)
    items = [
        (str(phrase), f"{group}:{category}")
        for group, categories in data.items()
        for category, phrases in categories.items()
        for phrase in phrases
    ]
    items += [(name, ORG + kind) for name, kind in organisation_names()]
    return PhraseIndex(items, fold=content_words)


def categories() -> list[str]:
    """Every category name, sorted (the lexicon features a model may weigh)."""
    text = (files("aupguard.content") / "data" / "lexicon.yaml").read_text("utf-8")
    data = load_yaml(text)
    return sorted(f"{g}:{c}" for g, cats in data.items() for c in cats)


def hits(tokens: list[str]) -> list[PhraseHit[str]]:
    return lexicon().find_words(tokens)
