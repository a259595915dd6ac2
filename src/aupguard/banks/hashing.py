"""Hashes of a file for the banks: SHA-256, MD5 and, for images, PDQ (Meta's reference code)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

MAX_PIXELS = 40_000_000  # decompression-bomb guard for PDQ (Pillow's own limit is ~89 M)
PDQ_SIDE = 512  # images are reduced to this side first: PDQ looks at 64x64 anyway


@dataclass(frozen=True, slots=True)
class MediaHashes:
    sha256: str
    md5: str
    pdq: str | None = None  # 64 hex digits, None for non-images or unreadable images
    pdq_quality: int = 0  # 0-100; below ~50 the hash says little (flat images)


def pdq_of(data: bytes) -> tuple[str, int] | None:
    """PDQ hash (hex, reference bit order) and quality of an image, or None if unreadable."""
    import numpy as np
    import pdqhash
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                return None
            img.draft("RGB", (PDQ_SIDE, PDQ_SIDE))
            rgb = img.convert("RGB")
            rgb.thumbnail((PDQ_SIDE, PDQ_SIDE))
            pixels = np.asarray(rgb, dtype=np.uint8)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    bits, quality = pdqhash.compute(pixels)
    value = int("".join("1" if b else "0" for b in bits), 2)
    return f"{value:064x}", int(quality)


def hashes_of(data: bytes, is_image: bool) -> MediaHashes:
    pdq = pdq_of(data) if is_image else None
    return MediaHashes(
        hashlib.sha256(data).hexdigest(),
        hashlib.md5(data, usedforsecurity=False).hexdigest(),
        pdq[0] if pdq else None,
        pdq[1] if pdq else 0,
    )
