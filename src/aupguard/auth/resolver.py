"""DNS for e-mail authentication: a resolver protocol with deadlines, a TTL cache, zone data."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from aupguard.errors import DnsError, DnsTempError

RDTYPES = frozenset({"A", "AAAA", "MX", "PTR", "TXT", "CNAME", "NS"})


@dataclass(frozen=True, slots=True)
class Mx:
    preference: int
    exchange: str


@dataclass(frozen=True, slots=True)
class Txt:
    """One TXT record: its character-strings, which a reader joins without separators."""

    strings: tuple[bytes, ...]

    @property
    def text(self) -> str:
        return b"".join(self.strings).decode("utf-8", "replace")


Record = str | Mx | Txt  # A, AAAA, PTR, CNAME, NS: the address or target name as text


@dataclass(frozen=True, slots=True)
class Answer:
    """The records of one type at one name; `exists` is False for NXDOMAIN."""

    records: tuple[Record, ...] = ()
    ttl: int = 300
    exists: bool = True


class Resolver(Protocol):
    """Answers DNS questions by an absolute `time.monotonic()` deadline.

    Raises DnsTempError when the deadline passes or the server fails (TEMPERROR), and
    DnsError for a name that cannot be asked (PERMERROR). CNAMEs are followed.
    """

    def query(self, name: str, rdtype: str, deadline: float | None = None) -> Answer: ...


def normalize_name(name: str) -> str:
    return name.strip().rstrip(".").lower()


def remaining(deadline: float | None, default: float, what: str) -> float:
    """Seconds left before `deadline`, at most `default`; DnsTempError when none are left."""
    if deadline is None:
        return default
    left = deadline - time.monotonic()
    if left <= 0:
        raise DnsTempError(f"{what}: the look-up deadline passed before it could be asked")
    return min(default, left)


class DnsResolver:
    """dnspython stub resolver: the system's name servers, or the ones given."""

    def __init__(self, nameservers: Sequence[str] | None = None, timeout: float = 2.0) -> None:
        import dns.resolver

        self.timeout = timeout
        try:
            self._resolver = dns.resolver.Resolver(configure=not nameservers)
        except dns.resolver.NoResolverConfiguration:
            self._resolver = dns.resolver.Resolver(configure=False)
        if nameservers:
            self._resolver.nameservers = list(nameservers)

    def query(self, name: str, rdtype: str, deadline: float | None = None) -> Answer:
        import dns.exception
        import dns.name
        import dns.resolver

        what = f"{rdtype} {name}"
        lifetime = remaining(deadline, self.timeout, what)
        try:
            ans = self._resolver.resolve(
                name, rdtype, lifetime=lifetime, raise_on_no_answer=False, search=False
            )
        except dns.resolver.NXDOMAIN:
            return Answer((), 300, exists=False)
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise DnsTempError(f"{what}: {exc}") from exc
        except (dns.name.NameTooLong, dns.name.LabelTooLong, dns.name.EmptyLabel) as exc:
            raise DnsError(f"{what}: not a valid DNS name ({exc})") from exc
        except dns.exception.DNSException as exc:
            raise DnsTempError(f"{what}: {exc}") from exc
        rrset = ans.rrset
        if rrset is None:
            return Answer((), _negative_ttl(ans))
        return Answer(tuple(_record(rdtype, rd) for rd in rrset), rrset.ttl)


def _negative_ttl(ans: object) -> int:
    try:
        soa = ans.response.authority[0]  # type: ignore[attr-defined]
        return int(min(soa.ttl, soa[0].minimum))
    except (AttributeError, IndexError):
        return 300


def _record(rdtype: str, rd: object) -> Record:
    if rdtype in ("A", "AAAA"):
        return str(rd.address)  # type: ignore[attr-defined]
    if rdtype == "MX":
        return Mx(int(rd.preference), rd.exchange.to_text(True))  # type: ignore[attr-defined]
    if rdtype == "TXT":
        return Txt(tuple(rd.strings))  # type: ignore[attr-defined]
    return str(rd.target.to_text(True))  # type: ignore[attr-defined]


class CachingResolver:
    """A TTL cache in front of another resolver; bounded, least recently used first out.

    Temporary failures are remembered for `error_ttl` seconds so that an unreachable
    server costs one deadline, not one per message; a failure caused only by the caller's
    deadline running out is not remembered.
    """

    def __init__(
        self,
        upstream: Resolver,
        max_entries: int = 100_000,
        max_ttl: int = 86_400,
        error_ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.upstream = upstream
        self.max_entries = max_entries
        self.max_ttl = max_ttl
        self.error_ttl = error_ttl
        self.clock = clock
        self.hits = 0
        self.misses = 0
        self._cache: OrderedDict[tuple[str, str], tuple[float, Answer | DnsTempError]] = (
            OrderedDict()
        )

    def query(self, name: str, rdtype: str, deadline: float | None = None) -> Answer:
        key = (normalize_name(name), rdtype)
        now = self.clock()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            self.hits += 1
            self._cache.move_to_end(key)
            if isinstance(hit[1], DnsTempError):
                raise hit[1]
            return hit[1]
        self.misses += 1
        remaining(deadline, 1.0, f"{rdtype} {name}")  # a spent budget never asks upstream
        try:
            answer = self.upstream.query(name, rdtype, deadline)
        except DnsTempError as exc:
            if deadline is None or time.monotonic() < deadline:
                self._store(key, now + self.error_ttl, exc)
            raise
        self._store(key, now + min(max(answer.ttl, 0), self.max_ttl), answer)
        return answer

    def _store(self, key: tuple[str, str], expires: float, value: Answer | DnsTempError) -> None:
        self._cache[key] = (expires, value)
        self._cache.move_to_end(key)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)


