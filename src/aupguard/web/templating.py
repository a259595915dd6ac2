"""Jinja2 templates with autoescape, and the filters the pages share."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

templates = Jinja2Templates(directory=str(files("aupguard.web") / "templates"))


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def highlight(excerpt: str) -> Markup:
    """An evidence excerpt shown as the offending span (already PII-masked when stored)."""
    return Markup("<mark>") + escape(excerpt) + Markup("</mark>") if excerpt else Markup("")


templates.env.filters["when"] = when
templates.env.filters["highlight"] = highlight
