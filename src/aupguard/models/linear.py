"""A shipped linear text model: TF-IDF weights, a Platt calibration and its operating point.

Stored as a plain `.npz` (numpy arrays only, read with allow_pickle=False, so loading
runs no code), written byte-for-byte reproducibly, identified by its sha256.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from aupguard.errors import ModelError

FORMAT = "aupguard-linear-text/1"
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
        # Token -> row; row 0 is every unknown token (idf 0: it adds nothing). Scoring is a
        # Counter, one C-level map of dict look-ups and a few numpy operations on the rows.
        self._index = {t: i for i, t in enumerate(vocab, 1)}
        self._vocab = ["", *vocab]
        self._idf = np.asarray([0.0, *idf])
        self._idf_weight = np.asarray([0.0, *(i * w for i, w in zip(idf, weight, strict=True))])
        self.bias = float(arrays["bias"][0])
        self.platt_a, self.platt_b = (float(x) for x in arrays["platt"])
        self.threshold = float(arrays["threshold"][0])

    @property
    def size(self) -> int:
        return len(self._index)

    def score(self, tokens: Iterable[str], explain_from: float = 2.0, top: int = 5) -> Score:
        """Calibrated probability of `tokens`; when it is at least `explain_from`, also the
        `top` strongest positive contributions (for evidence), from the same pass."""
        counts = Counter(tokens)
        k = len(counts)
        rows = np.fromiter(map(self._index.get, counts, repeat(0, k)), np.intp, k)
        tf = np.log(np.fromiter(counts.values(), np.float64, k))
        tf += 1.0  # sublinear term frequency
        x = tf * self._idf[rows]
        parts = tf * self._idf_weight[rows]
        norm = math.sqrt(float(x @ x)) or 1.0
        margin = float(parts.sum()) / norm + self.bias
        z = self.platt_a * margin + self.platt_b
        probability = 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0
        if probability < explain_from or top <= 0 or k == 0:
            return Score(probability, margin, ())
        best = np.argsort(-parts, kind="stable")[:top]
        named = tuple((self._vocab[rows[i]], float(parts[i]) / norm) for i in best if parts[i] > 0)
        return Score(probability, margin, named)

    def explain(self, tokens: Iterable[str], top: int = 5) -> Score:
        """`score` plus the `top` strongest positive contributions, whatever the probability."""
        return self.score(tokens, explain_from=0.0, top=top)


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
