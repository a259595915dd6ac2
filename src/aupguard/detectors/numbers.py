"""Phone numbers for the telephony detectors: digits, 100-number blocks, country, tariff."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType

_PREMIUM = {
    PhoneNumberType.PREMIUM_RATE: "premium-rate",
    PhoneNumberType.SHARED_COST: "shared-cost",
}


def digits(number: str) -> str:
    """E.164 digits without the plus; empty when the number has too few digits to use."""
    only = "".join(c for c in number[:40] if c.isdigit())
    return only if len(only) >= 6 else ""


def block(number_digits: str) -> str:
    """The 100-number block a number sits in (all digits but the last two)."""
    return number_digits[:-2]


@lru_cache(maxsize=65_536)
def country(number_digits: str) -> str:
    """ISO region of an E.164 number from its country calling code ('ZZ' when unknown)."""
    for size in (1, 2, 3):
        region = phonenumbers.region_code_for_country_code(int(number_digits[:size]))
        if region != "ZZ":
            return region
    return "ZZ"


@lru_cache(maxsize=65_536)
def tariff(number_digits: str) -> str | None:
    """'premium-rate' or 'shared-cost' by the numbering plan (libphonenumber), else None."""
    try:
        parsed = phonenumbers.parse("+" + number_digits)
    except phonenumbers.NumberParseException:
        return None
    return _PREMIUM.get(phonenumbers.number_type(parsed))
