"""Web attack signatures (data/web_attacks.yaml) compiled once: Aho-Corasick plus RE2."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from urllib.parse import unquote, unquote_plus

import ahocorasick
import re2

from aupguard.datafile import load_yaml

MAX_TARGET = 8192  # characters of a request target examined; the rest is ignored
CATEGORIES = ("sqli", "xss", "traversal", "cmdi")


@dataclass(frozen=True, slots=True)
class Match:
    category: str  # sqli, xss, traversal, cmdi
    text: str  # what the confirming expression matched
    start: int


class WebPatterns:
    """Literal tokens in one automaton; each category confirmed by one RE2 alternation."""

    def __init__(self, data: dict[str, object]) -> None:
        def strings(name: str) -> list[str]:
            value = data[name]
            assert isinstance(value, list), f"web_attacks.yaml: {name} must be a list"
            return [str(v).lower() for v in value]

        self.agents = self._automaton((t, "agent") for t in strings("scanner_agents"))
        self.markers = self._automaton((t, "marker") for t in strings("scanner_markers"))
        self.secret_segments = frozenset(strings("secret_segments"))
        self.backup_suffixes = tuple(strings("backup_suffixes"))
        self.admin_segments = frozenset(strings("admin_segments"))
        cats = data["categories"]
        assert isinstance(cats, dict)
        self.tokens = self._automaton(
            (str(tok).lower(), name) for name in CATEGORIES for tok in cats[name]["tokens"]
        )
        self.confirm = {
            name: re2.compile("|".join(f"(?:{p})" for p in cats[name]["confirm"]))
            for name in CATEGORIES
        }

    @staticmethod
    def _automaton(pairs: object) -> ahocorasick.Automaton:
        auto = ahocorasick.Automaton()
        for token, label in pairs:  # type: ignore[attr-defined]
            auto.add_word(token, (label, token))
        auto.make_automaton()
        return auto

    def agent_hit(self, agent: str) -> str | None:
        for _, (_, token) in self.agents.iter(agent.lower()):
            return str(token)
        return None

    def marker_hit(self, text: str) -> str | None:
        for _, (_, token) in self.markers.iter(text):
            return str(token)
        return None

    def attacks(self, text: str) -> list[Match]:
        """Confirmed attack payloads in decoded, lower-cased text, one per category."""
        candidates = {label for _, (label, _) in self.tokens.iter(text)}
        found: list[Match] = []
        for name in CATEGORIES:
            if name in candidates:
                m = self.confirm[name].search(text)
                if m:
                    found.append(Match(name, m.group(0), m.start()))
        return found


def decode(target: str) -> str:
    """Percent-decoding (plus as space on the first pass) at most twice, then lower case."""
    text = target[:MAX_TARGET]
    if "%" in text or "+" in text:
        once = unquote_plus(text, errors="replace")
        text = unquote(once, errors="replace") if "%" in once else once
    return text.lower()


@cache
def web_patterns() -> WebPatterns:
    """The shipped signatures, compiled once per process."""
    text = (files("aupguard.detectors") / "data" / "web_attacks.yaml").read_text("utf-8")
    return WebPatterns(load_yaml(text))
