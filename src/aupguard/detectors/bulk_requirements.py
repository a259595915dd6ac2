"""What mailbox providers and carriers require of bulk: one-click unsubscribe, opt-out text."""

from __future__ import annotations

import re

from aupguard.events.email import EmailView

_ANGLED = re.compile(r"<([^<>\s]{1,2048})>")
_OPT_OUT_WORDS = ("stop", "opt out", "opt-out", "optout", "unsubscribe", "arret", "arrêt", "baja")


def missing_one_click(view: EmailView) -> str:
    """What RFC 8058 one-click unsubscribe lacks in this message ("" when it is all there).

    Needs: List-Unsubscribe with an https URI, List-Unsubscribe-Post exactly
    `List-Unsubscribe=One-Click`, and, when the message is DKIM-signed, both fields in the
    signature's h= tag (RFC 8058 section 4). Whether that signature verifies and aligns is
    the origin checks' AUTH_NOT_ALIGNED.
    """
    unsubscribe = view.header("List-Unsubscribe")
    if not unsubscribe:
        return "no List-Unsubscribe header"
    uris = _ANGLED.findall(unsubscribe)
    if not any(u.lower().startswith("https://") for u in uris):
        return "List-Unsubscribe has no https URI (one-click needs one)"
    post = (view.header("List-Unsubscribe-Post") or "").strip()
    if post != "List-Unsubscribe=One-Click":
        return "no List-Unsubscribe-Post: List-Unsubscribe=One-Click header"
    for sig in view.header_all("DKIM-Signature"):
        signed = _signed_fields(sig)
        if not {"list-unsubscribe", "list-unsubscribe-post"} <= signed:
            return "the DKIM signature does not cover List-Unsubscribe and List-Unsubscribe-Post"
    return ""


def missing_opt_out_notice(text: str) -> bool:
    """True when a bulk SMS/chat text says nothing about how to opt out."""
    low = text[:2_000].lower()
    return not any(word in low for word in _OPT_OUT_WORDS)


def _signed_fields(signature: str) -> set[str]:
    for tag in "".join(signature.split()).split(";"):
        name, _, value = tag.partition("=")
        if name == "h":
            return {f.lower() for f in value.split(":") if f}
    return set()
