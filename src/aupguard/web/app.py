"""Mount the console and the public and tenant pages on the API application."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Added in the console change; the API works without it."""
