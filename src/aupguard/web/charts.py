"""Small server-side SVG bar charts for the dashboard (no JavaScript, no front-end build)."""

from __future__ import annotations

from collections import Counter

from markupsafe import Markup, escape


def bar_chart(values: Counter[str], width: int = 520, bar: int = 22) -> Markup:
    """Horizontal bars, one per key, sorted by key; empty data gives a short note."""
    if not values:
        return Markup('<p class="muted">no data yet</p>')
    items = sorted(values.items())
    top = max(v for _, v in items) or 1
    label_w, height = 170, bar * len(items) + 10
    parts = [
        f'<svg width="{width}" height="{height}" role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (key, value) in enumerate(items):
        y = 5 + i * bar
        w = int((width - label_w - 60) * value / top)
        parts.append(
            f'<text x="4" y="{y + 15}" font-size="12">{escape(key)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{bar - 8}" '
            f'fill="#1f5fbf"><title>{escape(key)}: {value}</title></rect>'
            f'<text x="{label_w + w + 6}" y="{y + 15}" font-size="12">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
