"""Cost of the content models per message, and how often the second stage runs.

    .venv/bin/python bench/harmful.py [--corpora DIR] [--limit N] [--repeat R]

Normal traffic: SMS ham (sms-spam-collection) and e-mail ham (spamassassin-public easy
ham). First stage = folding, lexicons, claims, features and the linear heads, on the
tenant text the views already hold (parsing is the normalizer's cost, not measured
here). Second stage = the fine-tuned MiniLM encoder (int8 ONNX, one thread), per call.
The policy (band, high heads) is read from the shipped rules.yaml, or --band. One
thread; the machine is shared, so the absolute numbers are noisy: read the ratio
against the baseline measured in the same run (a regex word split of the same texts).
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from aupguard.content.corpora import sample, sms_collection, spamassassin  # noqa: E402
from aupguard.content.features import analyse  # noqa: E402
from aupguard.content.models import HEADS, encoder, encoder_text, linear_model, sigmoid  # noqa: E402
from aupguard.content.scoring import StagePolicy  # noqa: E402
from aupguard.detectors.content_models import ContentOptions  # noqa: E402
from aupguard.events.normalize import views_for  # noqa: E402
from aupguard.rules.load import load_ruleset  # noqa: E402
from aupguard.training.corpora import find_corpora  # noqa: E402

_WORDS = re.compile(r"\w+")


def policies(band_override: list[float] | None = None) -> dict[str, StagePolicy]:
    rules = load_ruleset()
    out = {}
    for name in ("content_models", "agent_misrepresentation"):
        opts = ContentOptions(**rules.detectors[name].options)
        if band_override:
            opts = opts.model_copy(update={"second_stage_band": tuple(band_override)})
        out[name] = opts.policy()
    return out


def texts(root: Path, limit: int) -> dict[str, list[tuple[str, str]]]:
    sms = [i for i in sms_collection(root) if i.label == "ham"]
    mail = list(spamassassin(root, ("easy-ham-1", "easy-ham-2")))
    out = {}
    for name, items in (
        ("sms", sample(sms, limit, "bench")),
        ("email", sample(mail, limit, "bench")),
    ):
        out[name] = [(views_for(i.event).tenant_text, i.event.channel.value) for i in items]
    return out


def first_stage(text: str, channel: str) -> np.ndarray:
    return linear_model().logits(analyse(text, None, channel))


def timed(fn: object, items: list[tuple[str, str]], repeat: int) -> list[float]:
    """CPU seconds per message on this thread (the shared machine's wall clock is noisier)."""
    per: list[float] = []
    for text, channel in items:
        start = time.thread_time()
        for _ in range(repeat):
            fn(text, channel)  # type: ignore[operator]
        per.append((time.thread_time() - start) / repeat)
    return per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--band", type=float, nargs=2, help="second-stage band to measure")
    args = parser.parse_args()
    linear_model(), encoder()  # loaded once, outside the timings
    first_stage("warm up the caches", "sms")
    pol = policies(args.band)
    result: dict[str, object] = {}
    corpora = args.corpora or find_corpora(Path(__file__).parent)
    for name, items in texts(corpora, args.limit).items():
        base = timed(lambda t, c: _WORDS.findall(t.lower()), items, args.repeat)
        cost = timed(first_stage, items, args.repeat)
        second = 0
        for text, channel in items:
            logits = first_stage(text, channel)
            probs = {h: sigmoid(float(logits[i])) for i, h in enumerate(HEADS)}
            heads = [h for h in HEADS if h != "misrep"]
            wants = any(pol["content_models"].wants(h, probs[h]) for h in heads)
            wants |= pol["agent_misrepresentation"].wants("misrep", probs["misrep"])
            second += wants
        result[name] = {
            "messages": len(items),
            "mean_chars": round(statistics.mean(len(t) for t, _ in items)),
            "first_stage_cpu_ms_mean": round(1000 * statistics.mean(cost), 4),
            "first_stage_cpu_ms_p95": round(1000 * float(np.percentile(cost, 95)), 4),
            "baseline_cpu_ms_mean": round(1000 * statistics.mean(base), 4),
            "ratio_to_baseline": round(statistics.mean(cost) / statistics.mean(base), 1),
            "second_stage_rate": round(second / len(items), 4),
        }
    for name, items in texts(corpora, 300).items():
        analyses = [analyse(t, None, c) for t, c in items]
        start = time.thread_time()
        for a in analyses:
            encoder().logits(encoder_text(a))
        per_call = (time.thread_time() - start) / len(analyses)
        result[f"second_stage_cpu_ms_per_call_{name}"] = round(1000 * per_call, 4)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
