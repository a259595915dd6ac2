"""Masking of card numbers, one-time codes and other secrets before anything is kept."""

from __future__ import annotations

import re

# Runs of 13-19 digits with optional spaces/dashes: card numbers (Luhn-checked below).
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_OTP = re.compile(r"(?i)\b(code|otp|pin|passcode|verification)\b([^0-9\n]{0,20})(\d{4,8})\b")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")


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


def mask_pii(text: str) -> str:
    """Card numbers (Luhn-valid), one-time codes and SSNs masked; e-mail local parts cut."""
    text = _CARD.sub(_mask_card, text)
    text = _OTP.sub(lambda m: f"{m.group(1)}{m.group(2)}[code]", text)
    text = _SSN.sub("[ssn]", text)
    return _EMAIL.sub(r"\1***@\2", text)
