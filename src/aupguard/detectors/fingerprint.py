"""Near-duplicate fingerprints tolerant to personalisation: one-permutation MinHash of 8-grams.

Why not datasketch: its MinHash hashes every shingle with SHA-1 in a Python loop and builds
its permutations per object (about 0.8 ms per message on this machine). This computes the
same kind of signature with no Python loop per shingle: the normalised text's UTF-8 bytes
are viewed as overlapping 64-bit words (each one a character 8-gram), hashed once with a
multiply-shift hash, and the smallest hash in each of 24 equal hash ranges is one MinHash
value (one-permutation hashing, Li, Owen & Zhang 2012; the range of a hash is its top 32
bits times 24, shifted down, and `np.minimum.at` keeps each range's minimum: no sort).
Bands of 3 values are the LSH keys: two texts share a band with probability about
Jaccard^3. Digits are folded to 0, case and spacing normalised, so names, amounts, dates
and tracking tokens change only the few 8-grams that overlap them.
"""

from __future__ import annotations

import numpy as np

SHINGLE = 8
HASHES = 24
BANDS = 8
ROWS = HASHES // BANDS
MAX_CHARS = 1_000  # the opening of a message identifies its template (2,000 cost twice as much)
MIN_CHARS = 24  # shorter texts ("ok", "thanks") are not fingerprinted

# Fixed constants: every worker must compute the same bands for the same text.
_A = np.uint64(0x9E3779B97F4A7C15)
_B = np.uint64(0x632BE59BD9B4E019)
_MIX = np.asarray([0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x2545F4914F6CDD1D], dtype=np.uint64)
_EMPTY = np.uint64(2**64 - 1)
_HIGH = np.uint64(32)
_RANGES = np.uint64(HASHES)
_DIGITS = str.maketrans("0123456789", "0000000000")
_DIGIT_BYTES = bytes.maketrans(b"0123456789", b"0000000000")


def normalise(text: str) -> str:
    return " ".join(text[:MAX_CHARS].lower().translate(_DIGITS).split())


def _normalised_bytes(text: str) -> bytes:
    """`normalise(text)` as UTF-8, digits folded on the bytes (one table look-up per byte,
    much cheaper than str.translate with a dict)."""
    spaced = " ".join(text[:MAX_CHARS].lower().split())
    return spaced.encode("utf-8", "surrogatepass").translate(_DIGIT_BYTES)


def signature(text: str) -> np.ndarray | None:
    """HASHES MinHash values of the text's 8-grams, or None when the text is too short."""
    data = _normalised_bytes(text)  # surrogatepass: lone surrogates from raw mail
    if len(data) < MIN_CHARS:
        return None
    n = len(data) - SHINGLE + 1
    grams = np.ndarray((n,), dtype="<u8", buffer=data, strides=(1,))  # overlapping 8-grams
    hashed = grams * _A + _B  # array arithmetic wraps mod 2^64 silently
    ranges = (((hashed >> _HIGH) * _RANGES) >> _HIGH).astype(np.intp)
    values = np.full(HASHES, _EMPTY)  # an empty range keeps this fixed value
    np.minimum.at(values, ranges, hashed)
    return values


def band_keys(text: str) -> tuple[str, ...]:
    """One 16-hex-digit key per LSH band; () when the text is too short to fingerprint."""
    sig = signature(text)
    if sig is None:
        return ()
    bands = (sig.reshape(BANDS, ROWS) * _MIX).sum(axis=1, dtype=np.uint64)
    return tuple(f"{b:016x}" for b in bands.tolist())


def similarity(a: str, b: str) -> float:
    """Share of equal MinHash values: an estimate of the 8-gram Jaccard similarity."""
    sa, sb = signature(a), signature(b)
    if sa is None or sb is None:
        return 0.0
    return float(np.mean(sa == sb))
