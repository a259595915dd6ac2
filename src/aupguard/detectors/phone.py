"""Phone numbers for consent keys and quiet hours: E.164 normalisation and local time."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


def normalise_number(raw: str | None, region: str | None = None) -> str | None:
    """E.164 (`+15551234567`) when the number parses; else its digits; None when empty.

    Alphanumeric sender IDs (e.g. `ACME`) come back upper-cased, as they are keys too.
    """
    if not raw or not raw.strip():
        return None
    text = raw.strip()
    if not any(c.isdigit() for c in text):
        return text.upper()
    return _e164(text, region)


@lru_cache(maxsize=65_536)
def _e164(text: str, region: str | None) -> str:
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, region)
        if phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = "".join(c for c in text if c.isdigit())
    return ("+" + digits) if text.startswith("+") else digits


def local_time(number: str, when: datetime) -> datetime | None:
    """`when` in the number's time zone, or None when unknown or ambiguous at that moment."""
    zones = _zones(number)
    if not zones:
        return None
    local = [when.astimezone(ZoneInfo(z)) for z in zones]
    if len({t.utcoffset() for t in local}) != 1:
        return None  # e.g. a country over several zones and a prefix that does not tell
    return local[0]


@lru_cache(maxsize=65_536)
def _zones(number: str) -> tuple[str, ...]:
    if not number.startswith("+"):
        return ()
    import phonenumbers
    from phonenumbers import timezone

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ()
    zones = tuple(z for z in timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")
    return zones
