"""Links to torrent indexes, warez, unlicensed streaming, shadow libraries and cyberlockers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

import ahocorasick

from aupguard.datafile import load_yaml
from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec, excerpt
from aupguard.detectors.content_models import TEXT_CHANNELS
from aupguard.detectors.context import Context
from aupguard.events.views import Views

# Bare host names in text ("warez.example/win11"): labels and dots, bounded, linear.
_HOST = re.compile(r"(?<![\w@.-])((?:[a-z0-9-]{1,63}\.){1,6}[a-z]{2,24})(?![\w-])", re.I)
_MAGNET = re.compile(r"magnet:\?xt=urn:btih:[0-9a-z]{32,40}", re.I)
_TORRENT_FILE = re.compile(r"\.torrent\b", re.I)
SCAN_CHARS = 20_000


@cache
def piracy_domains() -> dict[str, str]:
    """Registrable domain -> category, from content/data/piracy_domains.yaml."""
    raw = (files("aupguard.content") / "data" / "piracy_domains.yaml").read_text("utf-8")
    return {d.lower(): cat for cat, domains in load_yaml(raw).items() for d in domains}


@cache
def _listed() -> ahocorasick.Automaton:
    """Every listed domain, to find in one pass whether a text names any of them at all."""
    auto = ahocorasick.Automaton()
    for domain in piracy_domains():
        auto.add_word(domain, domain)
    auto.make_automaton()
    return auto


def _names_listed_domain(lowered: str) -> bool:
    # A host can only have a category when a listed domain is a substring of the text:
    # most text names none, and the host pattern (tried at every letter) is then skipped.
    return next(_listed().iter(lowered), None) is not None


def _category(host: str) -> str | None:
    table = piracy_domains()
    h = host.lower().strip(".")
    while h.count("."):
        cat = table.get(h)
        if cat:
            return cat
        h = h.partition(".")[2]
    return None


class PiracyLinksDetector(Detector):
    name = "piracy_links"
    version = "1"
    description = (
        "Finds magnet links, .torrent files and links to torrent indexes, warez, unlicensed "
        "streaming, shadow libraries and cyberlockers (shipped list with provenance) in the "
        "tenant's text."
    )
    channels = TEXT_CHANNELS
    signals = (
        SignalSpec(
            "PIRACY_LINK",
            "A link to a torrent index, warez, unlicensed streaming or shadow-library site.",
        ),
        SignalSpec("CYBERLOCKER_LINK", "A link to a cyberlocker file host (lawful uses exist)."),
        SignalSpec("MAGNET_LINK", "A BitTorrent magnet link or a .torrent file link."),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        found: dict[str, list[Evidence]] = {}
        for tp in view.text_parts:
            if not tp.role.is_tenant_speech:
                continue
            text = tp.text[:SCAN_CHARS]
            lowered = text.lower()
            if "magnet:" in lowered or ".torrent" in lowered:
                for m in (*_MAGNET.finditer(text), *_TORRENT_FILE.finditer(text)):
                    ev = Evidence(tp.part, excerpt(text, m.start(), m.end()), m.start(), m.end())
                    found.setdefault("MAGNET_LINK", []).append(ev)
            if "." not in text or not _names_listed_domain(lowered):
                continue
            for m in _HOST.finditer(text):
                cat = _category(m.group(1))
                if cat is None:
                    continue
                name = "CYBERLOCKER_LINK" if cat == "cyberlocker" else "PIRACY_LINK"
                ev = Evidence(tp.part, excerpt(text, m.start(), m.end()), m.start(), m.end(), cat)
                found.setdefault(name, []).append(ev)
        return [self.signal(name, 1.0, *evs[:5]) for name, evs in found.items()]
