"""HTML attachments that harvest credentials or smuggle a file past the mail filter."""

from __future__ import annotations

import re
from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser

from aupguard.detectors.base import (
    MESSAGE_CHANNELS,
    Detector,
    Evidence,
    Finding,
    SignalSpec,
)
from aupguard.detectors.context import Context
from aupguard.events.archives import is_html
from aupguard.events.views import Views

_MAX_HTML = 4 * 1024 * 1024
# Script calls that build a file in the browser and hand it to the user (HTML smuggling).
_SMUGGLING_CALLS = ("msSaveOrOpenBlob", "msSaveBlob", "createObjectURL", "saveAs(")
_B64_BLOB = re.compile(r"[A-Za-z0-9+/]{4000}")  # a 3 kB+ base64 run inside a script
_CREDENTIAL_NAMES = re.compile(r"(?i)pass(?:word|wd)?|passcode|\bpin\b|otp|cvv|login|username")


class HtmlFilesDetector(Detector):
    name = "html_files"
    channels = MESSAGE_CHANNELS
    description = "Finds credential forms and HTML smuggling in HTML and SVG attachments."
    signals = (
        SignalSpec("HTML_CREDENTIAL_FORM", "An attached page asks for a password or login."),
        SignalSpec(
            "HTML_SMUGGLING", "An attached page builds a file in the browser (blob, data:)."
        ),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if not view.attachments:
            return []
        found: dict[str, Finding] = {}
        for att in view.files:
            if not is_html(att):
                continue
            html = att.data[:_MAX_HTML].decode("utf-8", "replace")
            tree = LexborHTMLParser(html)
            cred = _credential_form(tree)
            if cred and "HTML_CREDENTIAL_FORM" not in found:
                ev = Evidence(att.part, att.name, detail=cred)
                found["HTML_CREDENTIAL_FORM"] = self.signal("HTML_CREDENTIAL_FORM", 1.0, ev)
            smuggling = _smuggling(tree, html)
            if smuggling and "HTML_SMUGGLING" not in found:
                ev = Evidence(att.part, att.name, detail=smuggling)
                found["HTML_SMUGGLING"] = self.signal("HTML_SMUGGLING", 1.0, ev)
        return list(found.values())


def _credential_form(tree: LexborHTMLParser) -> str | None:
    if tree.css_first("input[type=password]") is not None:
        return "password input"
    for node in tree.css("input"):
        attrs = " ".join(f"{v}" for v in node.attributes.values() if v)
        if _CREDENTIAL_NAMES.search(attrs):
            return f"input {attrs[:60]}"
    return None


def _smuggling(tree: LexborHTMLParser, html: str) -> str | None:
    for node in tree.css("a[download]"):
        href = (node.attributes.get("href") or "").strip().lower()
        if href.startswith(("data:", "blob:")) and not href.startswith("data:image/"):
            return "a download link to a data: or blob: URI"
    scripts = " ".join(n.text() or "" for n in tree.css("script"))
    for call in _SMUGGLING_CALLS:
        if call in scripts and ("atob(" in scripts or "Blob(" in scripts):
            return f"script calls {call.rstrip('(')} on a generated blob"
    if "atob(" in scripts and _B64_BLOB.search(scripts):
        return "script decodes a large base64 payload"
    return None
