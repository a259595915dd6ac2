"""Lookalike domains of well-known brands and of tenants: homoglyphs, typos, brand in the name.

Every brand is reduced to tokens (`paypal`, `bankofamerica`, the first label of each of
its domains). A host is compared by dict look-ups only: its labels' skeletons (Unicode
confusables and digit-for-letter swaps mapped to ASCII) and their one-deletion
neighbourhoods (SymSpell), which find every edit at distance one (a typo, a missing or
doubled letter, two swapped letters) without computing a single edit distance.
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from aupguard.detectors.context import Directory
from aupguard.detectors.knownbrands import known_brands
from aupguard.detectors.urlfeeds import FeedIndex
from aupguard.events.urlnorm import Host, split_host

_LEET = str.maketrans(
    {
        "0": "o",
        "1": "l",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "@": "a",
        "$": "s",
        "|": "l",
    }
)
_MULTI = (("rn", "m"), ("vv", "w"), ("cj", "g"), ("ii", "u"))
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
MIN_FUZZY = 6  # shorter brand tokens match only exactly or by skeleton (ups, dhl, apple)
# Tokens too common in ordinary names to mean a brand on their own.
_GENERIC = frozenset(
    [
        "apple",
        "chase",
        "visa",
        "meta",
        "steam",
        "outlook",
        "ups",
        "att",
        "ing",
        "google",
        "amazon",
        "orange",
        "line",
        "booking",
        "caixa",
        "ovh",
        "free",
        "square",
        "target",
    ]
)


@cache
def _confusable_map() -> dict[int, str]:
    """Non-ASCII characters that look like an ASCII letter or digit, mapped to it."""
    import confusable_homoglyphs

    path = files(confusable_homoglyphs) / "confusables.json"
    table: dict[str, list[dict[str, str]]] = json.loads(path.read_text("utf-8"))
    out: dict[int, str] = {}
    for char, glyphs in table.items():
        if len(char) != 1 or char.isascii():
            continue
        for g in glyphs:
            c = g["c"].lower()
            if len(c) == 1 and c.isascii() and c.isalnum():
                out[ord(char)] = c
                break
    return out


def load_homoglyphs() -> None:
    """Load the homoglyph table now (a non-ASCII host label loads it otherwise)."""
    _confusable_map()


def skeleton(label: str) -> str:
    """What a label looks like: homoglyphs and leetspeak folded to plain lower-case ASCII."""
    s = label.lower()
    if not s.isascii():  # the homoglyph table (its JSON takes 50 ms to load) maps no ASCII
        s = s.translate(_confusable_map())
    s = s.translate(_LEET)
    for old, new in _MULTI:
        s = s.replace(old, new)
    return s


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True, slots=True)
class Target:
    brand: str  # as people write it
    owner: str  # "known" for the shipped list, else the tenant id
    domains: tuple[str, ...]  # registrable domains the brand legitimately uses


@dataclass(frozen=True, slots=True)
class Match:
    kind: str  # lookalike, in_domain, in_subdomain, in_path
    target: Target
    token: str
    detail: str

    def reason(self) -> str:
        who = "a well-known brand" if self.target.owner == "known" else "another tenant's brand"
        return f"{self.detail} ({self.target.brand}, {who})"


class BrandIndex:
    """Brand tokens for look-ups: exact, skeleton, and one-deletion neighbourhoods."""

    def __init__(self, targets: list[Target]) -> None:
        self.exact: dict[str, list[Target]] = {}
        self.fuzzy: dict[str, list[tuple[str, Target]]] = {}
        self.owned: dict[str, Target] = {}
        for t in targets:
            for d in t.domains:
                self.owned[d] = t
            tokens = {_compact(t.brand)} | {d.split(".", 1)[0] for d in t.domains}
            for tok in tokens:
                if len(tok) < 3:
                    continue
                self.exact.setdefault(tok, []).append(t)
                if len(tok) >= MIN_FUZZY:
                    for key in _deletes(tok) | {tok}:
                        self.fuzzy.setdefault(key, []).append((tok, t))
        self._cache: dict[tuple[str, str], tuple[Match, ...]] = {}

    def owner_of(self, host: Host) -> Target | None:
        reg = host.registrable or host.ascii
        t = self.owned.get(reg)
        if t is None and host.ascii != reg:
            t = self.owned.get(split_host(host.ascii).registrable)
        return t

    def match_host(self, host: Host, path: str = "") -> tuple[Match, ...]:
        key = (host.ascii, path[:200])
        hit = self._cache.get(key)
        if hit is None:
            hit = tuple(self._match(host, path))
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def _match(self, host: Host, path: str) -> list[Match]:
        if host.is_ip or not host.registrable:
            return []
        if self.owner_of(host) is not None:
            return []
        found: list[Match] = []
        label = host.registrable.split(".", 1)[0]
        for tok, kind in self._label_hits(label):
            for t in self.exact.get(tok, ()) if kind != "lookalike" else ():
                found.append(Match(kind, t, tok, f"{host.registrable} names {tok}"))
            if kind == "lookalike":
                for base, t in self.fuzzy.get(tok, ()):
                    found.append(Match(kind, t, base, f"{host.registrable} looks like {base}"))
        for sub in host.subdomain.split(".") if host.subdomain else ():
            for tok in _tokens(skeleton(sub)):
                if tok in _GENERIC or len(tok) < 4:
                    continue
                for t in self.exact.get(tok, ()):
                    found.append(
                        Match(
                            "in_subdomain", t, tok, f"{tok} in the subdomain of {host.registrable}"
                        )
                    )
        if path:
            for tok in set(_tokens(path.lower())):
                if len(tok) >= MIN_FUZZY and tok not in _GENERIC:
                    for t in self.exact.get(tok, ()):
                        found.append(
                            Match("in_path", t, tok, f"{tok} in the path on {host.registrable}")
                        )
        return found

    def _label_hits(self, label: str) -> list[tuple[str, str]]:
        """(token, kind) pairs: brand tokens inside the label, and near-misses of the label."""
        hits: list[tuple[str, str]] = []
        sk = skeleton(label)
        compact = sk.replace("-", "")
        parts = _tokens(sk)
        for tok in parts:
            if tok in self.exact and (len(parts) > 1 or sk != label):
                if sk == label and tok in _GENERIC:
                    continue  # orange-county.com, line-dance.org: the word, not the brand
                hits.append((tok, "in_domain" if sk == label else "lookalike"))
        if compact in self.exact and compact != label:
            hits.append((compact, "lookalike"))
        if len(compact) >= MIN_FUZZY and compact not in self.exact:
            keys = _deletes(compact) | {compact}
            for key in keys:
                if key in self.fuzzy:
                    hits.append((key, "lookalike"))
        for tok in parts:
            if len(tok) >= MIN_FUZZY + 1 and tok not in self.exact and len(parts) > 1:
                for key in _deletes(tok):
                    if key in self.fuzzy:
                        hits.append((key, "lookalike"))
        return hits


def _compact(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", skeleton(name))


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN_SPLIT.split(text) if t]


@cache
def known_index() -> BrandIndex:
    return BrandIndex([Target(b.brand, "known", b.domains) for b in known_brands()])


_tenant_indexes: weakref.WeakKeyDictionary[object, BrandIndex] = weakref.WeakKeyDictionary()


def tenant_targets(directory: Directory) -> list[Target]:
    tenants: dict[str, set[str]] = {}
    for brand, tenant in directory.all_brands().items():
        tenants.setdefault(tenant, set()).add(brand)
    return [
        Target(brand, tenant, tuple(sorted(directory.domains_of(tenant))))
        for tenant, brands in tenants.items()
        for brand in sorted(brands)
    ]


def tenant_index(directory: Directory) -> BrandIndex:
    """Tenants' brands and domains, built once per directory snapshot."""
    try:
        index = _tenant_indexes.get(directory)
    except TypeError:  # not weak-referenceable: build each time
        return BrandIndex(tenant_targets(directory))
    if index is None:
        index = BrandIndex(tenant_targets(directory))
        _tenant_indexes[directory] = index
    return index


