"""Hand-weighted traits of phishing URLs, combined as a noisy-OR into one suspicion score.

The weights come from what abuse desks and published URL studies report (abused TLDs
and free hosting, random-looking names, credential words, e-mail addresses in the
query); they were set by hand, not fitted to any corpus.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from aupguard.events.urlnorm import NormalUrl, normalize

# TLDs with the highest share of abuse in public reports (Spamhaus, Interisle).
ABUSED_TLDS = frozenset(
    [
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "xyz",
        "top",
        "club",
        "work",
        "buzz",
        "icu",
        "cyou",
        "rest",
        "bar",
        "sbs",
        "cfd",
        "monster",
        "click",
        "link",
        "support",
        "live",
        "online",
        "site",
        "fun",
        "shop",
        "cn",
        "ru",
        "su",
        "vip",
        "win",
        "bid",
        "loan",
        "party",
        "review",
        "stream",
        "download",
        "racing",
        "date",
        "trade",
        "accountant",
        "science",
        "men",
        "kim",
        "country",
        "gdn",
        "mom",
        "lol",
        "ink",
        "beauty",
        "hair",
        "skin",
        "quest",
        "autos",
        "boats",
        "homes",
        "yachts",
        "motorcycles",
        "makeup",
    ]
)
# Free hosting, dynamic DNS and page builders: anyone gets a name in seconds.
FREE_HOSTS = frozenset(
    [
        "duckdns.org",
        "workers.dev",
        "pages.dev",
        "web.app",
        "firebaseapp.com",
        "appspot.com",
        "blogspot.com",
        "000webhostapp.com",
        "weebly.com",
        "wixsite.com",
        "ngrok.io",
        "ngrok-free.app",
        "glitch.me",
        "herokuapp.com",
        "netlify.app",
        "vercel.app",
        "github.io",
        "repl.co",
        "azurewebsites.net",
        "r2.dev",
        "ipfs.io",
        "dweb.link",
        "myftp.org",
        "no-ip.org",
        "ddns.net",
        "hopto.org",
        "zapto.org",
        "sytes.net",
        "serveo.net",
        "square.site",
        "webflow.io",
        "godaddysites.com",
        "mystrikingly.com",
        "yolasite.com",
        "jimdosite.com",
        "sites.google.com",
        "storage.googleapis.com",
        "translate.goog",
    ]
)
_CRED_WORDS = re.compile(
    r"log-?in|sign-?in|verif|account|secure|update|webscr|banking|confirm|auth|wallet|"
    r"password|passwd|suspend|unlock|billing|recover|validat|restore|credential|reactivat|"
    r"authenticat|ssl|invoice|payment|owa|office365|outlook|sharepoint"
)
_CMS_PATHS = re.compile(r"/wp-(?:content|admin|includes)/|/cgi-bin/|/~[a-z]")
_EMAIL_IN_QUERY = re.compile(r"(?:^|[&?])[a-z_]*(?:email|mail|user|login)=[^&]*(?:@|%40)")
_VOWELS = set("aeiou")
# A domain written inside the host: paypal.com.evil.net, eki-co-jp-login.example.cn.
_SUFFIX_LABELS = frozenset(
    ["com", "net", "org", "co", "jp", "uk", "de", "fr", "br", "gov", "edu", "info"]
)
_SUFFIX_IN_LABEL = re.compile(
    r"(?:^(?:com|net|org|co-jp|co-uk|com-br|ne-jp|or-jp)-|-(?:com|net|org|co-jp|co-uk|com-br|ne-jp|or-jp)(?:-|$))"
)


def _on_free_host(host: str) -> bool:
    labels = host.split(".")
    return any(".".join(labels[i:]) in FREE_HOSTS for i in range(len(labels) - 1))


@lru_cache(maxsize=65536)
def random_looking(label: str) -> bool:
    """A name no person chose to be read: digit-letter mixes, no vowels, odd letter runs."""
    core = label.replace("-", "")
    if len(core) < 5 or core.isdigit():
        return False
    digits = sum(c.isdigit() for c in core)
    switches = sum(1 for a, b in itertools.pairwise(core) if a.isdigit() != b.isdigit())
    if digits and switches >= 2:
        return True
    letters = [c for c in core if c.isalpha()]
    vowels = sum(c in _VOWELS or c == "y" for c in letters)
    if letters and len(letters) >= 6 and vowels / len(letters) < 0.2:
        return True
    run = longest = 0
    for c in core:
        run = run + 1 if c.isalpha() and c not in _VOWELS and c != "y" else 0
        longest = max(longest, run)
    return longest >= 5


@lru_cache(maxsize=32768)
def url_traits(raw: str) -> tuple[tuple[str, float], ...]:
    """Traits of one URL string, cached: links repeat across a campaign's messages."""
    url = normalize(raw)
    return tuple(traits(url)) if url is not None else ()


def traits(url: NormalUrl) -> list[tuple[str, float]]:
    """(trait, weight) for every phishing trait of one URL."""
    host = url.host
    out: list[tuple[str, float]] = []
    if host.is_ip:
        out.append(("IP-literal host", 0.5))
    if url.userinfo:
        out.append(("user@host form", 0.5))
    if host.punycode:
        out.append(("punycode host", 0.3))
    if url.port not in (None, 80, 443):
        out.append(("unusual port", 0.2))
    if host.suffix.rsplit(".", 1)[-1] in ABUSED_TLDS:
        out.append((f"abused TLD .{host.suffix}", 0.3))
    if _on_free_host(host.ascii):
        out.append(("free hosting or dynamic DNS", 0.35))
    label = host.registrable.split(".", 1)[0] if host.registrable else ""
    if label and random_looking(label):
        out.append(("random-looking domain", 0.3))
    if label.count("-") >= 2:
        out.append(("many hyphens in the domain", 0.25))
    if host.subdomain.count(".") >= 2 or len(host.ascii) > 45:
        out.append(("long or deep host name", 0.2))
    sub_labels = host.subdomain.split(".") if host.subdomain else []
    if (
        any(x in _SUFFIX_LABELS for x in sub_labels)
        or _SUFFIX_IN_LABEL.search(label)
        or any(_SUFFIX_IN_LABEL.search(x) for x in sub_labels)
    ):
        out.append(("a domain name written inside the host", 0.35))
    if host.subdomain and random_looking(host.subdomain.split(".")[0]):
        out.append(("random-looking subdomain", 0.15))
    low_path = (url.path + "?" + url.query).lower()
    words = {m.group(0) for m in _CRED_WORDS.finditer(low_path + " " + host.subdomain)}
    if words:
        out.append(
            (f"credential words ({', '.join(sorted(words)[:3])})", min(0.45, 0.2 * len(words)))
        )
    if _CMS_PATHS.search(url.path.lower()):
        out.append(("inside a CMS folder (often a compromised site)", 0.25))
    if _EMAIL_IN_QUERY.search(url.query.lower()):
        # Newsletters personalise links this way too; phishing kits pre-fill their form.
        out.append(("recipient's e-mail address in the query", 0.25))
    if url.path.lower().endswith((".php", ".asp", ".aspx")) and words:
        out.append(("server script behind credential words", 0.15))
    return out


def suspicion(found: list[tuple[str, float]] | tuple[tuple[str, float], ...]) -> float:
    keep = 1.0
    for _, w in found:
        keep *= 1.0 - w
    return 1.0 - keep
