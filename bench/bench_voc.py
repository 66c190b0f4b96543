"""Benchmark: the voice of the customer's text models on real data, each beside its TF-IDF
baseline in the same run.

- **Intents** (``carecenter voc train-intents``, :mod:`voc_intents`): the 10,003 banking77
  training messages, 77 intents, stratified 5-fold cross-validation of the baseline (TF-IDF
  words + logistic regression), the model the command keeps (TF-IDF words and characters)
  and, with the ``embeddings`` extra, MiniLM sentence embeddings + logistic regression;
  ``ms_per_message`` is the kept model classifying one message at a time on one core.
- **Themes** (``carecenter voc themes``, :mod:`voc_themes`): the 1,532 CFPB complaint
  narratives grouped into themes, their agreement with the CFPB ``Issue`` field (normalised
  mutual information, adjusted Rand index) beside TF-IDF + k-means with the same number of
  themes; then both timed on 100,000 texts resampled from the narratives.

Each model runs in its own child process, so each peak memory is its own; ``seconds`` is the
whole benchmark's wall time and ``peak_memory_mb`` the largest child's peak resident memory
(the intent model's training, or the themes of 100,000 texts).

    .venv/bin/python bench/bench_voc.py [--data ../shared/data] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import voc_intents  # bench/ is the script's directory: first on sys.path
import voc_themes

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SHARED = ("baseline_nmi", "baseline_ari")
"""The themes' keys that keep their name: the ``baseline_*`` figures are otherwise the
intents' (``baseline_accuracy``, ``baseline_seconds``...), the themes' are ``themes_baseline_*``."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data directory")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    intents = voc_intents.run(args.data, args.seed)
    themes = {  # the themes' baseline timings apart from the intents' baseline
        (f"themes_{k}" if k.startswith("baseline_") and k not in SHARED else k): v
        for k, v in voc_themes.run(args.data, args.seed).items()
    }
    peaks = [
        float(str(v))
        for k, v in {**intents, **themes}.items()
        if k.endswith("peak_memory_mb") and not k.startswith(("minilm", "baseline"))
    ]
    result = {
        **intents,
        **themes,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_memory_mb": max(peaks),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
