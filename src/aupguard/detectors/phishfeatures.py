"""Features of a message for the phishing model: words, link hosts, and the rule signals.

Words are lower-cased unigrams and bigrams of the subject and the start of the tenant's
text; hosts are the registrable domains of the links; rule signals (lures, URL traits)
enter as tokens `sig:NAME`. A message is the *set* of its tokens, each weighing
1/sqrt(number of distinct tokens) (binary, L2-normalised), so judging is one dict
look-up per token: no hashing, no counting.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from aupguard.detectors.context import Context
from aupguard.events.model import Role
from aupguard.events.urlnorm import normalize
from aupguard.events.views import Views
from aupguard.signals import Signal

_WORD = re.compile(r"[^\W\d_][\w'’-]{1,24}", re.UNICODE)
MAX_CHARS = 2000
MAX_WORDS = 320


def tokens(subject: str, text: str, hosts: Iterable[str], signals: Iterable[str]) -> set[str]:
    """Distinct tokens of one message (bounded: the first 2,000 characters of text)."""
    out = {"s:" + w for w in _WORD.findall(subject[:300].lower())}
    body = _WORD.findall(text[:MAX_CHARS].lower())[:MAX_WORDS]
    out.update(body)
    out.update(map(" ".join, itertools.pairwise(body)))
    out.update("h:" + h for h in hosts)
    out.update("sig:" + s for s in signals)
    return out


MEMO_LURES = "signals:lures"
MEMO_URLS = "signals:urls"


def rule_signals(view: Views) -> list[str]:
    """Lure and URL signal names, from the memo the detectors leave, else computed here.

    Feed hits are left out: the model must not learn (or lean on) a feed.
    """
    lures, urls = view.memo.get(MEMO_LURES), view.memo.get(MEMO_URLS)
    if not isinstance(lures, list):
        from aupguard.detectors.lures import LuresDetector

        lures = [s.name for s in LuresDetector().check(view, Context()) if isinstance(s, Signal)]
    if not isinstance(urls, list):
        from aupguard.detectors.urls import UrlsDetector

        urls = [s.name for s in UrlsDetector().check(view, Context()) if isinstance(s, Signal)]
    return sorted({*lures, *urls} - {"URL_FEED_HIT"})


def message_tokens(view: Views) -> set[str]:
    """The model's tokens for one event (the trainer and the detector both call this)."""
    subject = " ".join(tp.text for tp in view.text_parts if tp.role is Role.SUBJECT)
    chunks: list[str] = []
    size = 0
    for tp in view.text_parts:  # only as much text as the features read
        if tp.role is not Role.SUBJECT and tp.role.is_tenant_speech:
            chunks.append(tp.text[: MAX_CHARS - size + 1])
            size += len(chunks[-1]) + 1
            if size > MAX_CHARS:
                break
    text = " ".join(chunks)
    hosts: list[str] = []
    for ref in view.urls[:50]:
        url = normalize(ref.url)
        if url is not None:
            hosts.append(url.host.registrable or url.host.ascii)
    return tokens(subject, text, hosts, rule_signals(view))
