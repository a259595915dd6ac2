"""The word tokenizer: the ASCII fast path and the regex path give the same bag of tokens."""

from __future__ import annotations

from collections import Counter

import pytest

from aupguard.models.tokens import _DIGIT, _TOKEN, words

TEXTS = [
    "Buy CHEAP pills now!!! Only $19.99 (50% off)",
    "Call 1-800-555-0199 before 12/31/2002, ref A1B2C3",
    "snake_case and hyphen-ated words, e-mail me",
    "a" * 75 + " tail",  # a run longer than 30 characters is cut into pieces
    "1234567890" * 4,
    "Prix: 20 € ou £15, très bon marché",  # not ASCII: the regex path
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
    "",
    "   \t\n ",
    "tabs\tand\nnewlines\r\nend",
]


def _regex(text: str, limit: int) -> list[str]:
    return _TOKEN.findall(_DIGIT.sub("0", text[:limit].lower()))


@pytest.mark.parametrize("text", TEXTS)
def test_fast_path_gives_the_regex_tokens(text: str) -> None:
    assert Counter(words(text, 4_000)) == Counter(_regex(text, 4_000))


def test_digits_are_folded_and_symbols_kept() -> None:
    assert Counter(words("Save $100 now!", 100)) == Counter(["save", "000", "now", "$", "!"])
    assert words("x" * 31, 100) == ["x" * 30, "x"]
    assert words("hello world", 5) == ["hello"]


def test_every_text_part_of_the_spam_corpus_tokenizes_alike() -> None:
    from email.parser import BytesParser
    from email.policy import compat32

    from tests.conftest import corpus

    root = corpus("spamassassin-public")
    parse = BytesParser(policy=compat32).parsebytes
    checked = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file())[:1500]:
        for part in parse(path.read_bytes()).walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and part.get_content_maintype() == "text":
                text = payload.decode("latin-1")
                assert Counter(words(text, 4_000)) == Counter(_regex(text, 4_000)), path
                checked += 1
    assert checked > 1_000
