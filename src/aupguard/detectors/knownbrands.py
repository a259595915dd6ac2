"""Well-known brands and the domains they legitimately use (data/known_brands.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml


@dataclass(frozen=True, slots=True)
class KnownBrand:
    brand: str
    category: str  # bank, payment, tech, shipping, government, ...
    names: tuple[str, ...]  # lower-case ways people write the brand
    domains: tuple[str, ...]  # registrable domains it sends and links from


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
        )
        for e in yaml.safe_load(text)
    )


def brand_owning(domain: str) -> KnownBrand | None:
    """The known brand whose domain is `domain` or a parent of it."""
    d = domain.lower().strip(".")
    for brand in known_brands():
        if any(d == x or d.endswith("." + x) for x in brand.domains):
            return brand
    return None
