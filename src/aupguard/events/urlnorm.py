"""URLs normalised for judging: IDNA both ways, public-suffix split, redirects inside queries.

The public-suffix list is tldextract's bundled snapshot (no network at run time);
private suffixes count, so `evil.workers.dev` and `x.duckdns.org` are registrable
domains of their own. Results are cached per host: hosts repeat far more than URLs.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)
# Link shorteners: the real target is hidden until clicked.
SHORTENERS = frozenset(
    [
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "cutt.ly",
        "rebrand.ly",
        "shorturl.at",
        "rb.gy",
        "t.ly",
        "tiny.cc",
        "bl.ink",
        "lnkd.in",
        "s.id",
        "v.gd",
        "qr.co",
        "soo.gd",
        "shorte.st",
        "adf.ly",
        "bit.do",
        "mcaf.ee",
        "tr.im",
        "x.co",
        "urlz.fr",
        "1url.com",
        "clck.ru",
        "u.to",
    ]
)
# Query keys that carry a destination in open redirects and click trackers.
_REDIRECT_KEYS = frozenset(
    [
        "url",
        "u",
        "q",
        "r",
        "redirect",
        "redirect_uri",
        "redirect_url",
        "redir",
        "target",
        "dest",
        "destination",
        "next",
        "continue",
        "goto",
        "link",
        "to",
        "out",
        "return",
        "returnurl",
        "return_url",
        "rurl",
    ]
)
_DEFANG = (("hxxps://", "https://"), ("hxxp://", "http://"), ("[.]", "."), ("(.)", "."))
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]{0,15}:")


@dataclass(frozen=True, slots=True)
class Host:
    """A host name split along the public-suffix list."""

    ascii: str  # lower-case, punycode (xn--) form
    unicode: str  # what a reader sees
    registrable: str  # eTLD+1 in unicode form ('' for IP literals and bare suffixes)
    subdomain: str
    suffix: str
    is_ip: bool
    punycode: bool
    listed_suffix: bool = True  # False: the suffix is not on the public-suffix list


@dataclass(frozen=True, slots=True)
class NormalUrl:
    raw: str
    scheme: str
    host: Host
    port: int | None
    userinfo: bool  # user@host: the part before @ is what a reader takes for the host
    path: str  # percent-decoded
    query: str
    redirects_to: tuple[str, ...]  # URLs found inside the query (open redirects, trackers)

    @property
    def shortener(self) -> bool:
        return self.host.registrable in SHORTENERS or self.host.ascii in SHORTENERS


@lru_cache(maxsize=65536)
def split_host(host: str) -> Host:
    """IDNA both ways and the public-suffix split of one host name (cached)."""
    h = host.strip().strip(".").lower()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if _is_ip(h):
        return Host(h, h, "", "", "", True, False)
    uni = _to_unicode(h)
    asc = _to_ascii(uni) or h
    ext = _EXTRACT(uni)
    if ext.suffix or "." not in uni:
        registrable = f"{ext.domain}.{ext.suffix}" if ext.domain and ext.suffix else ""
        return Host(asc, uni, registrable, ext.subdomain, ext.suffix, False, "xn--" in asc)
    # A suffix the list does not know (.example, .test, .internal): the last label is one.
    labels = uni.split(".")
    sub = ".".join(labels[:-2])
    return Host(asc, uni, ".".join(labels[-2:]), sub, labels[-1], False, "xn--" in asc, False)


def _is_ip(h: str) -> bool:
    if not h.isascii():
        return False
    if h.replace(".", "").isdigit() or ":" in h:
        try:
            ipaddress.ip_address(h)
            return True
        except ValueError:
            # Decimal, octal or hex forms (http://3232235777/) still reach an address.
            return h.isdigit() and 0 < int(h) < 2**32
    return h.startswith("0x") and all(c in "0123456789abcdefx." for c in h)


def _to_unicode(h: str) -> str:
    if "xn--" not in h:
        return h
    labels = []
    for label in h.split("."):
        try:
            labels.append(
                label.encode("ascii").decode("idna") if label.startswith("xn--") else label
            )
        except UnicodeError:
            labels.append(label)
    return ".".join(labels)


def _to_ascii(h: str) -> str | None:
    if h.isascii():
        return h
    try:
        return h.encode("idna").decode("ascii")
    except UnicodeError:
        return None


@lru_cache(maxsize=32768)
def normalize(url: str, depth: int = 0) -> NormalUrl | None:
    """A URL split for judging, or None when it has no host (mailto:, relative links).

    Cached: the result is immutable and links repeat across a campaign's messages.
    """
    text = url.strip()
    for old, new in _DEFANG:
        text = text.replace(old, new)
    if text.lower().startswith("www."):
        text = "http://" + text
    if not _SCHEME.match(text):
        return None
    try:
        parts = urlsplit(text[:4096])
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "ftp") or not parts.hostname:
        return None
    host = split_host(unquote(parts.hostname))
    redirects: list[str] = []
    if parts.query and depth < 3:
        for key, value in parse_qsl(parts.query, keep_blank_values=False)[:50]:
            v = value.strip()
            if key.lower() in _REDIRECT_KEYS or v.lower().startswith(("http://", "https://")):
                inner = v if "://" in v else ("http://" + v if v.startswith("www.") else "")
                if inner and normalize(inner, depth + 1) is not None:
                    redirects.append(inner)
    return NormalUrl(
        raw=url,
        scheme=parts.scheme.lower(),
        host=host,
        port=port,
        userinfo="@" in parts.netloc,
        path=unquote(parts.path),
        query=parts.query,
        redirects_to=tuple(redirects),
    )


def url_key(url: NormalUrl) -> str:
    """A canonical form for feed look-ups: host in ASCII, no scheme, no trailing slash."""
    path = url.path.rstrip("/")
    query = f"?{url.query}" if url.query else ""
    return f"{url.host.ascii}{path}{query}"
