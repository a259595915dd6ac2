"""DKIM (RFC 6376, RSA and Ed25519 per RFC 8463) and ARC (RFC 8617) with dkimpy."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import dkim
from dkim.util import InvalidTagValueList, parse_tag_value

from aupguard.auth.resolver import Resolver, Txt
from aupguard.errors import DnsError, DnsTempError

_LOG = logging.getLogger("aupguard.auth.dkimpy")
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False  # dkimpy logs every bad signature at ERROR: ours is in the result
MAX_SIGNATURES = 8  # more than this is abuse: the rest are reported, not verified


@dataclass(frozen=True, slots=True)
class DkimResult:
    """One DKIM-Signature and what verifying it gave (RFC 8601 result names)."""

    domain: str  # d=
    selector: str  # s=
    algorithm: str  # a=
    result: str  # pass, fail, neutral, permerror, temperror
    reason: str = ""
    identity: str = ""  # i=


@dataclass(frozen=True, slots=True)
class ArcResult:
    """The chain validation status of the ARC sets a message carries."""

    result: str  # none, pass, fail, temperror
    instances: int = 0
    reason: str = ""
    terminated: bool = False  # fail because a sealer already reported cv=fail (5.2 step 2)


class _DnsBridge:
    """dkimpy's `dnsfunc`: TXT from our resolver, remembering a timeout for TEMPERROR."""

    def __init__(self, resolver: Resolver, deadline: float | None) -> None:
        self.resolver = resolver
        self.deadline = deadline
        self.timed_out = ""
        self.missing = False

    def __call__(self, name: bytes | str, timeout: float = 5) -> bytes | None:
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        try:
            answer = self.resolver.query(text, "TXT", self.deadline)
        except DnsTempError as exc:
            self.timed_out = str(exc)
            raise dkim.DnsTimeoutError(str(exc)) from exc
        except DnsError:
            self.missing = True
            return None
        txts = [r for r in answer.records if isinstance(r, Txt)]
        self.missing = not txts
        return b"".join(txts[0].strings) if txts else None


def signature_tags(raw_value: bytes | str) -> dict[bytes, bytes]:
    """Tags of a DKIM-Signature or ARC header value; empty when it cannot be parsed."""
    value = (
        raw_value.encode("utf-8", "surrogateescape") if isinstance(raw_value, str) else raw_value
    )
    try:
        return dict(parse_tag_value(value))
    except (InvalidTagValueList, ValueError):
        return {}


def verify_dkim(
    raw: bytes, resolver: Resolver, deadline: float | None = None, minkey: int = 1024
) -> tuple[DkimResult, ...]:
    """Verify every DKIM-Signature of `raw` (at most MAX_SIGNATURES); empty when unsigned."""
    head = header_block(raw)
    if b"dkim-signature" not in head.lower():
        # Unsigned (most mail): check the header section as dkimpy would, without its
        # constructor splitting and re-joining the whole body. If that check fails, the
        # full parse below gives the same answer it always gave.
        try:
            dkim.rfc822_parse(head + b"\n\n")
        except dkim.DKIMException:
            pass
        else:
            return ()
    try:
        signer = dkim.DKIM(raw, logger=_LOG, minkey=minkey)
    except dkim.DKIMException as exc:
        return (DkimResult("", "", "", "permerror", f"unparseable message: {exc}"),)
    headers = [v for k, v in signer.headers if k.lower() == b"dkim-signature"]
    return tuple(
        _verify_one(signer, idx, value, resolver, deadline) for idx, value in enumerate(headers)
    )


def _verify_one(
    signer: dkim.DKIM, idx: int, value: bytes, resolver: Resolver, deadline: float | None
) -> DkimResult:
    tags = signature_tags(value)
    domain, selector, algorithm, identity = (
        tags.get(k, b"").decode("ascii", "replace").strip() for k in (b"d", b"s", b"a", b"i")
    )
    domain = domain.lower()

    def done(result: str, reason: str = "") -> DkimResult:
        return DkimResult(domain, selector, algorithm, result, reason[:200], identity)

    if idx >= MAX_SIGNATURES:
        return done("neutral", f"not verified: more than {MAX_SIGNATURES} signatures")
    bridge = _DnsBridge(resolver, deadline)
    try:
        ok = signer.verify(idx, dnsfunc=bridge)
    except dkim.ValidationError as exc:
        return done("fail", str(exc))
    except dkim.DKIMException as exc:
        return done("permerror", f"{type(exc).__name__}: {exc}")
    if ok:
        return done("pass")
    if bridge.timed_out:
        return done("temperror", bridge.timed_out)
    if bridge.missing:
        return done("permerror", f"no key at {selector}._domainkey.{domain}")
    return done("fail", f"no valid signature with the key at {selector}._domainkey.{domain}")


def header_block(raw: bytes) -> bytes:
    """The header section of a raw message (up to the first empty line)."""
    ends = [i for i in (raw.find(b"\n\n"), raw.find(b"\r\n\r\n")) if i >= 0]
    return raw[: min(ends)] if ends else raw


def verify_arc(raw: bytes, resolver: Resolver, deadline: float | None = None) -> ArcResult:
    """Validate the ARC chain (RFC 8617 section 5.2); 'none' when there is no ARC set."""
    head = b"\n" + header_block(raw).lower()
    if b"\narc-" not in head:
        return ArcResult("none")
    bridge = _DnsBridge(resolver, deadline)
    try:
        verifier = dkim.ARC(raw, logger=_LOG)
        cv, results, comment = verifier.verify(dnsfunc=bridge)
    except dkim.DKIMException as exc:
        cv, results, comment = dkim.CV_Fail, [], str(exc)
    if cv is None:  # dkimpy: an ARC-Seal said cv=fail, so the chain ended there
        return ArcResult("fail", len(results), str(comment)[:200], terminated=True)
    result = cv.decode("ascii") if isinstance(cv, bytes) else str(cv)
    if result == "fail" and bridge.timed_out:
        return ArcResult("temperror", len(results), bridge.timed_out[:200])
    return ArcResult(result, len(results), str(comment)[:200])
