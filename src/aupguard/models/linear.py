"""A shipped linear text model: TF-IDF weights, a Platt calibration and its operating point.

Stored as a plain `.npz` (numpy arrays only, read with allow_pickle=False, so loading
runs no code), written byte-for-byte reproducibly, identified by its sha256.
"""

from __future__ import annotations

import hashlib
import heapq
import io
import json
import math
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from aupguard.errors import ModelError

FORMAT = "aupguard-linear-text/1"
_TF = [0.0, *(1.0 + math.log(n) for n in range(1, 64))]  # sublinear term frequency
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Score:
    probability: float  # calibrated P(spam)
    margin: float  # the raw linear score before calibration
    top: tuple[tuple[str, float], ...]  # strongest positive contributions, best first


class LinearTextModel:
    """Scores a bag of tokens: sublinear TF-IDF, L2 norm, linear weights, Platt sigmoid."""

    def __init__(self, arrays: Mapping[str, np.ndarray], sha256: str, source: str) -> None:
        self.sha256 = sha256
        self.source = source
        self.meta: dict[str, Any] = json.loads(bytes(arrays["meta"]).decode("utf-8"))
        if self.meta.get("format") != FORMAT:
            raise ModelError(f"{source}: format {self.meta.get('format')!r}, expected {FORMAT}")
        vocab = bytes(arrays["tokens"]).decode("utf-8", "surrogatepass").split("\n")
        idf = arrays["idf"].astype(float).tolist()
        weight = arrays["weight"].astype(float).tolist()
        if not len(vocab) == len(idf) == len(weight):
            raise ModelError(f"{source}: vocabulary, idf and weight lengths differ")
        # token -> (idf, idf * weight): one dict look-up per distinct token when scoring
        self._terms = {t: (i, i * w) for t, i, w in zip(vocab, idf, weight, strict=True)}
        self.bias = float(arrays["bias"][0])
        self.platt_a, self.platt_b = (float(x) for x in arrays["platt"])
        self.threshold = float(arrays["threshold"][0])

    @property
    def size(self) -> int:
        return len(self._terms)

    def score(self, tokens: Iterable[str]) -> Score:
        """Calibrated probability of `tokens` (the hot path: one dict look-up per token)."""
        get = self._terms.get
        norm_sq = dot = 0.0
        for token, n in Counter(tokens).items():
            hit = get(token)
            if hit is not None:
                tf = _TF[n] if n < 64 else 1.0 + math.log(n)
                x = tf * hit[0]
                norm_sq += x * x
                dot += tf * hit[1]
        margin = dot / (math.sqrt(norm_sq) or 1.0) + self.bias
        z = self.platt_a * margin + self.platt_b
        probability = 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0
        return Score(probability, margin, ())

    def explain(self, tokens: Iterable[str], top: int = 5) -> Score:
        """`score` plus the `top` strongest positive contributions (for evidence)."""
        terms = self._terms
        norm_sq = dot = 0.0
        parts: list[tuple[str, float]] = []
        for token, n in Counter(tokens).items():
            hit = terms.get(token)
            if hit is not None:
                tf = 1.0 + math.log(n)
                norm_sq += (tf * hit[0]) ** 2
                dot += tf * hit[1]
                parts.append((token, tf * hit[1]))
        norm = math.sqrt(norm_sq) or 1.0
        margin = dot / norm + self.bias
        z = self.platt_a * margin + self.platt_b
        probability = 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0
        best = heapq.nlargest(top, (p for p in parts if p[1] > 0), key=lambda p: p[1])
        return Score(probability, margin, tuple((t, c / norm) for t, c in best))


def load(path: Path) -> LinearTextModel:
    """A model file; errors say which file and what is wrong with it."""
    try:
        data = path.read_bytes()
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{path}: cannot read the model ({exc}); rerun `aupguard train`") from None
    missing = {"meta", "tokens", "idf", "weight", "bias", "platt", "threshold"} - set(arrays)
    if missing:
        raise ModelError(f"{path}: missing arrays {sorted(missing)}; rerun `aupguard train`")
    return LinearTextModel(arrays, hashlib.sha256(data).hexdigest(), str(path))


@cache
def shipped(name: str) -> LinearTextModel:
    """A model shipped in this package (aupguard/models/<name>.npz), loaded once per process."""
    return load(Path(str(files("aupguard.models") / f"{name}.npz")))


def save(path: Path, arrays: Mapping[str, np.ndarray]) -> str:
    """Write an .npz whose bytes depend only on the arrays (fixed zip times); its sha256."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(
                member, np.ascontiguousarray(arrays[name]), allow_pickle=False
            )
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, member.getvalue())
    data = buf.getvalue()
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def pack(
    vocab: list[str],
    idf: np.ndarray,
    weight: np.ndarray,
    bias: float,
    platt: tuple[float, float],
    threshold: float,
    meta: Mapping[str, Any],
) -> dict[str, np.ndarray]:
    """The arrays of a model file (see `LinearTextModel` for how they are used)."""
    if any("\n" in t for t in vocab):
        raise ModelError("a vocabulary token contains a newline")
    blob = json.dumps({"format": FORMAT, **meta}, sort_keys=True).encode("utf-8")
    return {
        "meta": np.frombuffer(blob, dtype=np.uint8),
        "tokens": np.frombuffer("\n".join(vocab).encode("utf-8", "surrogatepass"), dtype=np.uint8),
        "idf": np.asarray(idf, dtype=np.float32),
        "weight": np.asarray(weight, dtype=np.float32),
        "bias": np.asarray([bias], dtype=np.float64),
        "platt": np.asarray(platt, dtype=np.float64),
        "threshold": np.asarray([threshold], dtype=np.float64),
    }
