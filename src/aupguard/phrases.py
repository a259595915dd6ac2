"""Whole-word phrase look-ups with look-alike folding: brand names, content lexicons."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

T = TypeVar("T")
_SEP = "\x00"  # joins words for the phrase search: no fold ever yields it inside a word
MAX_CHARS = 1_000  # display names and sender IDs are short; longer input is cut here
CONTENT_CHARS = 1_000  # message text: the head (800) and tail (200) of a long mail are read

# Letters people swap in to dodge a plain match: Cyrillic and Greek look-alikes of Latin.
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ѕ": "s", "і": "i", "ј": "j", "к": "k", "м": "m",
        "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ԁ": "d",
        "ӏ": "l", "ԛ": "q", "ԝ": "w", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k",
        "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    }
)  # fmt: skip
# Runs of letters or digits, with & or ' allowed inside (AT&T, Macy's); linear-time.
_WORD = re.compile(r"[^\W_]+(?:[&'][^\W_]+)*")


def words(text: str) -> list[str]:
    """Case-folded words with compatibility forms and look-alike letters folded."""
    folded = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold()
    return _WORD.findall(folded.translate(_CONFUSABLES))


# --- message text: leetspeak, letter spacing, homoglyphs, small caps and emoji -----------

# More look-alikes seen in spam: small capitals, Latin letters from other blocks, and
# invisible characters that split a word for a filter but not for a reader.
_CONTENT_MAP: dict[int, str | None] = {
    **_CONFUSABLES,
    **{
        ord(k): v
        for k, v in {
            "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h",
            "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p",
            "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
            "ı": "i", "ɑ": "a", "ɡ": "g", "ο": "o", "ｏ": "o", "ß": "ss",
        }.items()
    },
    **{cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x034F)},
}  # fmt: skip
# Emoji that carry the meaning a filter looks for become that word.
_EMOJI = {
    "🍆": "eggplant", "🍑": "peach", "💦": "splash", "🔞": "adultonly", "💋": "kiss",
    "👄": "lips", "😈": "devil", "🥵": "hot", "🔥": "fire", "🔫": "gun", "🔪": "knife",
    "🗡": "knife", "💣": "bomb", "💥": "explosion", "🧨": "explosive", "💀": "skull",
    "☠": "skull", "🩸": "blood", "⚰": "coffin", "🏴": "flag", "🎬": "movie", "📺": "tv",
    "💸": "money", "💰": "money", "⌚": "watch",
}  # fmt: skip
_CONTENT_MAP.update({ord(k): f" {v} " for k, v in _EMOJI.items()})
_CONTENT_MAP[ord("_")] = " "
_TOKEN = re.compile(r"[\w@$!|*]+")  # "_" is mapped to a space first
_LEET = str.maketrans("03457@$!|", "oeastasil", "*")
_ONES = re.compile(r"11+")
_UNIT = re.compile(r"\d+[^\W\d_]{1,2}|\d{2,}[^\W\d_]+|[^\W\d_]+\d+")  # 24h, 4k, mp3, win11
_SPACERS = frozenset(" .-_*·/")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _deleet(token: str) -> str:
    """'s3x' -> 'sex', 'k1ll' -> 'kill', 'ki11' -> 'kill'; numbers and units stay."""
    core = token.strip("@!|*")
    if core.startswith("$") and len(core) > 1:
        core = "s" + core[1:]
    if not core or core.isalpha() or core.isdigit():
        return core
    if not any(ch.isalpha() for ch in core) or _UNIT.fullmatch(core):
        return core
    core = _ONES.sub(lambda m: "l" * len(m.group(0)), core).replace("1", "i")
    return core.translate(_LEET)


def content_words(text: str, limit: int = CONTENT_CHARS) -> list[str]:
    """Words of message text as a reader sees them, whatever the spelling tricks.

    Compatibility forms (fancy Unicode letters), look-alike letters, accents, invisible
    characters and leetspeak are folded; single letters spaced out ("e s c o r t",
    "f.u.c.k") are joined; a few emoji become their word. Linear in the text length.
    """
    folded = _fold(text, limit)
    words = [w if w.isalpha() else _deleet(w) for w in _TOKEN.findall(folded)]
    run = 0
    for w in words:
        run = run + 1 if len(w) == 1 else 0
        if run == 3:  # perhaps a spaced-out word: the exact pass decides
            return [w for w, _, _ in content_tokens(text, limit)]
    return [w for w in words if w]


def _fold(text: str, limit: int) -> str:
    if len(text) > limit:
        text = text[: limit - limit // 5] + "\n" + text[-(limit // 5) :]
    if not text.isascii():
        text = _strip_marks(unicodedata.normalize("NFKC", text))
    return text.casefold().translate(_CONTENT_MAP)


def content_tokens(text: str, limit: int = CONTENT_CHARS) -> list[tuple[str, int, int]]:
    """`content_words` with each word's span; spans index `text` itself when it is ASCII
    and within `limit` (folding then keeps every offset), else the folded text."""
    folded = _fold(text, limit)
    out: list[tuple[str, int, int]] = []
    append = out.append
    run: list[tuple[str, int, int]] = []  # single letters one spacer apart: a spaced word
    last_end = -2
    for m in _TOKEN.finditer(folded):
        raw = m.group()
        start, end = m.span()
        if len(raw) > 1 and raw.isalpha():  # most words: nothing to fold
            if run:
                _flush(run, out)
            append((raw, start, end))
            continue
        word = raw if raw.isalpha() else _deleet(raw)
        if not word:
            continue
        if len(word) == 1 and word.isalpha():
            adjacent = start == last_end + 1 and folded[last_end] in _SPACERS
            if run and not adjacent:
                _flush(run, out)
            run.append((word, start, end))
            last_end = end
        else:
            if run:
                _flush(run, out)
            append((word, start, end))
    if run:
        _flush(run, out)
    return out


def _flush(run: list[tuple[str, int, int]], out: list[tuple[str, int, int]]) -> None:
    if len(run) >= 3:
        out.append(("".join(w for w, _, _ in run), run[0][1], run[-1][2]))
    else:
        out.extend(run)
    run.clear()


@dataclass(frozen=True, slots=True)
class PhraseHit(Generic[T]):
    start: int  # index of the first word
    end: int  # index after the last word
    value: T


class PhraseIndex(Generic[T]):
    """Phrases (as word tuples) to values, found in one Aho-Corasick pass over the words.

    `fold` turns text into words, for the phrases and for the text searched alike:
    `words` for names, `content_words` for message text.
    """

    def __init__(
        self, items: Iterable[tuple[str, T]], fold: Callable[[str], list[str]] = words
    ) -> None:
        self._fold = fold
        self._map: dict[tuple[str, ...], list[T]] = {}
        for phrase, value in items:
            key = tuple(fold(phrase))
            if key:
                values = self._map.setdefault(key, [])
                if value not in values:
                    values.append(value)
        # Words joined by a separator no word holds, with one at each end, so a phrase
        # only matches whole words: "\0happy\0ending\0".
        self._automaton = ahocorasick.Automaton()
        for key, values in self._map.items():
            self._automaton.add_word(_SEP + _SEP.join(key) + _SEP, (len(key), values))
        if self._map:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self._map)

    def find(self, text: str) -> list[PhraseHit[T]]:
        return self.find_words(self._fold(text))

    def find_words(self, tokens: list[str]) -> list[PhraseHit[T]]:
        """Every phrase at every position (nested and overlapping ones too), ordered by
        the first word, longer phrases first."""
        if not self._map or not tokens:
            return []
        joined = _SEP + _SEP.join(tokens) + _SEP
        found: list[tuple[int, int, list[T]]] = []
        for end, (size, values) in self._automaton.iter(joined):
            # The match ends on the separator after its last word; count the separators
            # before that last word to get word indexes (hits are few: C-level count).
            last = joined.count(_SEP, 0, end) - 1
            found.append((last - size + 1, last + 1, values))
        found.sort(key=lambda f: (f[0], -f[1]))
        return [PhraseHit(start, stop, v) for start, stop, values in found for v in values]
