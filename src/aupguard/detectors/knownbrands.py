"""Well-known brands and the domains they legitimately use (data/known_brands.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from aupguard.datafile import load_yaml
from aupguard.phrases import PhraseIndex


@dataclass(frozen=True, slots=True)
class KnownBrand:
    brand: str
    category: str  # bank, payment, tech, shipping, government, ...
    names: tuple[str, ...]  # lower-case ways people write the brand
    domains: tuple[str, ...]  # registrable domains it sends and links from
    mail_provider: bool = False  # its servers relay other organisations' mail


@cache
def known_brands() -> tuple[KnownBrand, ...]:
    """The shipped list, loaded once per process."""
    text = (files("aupguard.detectors") / "data" / "known_brands.yaml").read_text("utf-8")
    return tuple(
        KnownBrand(
            e["brand"],
            e["category"],
            tuple(n.lower() for n in e["names"]),
            tuple(d.lower() for d in e["domains"]),
            bool(e.get("mail_provider", False)),
        )
        for e in load_yaml(text)
    )


@cache
def _by_domain() -> dict[str, KnownBrand]:
    return {d: b for b in known_brands() for d in b.domains}


@cache
def brand_names() -> PhraseIndex[KnownBrand]:
    """Every way of writing every brand, for whole-word search in short texts."""
    return PhraseIndex((name, b) for b in known_brands() for name in (*b.names, b.brand))


@lru_cache(maxsize=8192)  # the same relay and sender hosts recur message after message
def brand_owning(domain: str) -> KnownBrand | None:
    """The known brand whose domain is `domain` or a parent of it (dict look-ups only)."""
    table = _by_domain()
    d = domain.lower().strip(".")
    while d:
        brand = table.get(d)
        if brand is not None:
            return brand
        _, _, d = d.partition(".")
    return None
