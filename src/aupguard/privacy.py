"""Masking of card numbers, one-time codes and other secrets before anything is kept.

Typed digits ("4111 1111 1111 1111", "code: 482 913") and digits as speech-to-text
writes them ("four one one one ...", "oh", "double five") are both masked.
"""

from __future__ import annotations

import re

# Runs of 13-19 digits with optional spaces/dashes: card numbers (Luhn-checked below).
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_OTP = re.compile(
    r"(?i)\b(code|otp|pin|passcode|verification|cvv|cvc|tan)\b"
    r"([^0-9\n]{0,20})(\d(?:[ -]?\d){2,7})\b"
)
_ANY_DIGIT = re.compile(r"\d")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_REPEAT = {"double": 2, "triple": 3}
# Words after which a short spoken number is a secret (one-time code, PIN, CVV).
_SECRET_CUES = frozenset(
    [
        "code",
        "codes",
        "otp",
        "pin",
        "passcode",
        "password",
        "verification",
        "cvv",
        "cvc",
        "security",
        "digits",
        "back",
        "tan",
    ]
)
_WORD = re.compile(r"[A-Za-z]+|\d+")
# Two `_WORD` tokens in a row that can start a run worth masking (at least 3 digits need
# two words: "one two ...", "triple five", "four 12"): where none is, `_spoken` has nothing
# to do. Words are matched ASCII-only case-insensitively, as `_WORD` sees letters.
_SPOKEN_WORDS = "zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple"
_RUN_START = re.compile(
    rf"(?<![A-Za-z])(?ai:{_SPOKEN_WORDS})(?![A-Za-z])[^A-Za-z\d]*"
    rf"(?:(?ai:{_SPOKEN_WORDS}|o)(?![A-Za-z])|\d{{1,4}}(?!\d))"
)
_SPOKEN_MIN_CARD = 12  # a dozen spoken digits in a row is a card or account number
_SPOKEN_MIN_CODE = 3


def luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = ord(ch) - 48
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _mask_card(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    if 13 <= len(digits) <= 19 and luhn_ok(digits):
        return "[card ****" + digits[-4:] + "]"
    return m.group(0)


def _spoken(text: str) -> str:
    """Runs of spoken digits: 12 or more become [number ****1234]; 3-8 after a cue, [code]."""
    if not _RUN_START.search(text):
        return text  # fast path: no two digit words in a row, nothing to mask
    return _spoken_runs(text)


def _spoken_runs(text: str) -> str:
    words = list(_WORD.finditer(text))
    cuts: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        j, digits, repeat = i, "", 1
        while j < len(words):
            w = words[j].group(0).lower()
            if (
                w in _REPEAT
                and j + 1 < len(words)
                and words[j + 1].group(0).lower() in _DIGIT_WORDS
            ):
                repeat = _REPEAT[w]
            elif w in _DIGIT_WORDS and not (w == "o" and not digits):
                digits += _DIGIT_WORDS[w] * repeat
                repeat = 1
            elif w.isdigit() and len(w) <= 4 and digits:
                digits += w
            else:
                break
            j += 1
        if len(digits) >= _SPOKEN_MIN_CARD:
            cuts.append((words[i].start(), words[j - 1].end(), f"[number ****{digits[-4:]}]"))
        elif len(digits) >= _SPOKEN_MIN_CODE:
            before = {w.group(0).lower() for w in words[max(0, i - 6) : i]}
            if before & _SECRET_CUES:
                cuts.append((words[i].start(), words[j - 1].end(), "[code]"))
        i = max(j, i + 1)
    for start, end, repl in reversed(cuts):
        text = text[:start] + repl + text[end:]
    return text


def mask_pii(text: str) -> str:
    """Card numbers (Luhn-valid), one-time codes, SSNs and spoken digit runs masked;
    e-mail local parts cut."""
    if _ANY_DIGIT.search(text):  # the three typed forms need a digit
        text = _CARD.sub(_mask_card, text)
        text = _OTP.sub(lambda m: f"{m.group(1)}{m.group(2)}[code]", text)
        text = _SSN.sub("[ssn]", text)
    text = _spoken(text)
    return _EMAIL.sub(r"\1***@\2", text) if "@" in text else text


_RUN_WORDS = frozenset(_DIGIT_WORDS) | frozenset(_REPEAT)


def _grow(text: str, pos: int, step: int, budget: int = 160) -> int:
    """Move a slice bound outward over digits, separators and spoken digit words.

    `step` -1 widens a start bound (looks at text[pos - 1]), +1 an end bound (text[pos]).
    """
    limit = len(text)
    start = pos
    while abs(pos - start) < budget:
        at = pos - 1 if step < 0 else pos
        if not 0 <= at < limit:
            break
        ch = text[at]
        if ch.isdigit() or ch in " -,.":
            pos += step
            continue
        if not ch.isalpha():
            break
        j = at  # the whole word: continue only through digit words
        while 0 <= j + step < limit and text[j + step].isalpha():
            j += step
        lo, hi = min(j, at), max(j, at) + 1
        if text[lo:hi].lower() not in _RUN_WORDS:
            break
        pos = lo if step < 0 else hi
    return pos


def masked_window(text: str, lo: int, hi: int) -> str:
    """text[lo:hi] masked, widened first so no card number or code is cut in half."""
    while 0 < lo < len(text) and text[lo - 1].isalnum() and text[lo].isalnum():
        lo -= 1  # never start or end inside a word
    while 0 < hi < len(text) and text[hi - 1].isalnum() and text[hi].isalnum():
        hi += 1
    return mask_pii(text[_grow(text, lo, -1) : _grow(text, hi, 1)])