TIMEOUT = "TIMEOUT"
ZoneEntry = tuple[str, Record | str] | str  # (type, value), or TIMEOUT for the whole name


class ZoneResolver:
    """Answers from zone data in memory, for tests and offline runs; no network.

    Entries at a name are kept in order. `TIMEOUT` as an entry makes a question for a
    type with no record before it time out; `(type, TIMEOUT)` times out that type (the
    openspf test-suite conventions). CNAMEs are followed, at most 10 deep.
    """

    def __init__(self, zone: Mapping[str, Iterable[ZoneEntry]], ttl: int = 300) -> None:
        self.ttl = ttl
        self.queries = 0
        self._zone: dict[str, list[ZoneEntry]] = {}
        for name, entries in zone.items():
            self._zone.setdefault(normalize_name(name), []).extend(entries)

    def add(self, name: str, rdtype: str, value: Record | str) -> None:
        entry = TIMEOUT if value == TIMEOUT else _coerce(rdtype, value)
        self._zone.setdefault(normalize_name(name), []).append((rdtype, entry))

    def query(self, name: str, rdtype: str, deadline: float | None = None) -> Answer:
        self.queries += 1
        remaining(deadline, 1.0, f"{rdtype} {name}")
        current = normalize_name(name)
        seen: set[str] = set()
        for _ in range(10):
            entries = self._zone.get(current)
            if entries is None:
                return Answer((), self.ttl, exists=False)
            records, cname = self._lookup(entries, rdtype, f"{rdtype} {name}")
            if records or cname is None or rdtype == "CNAME":
                return Answer(tuple(records), self.ttl)
            if cname in seen:
                return Answer((), self.ttl)  # a CNAME loop answers nothing
            seen.add(current)
            current = cname
        raise DnsError(f"{rdtype} {name}: CNAME chain longer than 10")

    @staticmethod
    def _lookup(
        entries: list[ZoneEntry], rdtype: str, what: str
    ) -> tuple[list[Record], str | None]:
        records: list[Record] = []
        cname: str | None = None
        for entry in entries:
            if entry == TIMEOUT:
                if not records:
                    raise DnsTempError(f"{what}: timed out (zone data)")
                break
            if isinstance(entry, str):
                continue
            kind, value = entry
            if value == TIMEOUT:
                if kind == rdtype:
                    raise DnsTempError(f"{what}: timed out (zone data)")
                continue
            if kind == rdtype:
                records.append(_coerce(kind, value))
            elif kind == "CNAME" and isinstance(value, str):
                cname = normalize_name(value)
        return records, cname

    @classmethod
    def from_text(cls, text: str, source: str = "zone") -> ZoneResolver:
        """Lines of `name TYPE value` (`#` comments); TXT values may be "quoted" strings."""
        zone: dict[str, list[ZoneEntry]] = {}
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            parts = line.split(None, 2)
            if len(parts) == 2 and parts[1].upper() == TIMEOUT:
                zone.setdefault(parts[0], []).append(TIMEOUT)
                continue
            if len(parts) < 3 or parts[1].upper() not in RDTYPES:
                raise DnsError(
                    f"{source}:{number}: expected 'name TYPE value' with TYPE one of "
                    f"{', '.join(sorted(RDTYPES))}, got {line[:80]!r}"
                )
            rdtype, value = parts[1].upper(), parts[2]
            entry: Record | str = TIMEOUT if value == TIMEOUT else _parse_value(rdtype, value)
            zone.setdefault(parts[0], []).append((rdtype, entry))
        return cls(zone)


def _coerce(rdtype: str, value: Record | str) -> Record:
    if isinstance(value, Mx | Txt):
        return value
    if rdtype == "TXT":
        return Txt((value.encode("utf-8", "surrogateescape"),))
    if rdtype == "MX":
        return _parse_value("MX", value)
    return normalize_name(value) if rdtype in ("CNAME", "PTR", "NS") else value


def _parse_value(rdtype: str, value: str) -> Record:
    if rdtype == "MX":
        pref, _, host = value.partition(" ")
        return Mx(int(pref), normalize_name(host))
    if rdtype == "TXT":
        value = value.strip()
        if value.startswith('"'):
            chunks = [c for i, c in enumerate(value.split('"')) if i % 2 == 1]
            return Txt(tuple(c.encode("utf-8") for c in chunks))
        return Txt((value.encode("utf-8"),))
    return _coerce(rdtype, value.strip())
