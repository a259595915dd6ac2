"""Resolution keys found in report text: IPs, Message-IDs, feedback tokens, URLs, phones.

Every pattern is linear (bounded repeats, no nested open quantifiers), and each scan is
prefiltered with str.find where a marker exists, so a large complaint costs little.
"""

from __future__ import annotations

import email.utils
import ipaddress
import re
from collections.abc import Iterable
from datetime import UTC, datetime

import phonenumbers

from aupguard.events.urls import urls_in_text
from aupguard.reports.model import ReportKeys, SendingIp

# Mirrors enforce.tokens.PREFIX: `agf1-<16 base32>-<13 base32>` stamped on outbound mail.
TOKEN_PREFIX = "agf1-"
_TOKEN = re.compile(r"agf1-[a-z2-7]{16}-[a-z2-7]{13}(?![a-z0-9])")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_MSGID = re.compile(r"<([^<>\s@]{1,250}@[^<>\s@]{1,250})>")
ADDRESS_PATTERN = re.compile(
    r"[A-Za-z0-9._%+=-]{1,64}@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8})"
)
_SENDER_ID = re.compile(
    r"(?i)\bsender(?:[ -]?id)?\s{0,3}[:=]\s{0,3}([A-Za-z0-9][A-Za-z0-9&._-]{1,10})\b"
)
_DOMAIN = re.compile(
    r"^(?=.{3,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9-]{1,63}){1,10}$"
)


class KeyCollector:
    """Ordered, de-duplicated, capped sets of keys; `build()` gives the frozen record."""

    def __init__(self, max_each: int) -> None:
        self.max_each = max_each
        self._sets: dict[str, dict[object, None]] = {name: {} for name in ReportKeys.__slots__}  # type: ignore[attr-defined]

    def add(self, kind: str, values: Iterable[object]) -> None:
        bucket = self._sets[kind]
        for value in values:
            if len(bucket) >= self.max_each:
                return
            if isinstance(value, SendingIp):
                self._add_ip(bucket, value)
            elif value:
                bucket.setdefault(value, None)

    @staticmethod
    def _add_ip(bucket: dict[object, None], value: SendingIp) -> None:
        """One entry per IP unless the times differ; a time replaces "no time"."""
        if not value.ip:
            return
        untimed = SendingIp(value.ip)
        if value.at is not None and untimed in bucket:
            del bucket[untimed]
        elif value.at is None and any(
            isinstance(k, SendingIp) and k.ip == value.ip for k in bucket
        ):
            return
        bucket.setdefault(value, None)

    def build(self) -> ReportKeys:
        return ReportKeys(**{name: tuple(values) for name, values in self._sets.items()})  # type: ignore[arg-type]

    def text(self, text: str, phone_region: str | None, ips: bool = True) -> None:
        """Everything a free text can hold; `ips=False` for a message body, where an IP
        address is content, not the sender (a complainant's "spam from 192.0.2.1" is)."""
        self.add("feedback_tokens", tokens_in(text))
        self.add("message_ids", message_ids_in(text))
        if ips:
            self.add("sending_ips", (SendingIp(ip) for ip in ips_in(text)))
        defanged = text.replace("[.]", ".").replace("(.)", ".") if "." in text else text
        self.add("urls", (refang(u.url) for u in urls_in_text(defanged, "", self.max_each)))
        self.add("phones", phones_in(text, phone_region, self.max_each))
        self.add("sender_ids", sender_ids_in(text))


def tokens_in(text: str) -> list[str]:
    lowered = text.lower()
    found: list[str] = []
    pos = lowered.find(TOKEN_PREFIX)
    while pos != -1:
        m = _TOKEN.match(lowered, pos)
        if m and (pos == 0 or not lowered[pos - 1].isalnum()):
            found.append(m.group(0))
        pos = lowered.find(TOKEN_PREFIX, pos + len(TOKEN_PREFIX))
    return found


def message_ids_in(text: str) -> list[str]:
    if "@" not in text:
        return []
    return [m.group(1).strip() for m in _MSGID.finditer(text)]


def clean_message_id(value: str | None) -> str | None:
    """`<id@host>` -> `id@host`; None for values that are not Message-IDs."""
    if not value:
        return None
    found = message_ids_in(value)
    if found:
        return found[0]
    value = value.strip().strip("<>").strip()
    return value if "@" in value and " " not in value and len(value) <= 500 else None


def ips_in(text: str) -> list[str]:
    found: list[str] = []
    for m in _IPV4.finditer(text):
        ip = valid_ip(m.group(0))
        if ip:
            found.append(ip)
    if "::" in text or text.count(":") >= 7:
        for m in _IPV6.finditer(text):
            ip = valid_ip(m.group(0))
            if ip and ":" in ip:
                found.append(ip)
    return found


def valid_ip(text: str | None) -> str | None:
    """The canonical form of an IP address, or None; IPv4-mapped IPv6 becomes IPv4."""
    if not text:
        return None
    text = text.strip().strip("[]")
    if text.lower().startswith("ipv6:"):
        text = text[5:]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def phones_in(text: str, region: str | None, limit: int) -> list[str]:
    if not any(ch.isdigit() for ch in text[:100_000]) or (region is None and "+" not in text):
        return []
    out: list[str] = []
    matcher = phonenumbers.PhoneNumberMatcher(text, region, max_tries=limit * 4)
    for match in matcher:
        out.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
        if len(out) >= limit:
            break
    return out


def sender_ids_in(text: str) -> list[str]:
    lowered = text[:200_000].lower()
    if "sender" not in lowered:
        return []
    return [
        m.group(1)
        for m in _SENDER_ID.finditer(text[:200_000])
        if any(ch.isalpha() for ch in m.group(1))
    ]


def addresses_in(text: str) -> list[str]:
    if "@" not in text:
        return []
    return [m.group(0).lower() for m in ADDRESS_PATTERN.finditer(text)]


def domain_of(address: str | None) -> str | None:
    """The domain of an address (or a bare domain), lowercased and checked; else None."""
    if not address:
        return None
    host = address.rpartition("@")[2].strip().strip("<>.").lower()
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None
    return host if _DOMAIN.match(host) else None


def refang(url: str) -> str:
    """hxxp://example[.]com -> http://example.com: defanged links in reports still resolve."""
    url = url.replace("[.]", ".").replace("(.)", ".")
    lowered = url[:6].lower()
    if lowered.startswith("hxxp"):
        url = "http" + url[4:]
    return url


def parse_time(value: str | None) -> datetime | None:
    """An RFC 5322 date (or ISO 8601) as an aware datetime, or None when unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
