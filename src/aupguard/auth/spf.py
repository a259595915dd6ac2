"""SPF (RFC 7208) with pyspf, asking DNS through our resolver and deadline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import spf

from aupguard.auth.resolver import Mx, Resolver, Txt
from aupguard.errors import DnsError, DnsTempError

# pyspf asks DNS through its module-level `DNSLookup`. We install one dispatcher, once:
# inside `check_spf` it answers from the caller's resolver (held in a context variable,
# so threads and tasks never see each other's); anywhere else it is pyspf's own.
_ACTIVE: ContextVar[tuple[Resolver, float | None] | None] = ContextVar("aupguard_spf", default=None)
_PYSPF_LOOKUP = spf.DNSLookup
RESULTS = ("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror")


@dataclass(frozen=True, slots=True)
class SpfResult:
    """The SPF result for one identity (the envelope sender, or postmaster@HELO)."""

    result: str  # pass, fail, softfail, neutral, none, permerror, temperror
    domain: str  # the domain whose policy was checked
    identity: str  # "mailfrom" or "helo"
    explanation: str = ""


def _dispatch(name: str, qtype: str, strict: Any = True, timeout: Any = None) -> Iterator[Any]:
    active = _ACTIVE.get()
    if active is None:
        yield from _PYSPF_LOOKUP(name, qtype, strict, timeout)
        return
    resolver, deadline = active
    try:
        answer = resolver.query(name, qtype, deadline)
    except DnsTempError as exc:
        raise spf.TempError(f"DNS {exc}") from exc
    except DnsError:
        return  # a name DNS cannot hold has no records
    for record in answer.records:
        if isinstance(record, Txt):
            yield (name, qtype), record.strings
        elif isinstance(record, Mx):
            yield (name, qtype), (record.preference, record.exchange)
        else:
            yield (name, qtype), record


spf.DNSLookup = _dispatch


def check_spf(
    ip: str,
    mail_from: str,
    helo: str,
    resolver: Resolver,
    deadline: float | None = None,
    *,
    strict: bool = True,
    default_explanation: str | None = None,
) -> SpfResult:
    """Evaluate SPF for the envelope sender (or postmaster@HELO when it is null)."""
    identity = "mailfrom" if mail_from else "helo"
    sender = mail_from or f"postmaster@{helo}"
    domain = sender.rpartition("@")[2].lower()
    budget = 20.0 if deadline is None else max(0.001, deadline - time.monotonic())
    token = _ACTIVE.set((resolver, deadline))
    try:
        query = spf.query(i=ip, s=sender, h=helo, strict=strict, querytime=budget)
        if default_explanation is not None:
            query.set_default_explanation(default_explanation)
        result, _code, explanation = query.check()
    except ValueError as exc:  # pyspf rejects an unparseable client IP
        return SpfResult("permerror", domain, identity, f"invalid client IP {ip!r}: {exc}")
    finally:
        _ACTIVE.reset(token)
    result = {"unknown": "permerror", "error": "temperror"}.get(result, result)
    return SpfResult(result, domain, identity, explanation or "")
