"""The shipped content models: a linear first stage and a fine-tuned MiniLM second stage."""

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
TOKENIZER = "minilm-tokenizer.json"
ENCODER = "content-encoder.onnx"
ENCODER_TOKENS = 128  # word pieces the encoder reads (training and run time alike)


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


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def combined(first: float, second: float) -> float:
    """The two stages' probabilities joined as the mean of their log-odds: a second
    opinion, not a veto (on the dev halves, with each writers' round held out in turn,
    the mean found more positives at the same hard negatives than either stage alone)."""
    return sigmoid((logit(first) + logit(second)) / 2)


@dataclass(frozen=True, slots=True)
class Scores:
    """Per head: the first stage's probability and, when it ran, the second stage's."""

    first: dict[str, float]
    second: dict[str, float]

    def final(self, head: str) -> float:
        second = self.second.get(head)
        return self.first[head] if second is None else combined(self.first[head], second)


class LinearModel:
    """Logistic heads over hashed-free vocabulary features; a few dict look-ups per word."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            vocab = str(data["vocab"]).split("\n")
            self.weights: np.ndarray = data["weights"].astype(np.float32)
            self.bias: np.ndarray = data["bias"].astype(np.float32)
            self.heads = tuple(str(h) for h in data["heads"])
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


@cache
def linear_model() -> LinearModel:
    return LinearModel(model_path(LINEAR))


def encoder_text(analysis: TextAnalysis) -> str:
    """What the encoder reads: the folded tokens (leetspeak, spacing, homoglyphs undone)."""
    return " ".join(analysis.tokens)


class Encoder:
    """The fine-tuned MiniLM second stage (int8 ONNX), one logit per head; one thread."""

    def __init__(self, path: Path, tokenizer: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # inline: one core per judgement
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(ENCODER_TOKENS)
        self.tokenizer.no_padding()

    def logits(self, text: str) -> np.ndarray:
        ids = np.array([self.tokenizer.encode(text).ids], dtype=np.int64)
        out = self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        return np.asarray(out[0][0], dtype=np.float32)


@cache
def encoder() -> Encoder:
    return Encoder(model_path(ENCODER), model_path(TOKENIZER))
