"""Claims to speak for an organisation, and whether the organisation is the tenant's own."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from aupguard.datafile import load_yaml
from aupguard.detectors.knownbrands import known_brands
from aupguard.phrases import PhraseHit, PhraseIndex, content_words

# Words right before a name that make it a self-introduction ("this is", "calling from",
# "I'm with", "on behalf of") in the languages of the evaluation sets.
_FRAME = frozenset(
    [
        "this",
        "is",
        "from",
        "with",
        "calling",
        "behalf",
        "here",
        "officer",
        "agent",
        "department",
        "we",
        "re",
        "im",
        "am",
        "de",
        "del",
        "ici",
        "ist",
        "della",
        "do",
        "da",
        "aqui",
        "von",
        "vom",
        "our",
        "le",
        "la",
        "habla",
        "llamo",
    ]
)
_NEGATION = frozenset(
    [
        "not",
        "never",
        "no",
        "doesn",
        "t",
        "don",
        "isn",
        "aren",
        "won",
        "nunca",
        "jamais",
        "nie",
        "nicht",
    ]
)  # fmt: skip
_GENERIC = frozenset(
    [
        "the",
        "of",
        "your",
        "a",
        "an",
        "and",
        "de",
        "la",
        "el",
        "le",
        "du",
        "der",
        "die",
        "das",
    ]
)  # fmt: skip
_AFTER = frozenset(
    [
        "here",
        "calling",
        "security",
        "fraud",
        "support",
        "department",
        "team",
        "office",
        "billing",
    ]
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Claim:
    name: str  # the organisation as written (folded words)
    start: int  # word index
    end: int
    own: bool  # the tenant's own name or brand
    kind: str  # government, police, court, generic, brand, tenant


def organisation_names() -> list[tuple[str, str]]:
    """(name, kind): agencies, police, courts, generic institutions and well-known brands."""
    raw = (files("aupguard.content") / "data" / "organisations.yaml").read_text("utf-8")
    data = load_yaml(raw)
    items = [(str(name), kind) for kind, names in data.items() for name in names]
    return items + [(name, "brand") for b in known_brands() for name in (*b.names, b.brand)]


@cache
def organisations() -> PhraseIndex[str]:
    return PhraseIndex(organisation_names(), fold=content_words)


def _key(name: str) -> frozenset[str]:
    return frozenset(w for w in content_words(name) if w not in _GENERIC)


def _is_own(mention: frozenset[str], own: list[frozenset[str]]) -> bool:
    return any(mention and (mention <= names or names <= mention) for names in own if names)


def claims(
    tokens: list[str],
    own_names: frozenset[str] | None,
    mentions: list[PhraseHit[str]] | None = None,
) -> list[Claim]:
    """Organisations the words introduce the speaker as; `own_names` None: tenant unknown.

    `mentions`: organisation hits already found (value = kind), in word order.
    """
    own = [_key(n) for n in own_names] if own_names else []
    found: list[Claim] = []
    taken = -1
    for hit in mentions if mentions is not None else organisations().find_words(tokens):
        if hit.start < taken:
            continue  # a shorter name inside a longer one already taken
        before = tokens[max(0, hit.start - 4) : hit.start]
        after = tokens[hit.end : hit.end + 1]
        framed = (
            hit.start == 0 or bool(_FRAME.intersection(before)) or bool(_AFTER.intersection(after))
        )
        if not framed or _NEGATION.intersection(tokens[max(0, hit.start - 3) : hit.start]):
            continue
        words = tokens[hit.start : hit.end]
        mention = frozenset(w for w in words if w not in _GENERIC)
        found.append(Claim(" ".join(words), hit.start, hit.end, _is_own(mention, own), hit.value))
        taken = hit.end
    return found