def lookalikes(
    host: Host, path: str, directory: Directory | None, tenant: str | None
) -> list[Match]:
    """Brand matches of a host, the sending tenant's own brands and domains left out."""
    found = list(known_index().match_host(host, path))
    if directory is not None:
        found += [
            m for m in tenant_index(directory).match_host(host, path) if m.target.owner != tenant
        ]
        if tenant is not None:
            own = {b.casefold() for b in directory.brands_of(tenant)}
            mine = directory.domains_of(tenant)
            if host.registrable in mine:
                return []
            found = [m for m in found if m.target.brand.casefold() not in own]
    return found


def is_lookalike_identity(
    domain: str,
    directory: Directory | None,
    tenant: str | None = None,
    feeds: FeedIndex | None = None,
) -> str | None:
    """Why a domain must not be verified as a tenant's identity, or None when it may.

    Refuses a domain that imitates a well-known brand or another tenant's brand or
    domain (homoglyphs, typos, the brand inside the name), and one that a loaded feed
    lists as a whole site (`feeds`: the url detector's `FeedIndex`, `detector.feeds`).
    """
    host = split_host(domain)
    if host.is_ip or not host.registrable:
        return f"{domain} is not a registrable domain name"
    if feeds is not None:
        listed = feeds.lists_host(host.ascii) or feeds.lists_host(host.registrable)
        if listed:
            return f"{domain} is on the URL feed {listed}"
    for m in lookalikes(host, "", directory, tenant):
        if m.kind in ("lookalike", "in_domain", "in_subdomain"):
            return m.reason()
    return None
