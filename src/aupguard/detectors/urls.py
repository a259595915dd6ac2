"""Phishing links: feeds, lookalike brands, anchors that lie, IP hosts, executables, redirects."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict

from aupguard.detectors import filetypes as ft
from aupguard.detectors.base import (
    CONTENT_CHANNELS,
    Detector,
    Evidence,
    Finding,
    SignalSpec,
)
from aupguard.detectors.context import Context
from aupguard.detectors.lookalike import known_index, load_homoglyphs, lookalikes
from aupguard.detectors.urlfeatures import suspicion, traits, url_traits
from aupguard.detectors.urlfeeds import FeedIndex, FeedSpec
from aupguard.events.urlnorm import NormalUrl, normalize
from aupguard.events.views import UrlRef, Views

_LINK_EXTS = ft.EXECUTABLE_EXTS | ft.SCRIPT_EXTS | ft.SHORTCUT_EXTS | ft.DISK_IMAGE_EXTS
Emit = Callable[[str, float, UrlRef, str], None]  # (signal, strength, link, detail)
_KIND_SIGNAL = {
    "lookalike": "URL_LOOKALIKE",
    "in_domain": "URL_BRAND_IN_NAME",
    "in_subdomain": "URL_BRAND_IN_NAME",
    "in_path": "URL_BRAND_IN_PATH",
}


class UrlOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    feeds: list[FeedSpec] = []
    reload_check_s: float = 30.0
    max_urls: int = 200  # judged per event (the views keep up to 2,000)


class UrlsDetector(Detector):
    name = "urls"
    channels = CONTENT_CHANNELS
    description = "Judges every link: feeds, lookalike brands, lying anchors, hosts and targets."
    signals = (
        SignalSpec("URL_FEED_HIT", "A link is on a configured known-bad URL feed.", True),
        SignalSpec("URL_LOOKALIKE", "A link's domain imitates a brand (homoglyph, typo)."),
        SignalSpec("URL_BRAND_IN_NAME", "A brand's name inside a domain the brand does not own."),
        SignalSpec("URL_BRAND_IN_PATH", "A brand's name in the path on a domain it does not own."),
        SignalSpec("URL_MIXED_SCRIPT", "A host name mixes scripts (Latin with Cyrillic...)."),
        SignalSpec("URL_ANCHOR_MISMATCH", "A link shows one domain and leads to another."),
        SignalSpec("URL_IP_HOST", "A link to a bare IP address."),
        SignalSpec("URL_EXECUTABLE_LINK", "A link to a program, script, shortcut or disk image."),
        SignalSpec("URL_SHORTENER", "A link through a shortener that hides the target."),
        SignalSpec("URL_REDIRECT", "A link that redirects (in its query) to another domain."),
        SignalSpec(
            "URL_SUSPICIOUS", "A link with phishing traits (strength: how many, how strong)."
        ),
    )
    Options = UrlOptions

    def __init__(self, options: BaseModel | None = None) -> None:
        super().__init__(options)
        assert isinstance(self.options, UrlOptions)
        self.feeds = (
            FeedIndex(self.options.feeds, self.options.reload_check_s)
            if self.options.feeds
            else None
        )

    def load(self) -> None:
        load_homoglyphs()

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        assert isinstance(self.options, UrlOptions)
        refs = view.urls[: self.options.max_urls]
        if not refs:
            view.memo["signals:urls"] = []
            return []
        if self.feeds is not None:
            self.feeds.refresh()
        tenant = view.event.tenant
        best: dict[str, tuple[float, Evidence]] = {}

        def add(name: str, strength: float, ref: UrlRef, detail: str) -> None:
            if name not in best or strength > best[name][0]:
                ev = Evidence(ref.part, ref.url[:120], ref.start, detail=detail[:200])
                best[name] = (strength, ev)

        seen: set[str] = set()
        for ref in refs:
            url = normalize(ref.url)
            if url is None or ref.url in seen:
                continue
            seen.add(ref.url)
            self._judge(url, ref, ctx, tenant, add)
            for inner in url.redirects_to:
                target = normalize(inner)
                if target and target.host.registrable != url.host.registrable:
                    add("URL_REDIRECT", 1.0, ref, f"redirects to {target.host.unicode}")
                    self._judge(target, ref, ctx, tenant, add)
        view.memo["signals:urls"] = list(best)  # for the phishing model
        return [self.signal(n, s, ev) for n, (s, ev) in best.items()]

    def _judge(
        self, url: NormalUrl, ref: UrlRef, ctx: Context, tenant: str | None, emit: Emit
    ) -> None:
        host = url.host
        if self.feeds is not None:
            hit = self.feeds.lookup(url)
            if hit:
                emit("URL_FEED_HIT", 1.0, ref, f"on {hit.feed}")
        own = _own_domain(host.registrable, ctx, tenant)
        if not own:
            for m in lookalikes(host, url.path, ctx.directory, tenant):
                emit(_KIND_SIGNAL[m.kind], 1.0, ref, m.reason())
        if _mixed_script(host.unicode):
            emit("URL_MIXED_SCRIPT", 1.0, ref, f"host {host.unicode}")
        if host.is_ip:
            emit("URL_IP_HOST", 1.0, ref, f"host {host.ascii}")
        if url.shortener:
            emit("URL_SHORTENER", 1.0, ref, f"via {host.ascii}")
        last = url.path.rsplit("/", 1)[-1]
        ext = last.rsplit(".", 1)[-1].lower() if "." in last else ""
        if ext in _LINK_EXTS:
            emit("URL_EXECUTABLE_LINK", 1.0, ref, f"link to a .{ext} file")
        shown = _shown_domain(ref.anchor_text)
        # A click tracker that carries the shown destination in its URL is no deception.
        if (
            shown
            and not own
            and shown != host.registrable
            and host.registrable
            and (shown not in ref.url.lower())
        ):
            emit("URL_ANCHOR_MISMATCH", 1.0, ref, f"shows {shown}, leads to {host.registrable}")
        if not own and known_index().owner_of(host) is None:  # a brand's own site is no trap
            found = url_traits(url.raw) if url.raw == ref.url else tuple(traits(url))
            if found:
                detail = "; ".join(t for t, _ in found)
                emit("URL_SUSPICIOUS", suspicion(found), ref, detail)


def _own_domain(registrable: str, ctx: Context, tenant: str | None) -> bool:
    if not registrable or ctx.directory is None or tenant is None:
        return False
    owner = ctx.directory.owner_of_domain(registrable)
    return owner == tenant


def _mixed_script(host: str) -> bool:
    if host.isascii():
        return False
    from confusable_homoglyphs import confusables

    return any(confusables.is_mixed_script(label) for label in host.split("."))


def _shown_domain(anchor: str | None) -> str | None:
    """The registrable domain an anchor text shows, when it shows one (a URL or a host)."""
    if not anchor or "." not in anchor or len(anchor) > 300:
        return None
    text = anchor.strip().split()[0] if anchor.strip() else ""
    if "://" not in text and not text.lower().startswith("www."):
        if (
            text.count(".") < 1
            or "@" in text
            or not text.replace(".", "").replace("-", "").isalnum()
        ):
            return None
        text = "http://" + text
    url = normalize(text)
    if url is None or not url.host.suffix or not url.host.listed_suffix:
        return None  # "U.S." or "v2.x" in an anchor is no domain
    return url.host.registrable or None
