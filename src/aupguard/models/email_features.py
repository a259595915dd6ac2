"""Features of one e-mail for the spam model: words, header, structure and URL tokens.

Only fields a tenant's outbound mail carries count: transport headers (Received,
Return-Path, Delivered-To), mailing-list headers and Message-ID are left out on purpose,
because in the training corpora they describe how the mail was collected, not what it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

from aupguard.events.addresses import parse_address
from aupguard.events.email import EmailView
from aupguard.events.model import Role
from aupguard.models.tokens import words

Header = Callable[[str], "str | None"]
BODY_CHARS = 4_000  # longer mail: its opening decides; halves the worst-case cost
SUBJECT_CHARS = 300
MAX_URLS = 30
# Added in transit or by the corpus collectors' mailing lists and filters: never a feature.
_NOT_FEATURES = frozenset(
    [
        "received",
        "return-path",
        "delivered-to",
        "delivery-date",
        "message-id",
        "precedence",
        "sender",
        "errors-to",
        "x-keywords",
        "x-status",
        "x-sieve",
        "x-uid",
        "x-authentication-warning",
        "x-mime-autoconverted",
        "x-mail-from",
        "x-acceptable-languages",
        "x-mailscanner",
        "x-virus-scanned",
        "mail-followup-to",
        "x-beenthere",
        "x-loop",
        "x-mailing-list",
        "x-egroups-return",
        "mailing-list",
        "x-yahoo-profile",
        "x-originalarrivaltime",
        "x-exmh-version",
    ]
)
_NOT_FEATURE_PREFIXES = (
    "list-",
    "x-list",
    "x-spam",
    "x-mailman",
    "x-original",
    "x-delivered",
    "resent-",
    "x-razor",
    "x-pyzor",
    "x-vm-",
    "x-egroups",
    "x-apparently",
    "x-scanned",
    "x-virus",
)
FREEMAIL = frozenset(
    [
        "hotmail.com",
        "yahoo.com",
        "aol.com",
        "msn.com",
        "gmail.com",
        "excite.com",
        "juno.com",
        "netscape.net",
        "mail.com",
        "usa.net",
        "lycos.com",
        "outlook.com",
        "yahoo.co.uk",
        "hotmail.co.uk",
        "gmx.net",
        "gmx.de",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "icloud.com",
        "live.com",
        "proton.me",
        "protonmail.com",
    ]
)


def email_tokens(view: EmailView, rule_names: tuple[str, ...] = ()) -> list[str]:
    """Every feature token of the message (repeats kept: the model counts them)."""
    out: list[str] = ["s:" + w for w in words(view.subject, SUBJECT_CHARS)]
    budget = BODY_CHARS
    has_plain = has_html = False
    for tp in view.text_parts:
        if tp.role is Role.SUBJECT or budget <= 0:
            continue
        has_plain |= tp.role is Role.BODY and bool(tp.text) and not tp.text.isspace()
        has_html |= tp.role is Role.HTML
        out.extend(words(tp.text, budget))
        budget -= len(tp.text)
    fields = view.header  # first value, decoded (the view indexes the fields once)
    out.extend(_structure(view, has_plain, has_html))
    if _greets_recipient(view, fields):
        out.append("m:greets-recipient")
    out.extend(_headers(view, fields))
    out.extend(_urls(view))
    out.extend("r:" + name for name in rule_names)
    return out


def _greets_recipient(view: EmailView, header: Header) -> bool:
    """The opening names the addressee (a personal mailing rather than a blast)."""
    name, addr = parse_address(header("to") or "")
    candidates = {w for w in words(name, 80) if len(w) > 2}
    local = addr.partition("@")[0].lower()
    if len(local) > 2:
        candidates.add(local)
    if not candidates:
        return False
    opening = next(
        (tp.text[:400].lower() for tp in view.text_parts if tp.role is not Role.SUBJECT), ""
    )
    return any(c in opening for c in candidates)


def _structure(view: EmailView, has_plain: bool, has_html: bool) -> list[str]:
    out = ["m:html-only" if has_html and not has_plain else "m:plain" if has_plain else "m:empty"]
    if has_html and has_plain:
        out.append("m:alternative")
    atts = view.attachments
    if atts:
        out.append(f"m:attachments:{min(len(atts), 3)}")
        out.extend("m:att:" + a.sniffed_type for a in atts[:5])
    if not view.subject:
        out.append("s:*empty")
    out.extend(_html(view))
    return out


def _html(view: EmailView) -> list[str]:
    """HTML structure (`hs:`): links, anchors showing another domain, forms, little text."""
    out: list[str] = []
    for _, doc in view.html_documents[:3]:
        out.append(f"hs:links:{_bucket(len(doc.links))}")
        out.append(f"hs:text:{_bucket(len(doc.text) // 200)}")
        if doc.forms:
            out.append("hs:form")
        for href, anchor in doc.links[:MAX_URLS]:
            shown = anchor.lower().removeprefix("http://").removeprefix("https://")
            if "." in shown and " " not in shown and "/" in href:
                target = href.lower().split("//", 1)[-1].split("/", 1)[0]
                if shown.split("/", 1)[0] not in target:
                    out.append("hs:anchor-elsewhere")
                    break
    return out


def _headers(view: EmailView, header: Header) -> list[str]:
    out = [t for t in map(_field_token, [k for k, _ in view.headers[:60]]) if t]
    mailer = header("x-mailer") or header("user-agent")
    if mailer:
        first = "".join(c for c in mailer.split(None, 1)[0].lower() if c.isalpha())[:20]
        out.append("h:mailer:" + (first or "?"))
    else:
        out.append("h:mailer:none")
    priority = header("x-priority") or header("x-msmail-priority") or ""
    if priority[:1] in ("1", "2") or priority.lower().startswith("high"):
        out.append("h:priority-high")
    name, addr = view.from_address
    domain = addr.rpartition("@")[2]
    out.append("h:from-tld:" + (domain.rpartition(".")[2] or "?"))
    out.extend("fn:" + w for w in words(name, 80))
    local = addr.partition("@")[0]
    if sum(c.isdigit() for c in local) >= 3:
        out.append("h:from-local-digits")
    if domain in FREEMAIL:
        out.append("h:from-freemail")
    if not name:
        out.append("h:from-no-name")
    reply_to = header("reply-to")
    if reply_to:
        reply_domain = parse_address(reply_to)[1].lower().rpartition("@")[2]
        out.append("h:reply-to" if reply_domain == domain else "h:reply-to-elsewhere")
    present = view.has_header  # presence only: nothing to decode
    for field in ("in-reply-to", "references", "organization", "list-unsubscribe"):
        if present(field):
            out.append("h:has:" + field)
    to = header("to")
    if not to:
        out.append("h:to-missing")
    elif "undisclosed" in to.lower() or "@" not in to:
        out.append("h:to-undisclosed")
    else:
        out.append(f"h:to-count:{_bucket(to.count('@'))}")
        if header("cc"):
            out.append("h:has:cc")
    if not present("mime-version"):
        out.append("h:mime-version-missing")
    ctype = (header("content-type") or "text/plain").lower()
    out.append("h:ctype:" + ctype.split(";", 1)[0].strip()[:40])
    if "charset" in ctype:
        charset = ctype.split("charset", 1)[1].lstrip(" =\"'").split(";", 1)[0]
        out.append("h:charset:" + charset.strip("\"' ")[:20])
    if not present("date"):
        out.append("h:date-missing")
    return out


@lru_cache(maxsize=2_048)
def _field_token(key: str) -> str:
    """`hn:<name>` for a header field that counts as a feature, "" for the others."""
    name = key.lower()
    if name in _NOT_FEATURES or name.startswith(_NOT_FEATURE_PREFIXES):
        return ""
    return "hn:" + name[:40]


def _urls(view: EmailView) -> list[str]:
    refs = view.urls
    out = [f"u:count:{_bucket(len(refs))}"]
    sender = ".".join(view.from_address[1].rpartition("@")[2].split(".")[-2:])
    others: set[str] = set()
    for ref in refs[:MAX_URLS]:
        parts = url_parts(ref.url)
        if parts is None:
            out.append("u:malformed")
            continue
        scheme, host, port, query, path_words = parts
        if scheme in ("mailto", "tel"):
            out.append("u:scheme:" + scheme)
            continue
        if not host:
            continue
        labels = host.split(".")
        if labels[-1].isdigit():
            out.append("u:ip-host")
        else:
            out.append("u:tld:" + labels[-1])
            registrable = ".".join(labels[-2:])
            out.append("u:domain:" + registrable)
            if registrable == sender:
                out.append("u:from-domain")
            else:
                others.add(registrable)
        if port:
            out.append("u:port")
        if query:
            out.append("u:query")
        out.extend(path_words)
    out.append(f"u:other-domains:{_bucket(len(others))}")
    return out


# The common link form, split without urlsplit (which costs a few microseconds a link):
# http(s), a plain host name or IPv4 address, an optional port, then path, query or the end.
_SIMPLE_URL = re.compile(r"(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?(?=[/?#]|$)", re.I)


@lru_cache(maxsize=4_096)
def url_parts(url: str) -> tuple[str, str, bool, bool, tuple[str, ...]] | None:
    """(scheme, host, has a port, has a query, path word tokens) of a link, None when it
    is malformed; what urlsplit gives (tests/models/test_email_features.py). Cached: the
    rules and the features both ask, and campaigns repeat links."""
    url = url.strip()
    m = _SIMPLE_URL.match(url)
    if m is None or not url.isascii() or not _NO_SPECIAL.isdisjoint(url):
        return _split_url(url)
    if m.group(3) is not None and int(m.group(3)) > 65_535:
        return None  # urlsplit: port out of range
    rest = url[m.end() :]
    path, _, query = rest.partition("#")[0].partition("?")
    return (
        m.group(1).lower(),
        m.group(2).lower(),
        bool(m.group(3) and int(m.group(3))),
        bool(query),
        _path_words(path),
    )


_NO_SPECIAL = frozenset("\t\r\n@[]\\")  # urlsplit strips or treats these specially


def _split_url(url: str) -> tuple[str, str, bool, bool, tuple[str, ...]] | None:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = bool(parts.port)
    except ValueError:
        return None
    return parts.scheme, host, port, bool(parts.query), _path_words(parts.path)


def _path_words(path: str) -> tuple[str, ...]:
    return tuple("u:p:" + w for w in words(path, 120) if len(w) > 2)


def _bucket(n: int) -> str:
    return "0" if n == 0 else "1" if n == 1 else "2-4" if n < 5 else "5-9" if n < 10 else "10+"
