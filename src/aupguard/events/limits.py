"""Hard limits every normalizer keeps, so no input can make parsing crash or hang."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 50 * 1024 * 1024  # raw event size; past it only the prefix is read
    max_mime_depth: int = 20
    max_parts: int = 500
    max_headers: int = 1000
    max_text_chars: int = 1_000_000  # decoded text kept per part
    max_urls: int = 2000
    max_turns: int = 10_000
