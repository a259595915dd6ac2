"""Look-alike folding of message text: leetspeak, spacing, homoglyphs, emoji; bounded work."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aupguard.phrases import PhraseIndex, content_tokens, content_words


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("s3x", "sex"),
        ("k1ll", "kill"),
        ("p0rn", "porn"),
        ("$ex", "sex"),
        ("cr@ck3d", "cracked"),
        ("e s c o r t", "escort"),
        ("f.u.c.k", "fuck"),
        ("I P T V  premium", "iptv"),
        ("ᴇꜱᴄᴏʀᴛ", "escort"),
        ("𝓮𝓼𝓬𝓸𝓻𝓽", "escort"),
        ("еscort", "escort"),  # Cyrillic е
        ("esc\u200bort", "escort"),  # zero-width space
        ("💣", "bomb"),
        ("eróticos", "eroticos"),
    ],
)
def test_folding(text: str, word: str) -> None:
    assert word in content_words(text)


@pytest.mark.parametrize("text", ["24h", "4k", "mp3", "win11", "1080p"])
def test_numbers_and_units_stay(text: str) -> None:
    assert content_words(text) == [text]


def test_phrase_index_with_content_folding() -> None:
    index = PhraseIndex([("happy ending", "adult"), ("kill you", "threat")], fold=content_words)
    hits = index.find("h a p p y ending offered, i'll k1ll you")
    assert {h.value for h in hits} == {"adult", "threat"}


@given(st.text(max_size=2000))
def test_any_text_folds_and_spans_index_ascii_text(text: str) -> None:
    tokens = content_tokens(text)
    for word, start, end in tokens:
        assert word and 0 <= start < end
        if text.isascii():
            assert end <= len(text)


def test_long_text_is_bounded() -> None:
    text = "a " * 200_000 + "escort"
    words = content_words(text)
    assert len(words) < 10_000 and "escort" in words  # the tail is read too


@given(st.text(alphabet=st.sampled_from("ab1 .-$@|*e s\u0435\u1d07x"), max_size=60))
def test_fast_words_match_the_exact_pass(text: str) -> None:
    assert content_words(text) == [w for w, _, _ in content_tokens(text)]


def _find_by_scanning(index: PhraseIndex[str], tokens: list[str]) -> list[tuple[int, int, str]]:
    """The plain definition: at each word, every phrase that starts there, longest first."""
    table = index._map
    longest = max((len(k) for k in table), default=0)
    out = []
    for i in range(len(tokens)):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            out += [(i, i + n, v) for v in table.get(tuple(tokens[i : i + n]), [])]
    return out


_PHRASES = [
    ("kill", "threat"),
    ("kill you", "threat"),
    ("i will kill you", "threat"),
    ("kill", "violence"),
    ("happy ending", "adult"),
    ("ending", "other"),
    ("a a", "pair"),
    ("a a a", "triple"),
]


@given(st.lists(st.sampled_from(["i", "will", "kill", "you", "happy", "ending", "a", "b"])))
def test_phrase_search_finds_what_scanning_finds(tokens: list[str]) -> None:
    index = PhraseIndex(_PHRASES)
    found = [(h.start, h.end, h.value) for h in index.find_words(tokens)]
    assert found == _find_by_scanning(index, tokens)


def test_phrase_search_on_message_text() -> None:
    index = PhraseIndex(_PHRASES, fold=content_words)
    text = "I will k1ll you. Happy ending? a a a b kill"
    tokens = content_words(text)
    found = [(h.start, h.end, h.value) for h in index.find_words(tokens)]
    assert found == _find_by_scanning(index, tokens)
    assert (0, 4, "threat") in found and (7, 8, "violence") in found  # "a a a b": one word
    assert PhraseIndex([], fold=content_words).find(text) == []
