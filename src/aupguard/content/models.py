"""The shipped content models: a linear first stage and a static-embedding second stage."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import numpy as np

from aupguard.content.features import TextAnalysis

HEADS = ("adult", "violence", "piracy", "pii", "misrep")
LINEAR = "content-linear.npz"
STATIC = "static-minilm.npz"
TOKENIZER = "minilm-tokenizer.json"


def model_path(name: str) -> Path:
    return Path(str(files("aupguard.models") / name))


def artifact_hash(*names: str) -> str | None:
    """sha256 over the named artifacts, as verdicts record it; None when one is missing."""
    digest = hashlib.sha256()
    for name in names:
        path = model_path(name)
        if not path.is_file():
            return None
        digest.update(path.read_bytes())
    return digest.hexdigest()


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


@dataclass(frozen=True, slots=True)
class Scores:
    """Per head: the first stage's probability and, when it ran, the second stage's."""

    first: dict[str, float]
    second: dict[str, float]

    def final(self, head: str) -> float:
        """The second stage is a second opinion: averaged with the first, not a veto
        (chosen on the dev halves' out-of-fold scores: an override flagged more negatives)."""
        second = self.second.get(head)
        return self.first[head] if second is None else (self.first[head] + second) / 2


class LinearModel:
    """Logistic heads over hashed-free vocabulary features; a few dict look-ups per word."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            vocab = str(data["vocab"]).split("\n")
            self.weights: np.ndarray = data["weights"].astype(np.float32)
            self.bias: np.ndarray = data["bias"].astype(np.float32)
            self.heads = tuple(str(h) for h in data["heads"])
            self.stage2_weights: np.ndarray = data["stage2_weights"].astype(np.float32)
            self.stage2_bias: np.ndarray = data["stage2_bias"].astype(np.float32)
            self.languages = tuple(str(x) for x in data["languages"])
            self.word_scale = float(data["word_scale"])
            self.meta = json.loads(str(data["meta"]))
        self.index = {name: i for i, name in enumerate(vocab)}
        # Word and word-pair tables keyed as the analysis holds them: no string building.
        self.unigrams = {n[2:]: i for i, n in enumerate(vocab) if n.startswith("w:")}
        self.bigrams: dict[tuple[str, ...], int] = {
            tuple(n[2:].split(" ", 1)): i for i, n in enumerate(vocab) if n.startswith("b:")
        }

    def logits(self, a: TextAnalysis) -> np.ndarray:
        get = self.index.get
        shaped = a.shaped
        unigrams = set(shaped)
        pairs = set(itertools.pairwise(shaped))
        uni, bi = self.unigrams, self.bigrams
        # A keys view intersected with a set walks the smaller side, in C: few are known.
        rows = [uni[t] for t in uni.keys() & unigrams]
        rows += [bi[p] for p in bi.keys() & pairs]
        out: np.ndarray = self.bias.copy()
        if rows:  # the same length normalisation as training: all unique n-grams count
            out += self.weights[rows].sum(0) * (
                self.word_scale / math.sqrt(len(unigrams) + len(pairs))
            )
        flags = [i for i in (get(f) for f in a.flags) if i is not None]
        if flags:
            out += self.weights[flags].sum(0)
        return out

    def second(self, embedding: np.ndarray, logits: np.ndarray) -> np.ndarray:
        """Second-stage logits: the embedding and the first stage's logit, per head."""
        dims = embedding.shape[0]
        out: np.ndarray = self.stage2_bias + embedding @ self.stage2_weights[:dims]
        out += logits * self.stage2_weights[dims]
        return out


class StaticEmbedder:
    """Mean of distilled MiniLM token vectors (int8 table), L2-normalised; numpy only."""

    def __init__(self, table: Path, tokenizer: Path) -> None:
        from tokenizers import Tokenizer

        with np.load(table, allow_pickle=False) as data:
            self.table: np.ndarray = data["emb"].astype(np.float32) * data["scale"][:, None]
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_truncation()
        self.dims = self.table.shape[1]

    def embed(self, tokens: list[str], limit: int = 256) -> np.ndarray:
        ids = self.tokenizer.encode(" ".join(tokens[:limit]), add_special_tokens=False).ids
        if not ids:
            return np.zeros(self.dims, dtype=np.float32)
        vec: np.ndarray = self.table[ids].mean(0)
        norm = float(np.linalg.norm(vec))
        if norm:
            vec /= norm
        return vec


@cache
def linear_model() -> LinearModel:
    return LinearModel(model_path(LINEAR))


@cache
def embedder() -> StaticEmbedder:
    return StaticEmbedder(model_path(STATIC), model_path(TOKENIZER))
