"""HTML to readable text and links with their anchor text (selectolax / Lexbor, linear time)."""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

_INVISIBLE = ["script", "style", "head", "noscript", "template"]


@dataclass(frozen=True, slots=True)
class HtmlDocument:
    text: str
    links: tuple[tuple[str, str], ...]  # (href, anchor text)
    forms: int  # <form> elements, for credential-harvesting checks
    password_inputs: int


def parse_html(html: str, max_chars: int) -> HtmlDocument:
    """Visible text (scripts and styles dropped), every <a href> and a count of forms."""
    tree = LexborHTMLParser(html[: max_chars * 4])
    links: list[tuple[str, str]] = []
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if href:
            links.append((href, " ".join((node.text(deep=True) or "").split())))
    forms = len(tree.css("form"))
    passwords = len(tree.css("input[type=password]"))
    tree.strip_tags(_INVISIBLE)
    root = tree.body or tree.root
    text = root.text(separator=" ") if root is not None else ""
    return HtmlDocument(" ".join(text.split())[:max_chars], tuple(links), forms, passwords)
