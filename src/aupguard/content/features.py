"""One analysis of the tenant's text per event, shared by the content detectors."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from aupguard.content.claims import Claim, claims
from aupguard.content.lexicon import hits
from aupguard.detectors.context import Directory
from aupguard.events.views import Views
from aupguard.phrases import CONTENT_CHARS, PhraseHit, content_tokens

_MAGNET = "magnet:?"
_URL_MARKS = ("http://", "https://", "www.", ".example", "wa.me/", "t.me/")


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """The folded words, lexicon hits, organisation claims and the model's feature names."""

    text: str  # the tenant's text the analysis read (customers' turns left out)
    tokens: list[str]
    spans: list[tuple[int, int]]  # of each token in `text`, when `aligned`
    lexicon: list[PhraseHit[str]]
    claims: list[Claim]
    shaped: list[str]  # the tokens, numbers reduced to their length ('555-0141': '#3', '#4')
    flags: list[str]  # lexicon categories and facts, each weighed as 1

    @property
    def words(self) -> list[str]:
        """Unigram and bigram feature names, weighed together (length-normalised)."""
        out = [f"w:{t}" for t in self.shaped]
        return out + [f"b:{a} {b}" for a, b in itertools.pairwise(self.shaped)]

    @property
    def empty(self) -> bool:
        return not self.tokens

    @property
    def aligned(self) -> bool:
        """Token spans index `text` (ASCII text that was not cut)."""
        return self.text.isascii() and len(self.text) <= CONTENT_CHARS

    def span_of(self, hit: PhraseHit[str]) -> tuple[int, int] | None:
        if not self.aligned or hit.end > len(self.spans):
            return None
        return self.spans[hit.start][0], self.spans[hit.end - 1][1]


NEAR = 6  # words between two lexicon hits that make them one phrase ("i'll ... kill you")


def _nearby(found: list[PhraseHit[str]]) -> set[str]:
    """Pairs of categories whose hits are close: 'never ask' + 'password', 'i'll' + 'kill'."""
    out: set[str] = set()
    ordered = sorted(found, key=lambda h: h.start)[:64]
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.start - a.end > NEAR:
                break
            if a.value != b.value:
                out.add(f"near:{a.value}>{b.value}")
    return out


def analyse(text: str, own_names: frozenset[str] | None, channel: str) -> TextAnalysis:
    """Features of `text` as the tenant's speech; `own_names` None when the tenant is unknown."""
    found_tokens = content_tokens(text)
    tokens = [t for t, _, _ in found_tokens]
    spans = [(a, b) for _, a, b in found_tokens]
    shaped = [f"#{min(len(t), 9)}" if t[0].isdigit() and t.isdigit() else t for t in tokens]
    found = hits(tokens)
    flags = sorted({f"lex:{h.value}" for h in found} | _nearby(found))
    made = claims(tokens, own_names)
    if own_names is None:
        flags += ["claim:unknown_tenant"] if made else []
    else:
        flags += sorted({f"claim:own_{c.kind}" if c.own else f"claim:other_{c.kind}" for c in made})
    lowered = text[:CONTENT_CHARS].lower()
    if _MAGNET in lowered:
        flags.append("x:magnet")
    if any(mark in lowered for mark in _URL_MARKS):
        flags.append("x:link")
    flags.append(f"ch:{channel}")
    return TextAnalysis(text, tokens, spans, found, made, shaped, flags)


def analysis_of(view: Views, directory: Directory | None) -> TextAnalysis:
    """The analysis of the event's tenant text, computed once per event (views.memo)."""
    cached = view.memo.get("content.analysis")
    if isinstance(cached, TextAnalysis):
        return cached
    tenant = view.event.tenant
    own: frozenset[str] | None = None
    if directory is not None and tenant:
        own = directory.brands_of(tenant)
    result = analyse(view.tenant_text, own, view.event.channel.value)
    view.memo["content.analysis"] = result
    return result
