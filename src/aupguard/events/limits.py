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
    # Archives (events/archives.py): opened lazily, only when a detector asks for members.
    archive_depth: int = 6  # archives inside archives; deeper is ARCHIVE_TOO_DEEP
    archive_members: int = 1000  # files across the whole tree of one event
    archive_total_bytes: int = 64 * 1024 * 1024  # decompressed bytes across the tree
    archive_member_bytes: int = 16 * 1024 * 1024  # one decompressed member
    archive_ratio: float = 200.0  # expanded / compressed, for members past ratio_floor
    archive_ratio_floor: int = 1024 * 1024
