"""One analysis of the tenant's text per event, shared by the content detectors."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from aupguard.content.claims import Claim, claims
from aupguard.content.lexicon import ORG, hits
from aupguard.detectors.context import Directory
from aupguard.events.views import Views
from aupguard.phrases import CONTENT_CHARS, PhraseHit, content_tokens, content_words

_MAGNET = "magnet:?"
_URL_MARKS = ("http://", "https://", "www.", ".example", "wa.me/", "t.me/")


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """The folded words, lexicon hits, organisation claims and the model's feature names."""

    text: str  # the tenant's text the analysis read (customers' turns left out)
    tokens: list[str]
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

    def spans(self) -> list[tuple[int, int]]:
        """Each token's span in `text` (computed on demand: only evidence needs it)."""
        return [(a, b) for _, a, b in content_tokens(self.text)]

    def span_of(self, start: int, end: int) -> tuple[int, int] | None:
        """The text span of tokens start..end, when the spans index `text` itself."""
        spans = self.spans() if self.aligned else []
        if end > len(spans) or start >= end:
            return None
        return spans[start][0], spans[end - 1][1]


NEAR = 6  # words between two lexicon hits that make them one phrase ("i'll ... kill you")
_CODE_WORDS = frozenset({"code", "otp", "passcode", "codigo", "codice", "pin"})


def _code_given(tokens: list[str]) -> bool:
    """A one-time code stated in the text ("your code is 482913", "739201 is your login
    code"): a message that gives a code delivers one, where a lure asks for it."""
    words = [i for i, t in enumerate(tokens) if t in _CODE_WORDS]
    return any(
        abs(i - j) <= NEAR
        for i, t in enumerate(tokens)
        if t.isdigit() and 4 <= len(t) <= 8
        for j in words
    )


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
    tokens = content_words(text)
    shaped = [f"#{min(len(t), 9)}" if t[0].isdigit() and t.isdigit() else t for t in tokens]
    every = hits(tokens)
    found = [h for h in every if not h.value.startswith(ORG)]
    orgs = [
        PhraseHit(h.start, h.end, h.value[len(ORG) :]) for h in every if h.value.startswith(ORG)
    ]
    flags = sorted({f"lex:{h.value}" for h in found} | _nearby(found))
    made = claims(tokens, own_names, orgs)
    if own_names is None:
        flags += ["claim:unknown_tenant"] if made else []
    else:
        flags += sorted({f"claim:own_{c.kind}" if c.own else f"claim:other_{c.kind}" for c in made})
    lowered = text[:CONTENT_CHARS].lower()
    if _MAGNET in lowered:
        flags.append("x:magnet")
    if any(mark in lowered for mark in _URL_MARKS):
        flags.append("x:link")
    if _code_given(tokens):
        flags.append("x:code_given")
    flags.append(f"ch:{channel}")
    return TextAnalysis(text, tokens, found, made, shaped, flags)


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
