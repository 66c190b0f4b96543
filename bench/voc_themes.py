"""Benchmark part: complaint themes (``carecenter voc themes``) against TF-IDF + k-means.

On the 1,532 CFPB narratives of ``complaints/cfpb_complaints_sample_6623.csv`` (shared data),
the agreement of the themes with the CFPB ``Issue`` field (normalised mutual information and
adjusted Rand index, scikit-learn's) for ours (:func:`carecenter.services.voc_themes.discover`)
and for the baseline (:func:`~carecenter.services.voc_themes.baseline_labels`: TF-IDF and
k-means, scikit-learn's text-clustering example) with the same number of themes, in the same
run; then, for time and memory, both on 100,000 texts drawn with replacement from the
narratives (seeded). Each timed run is its own child process, so its peak resident memory
(``ru_maxrss``, texts loaded included) is its own.

    .venv/bin/python bench/voc_themes.py [--seed 1] [--texts 100000]

``run(data_dir, seed)`` returns the figures (``bench/bench_voc.py`` combines it); run as a
script it prints them as one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FILE = Path("complaints") / "cfpb_complaints_sample_6623.csv"
TEXT, LABEL = "Consumer complaint narrative", "Issue"
LARGE = 100_000


def narratives(data_dir: Path) -> tuple[list[str], list[str]]:
    """The narratives of the CFPB sample and their ``Issue``."""
    csv.field_size_limit(1 << 24)
    texts: list[str] = []
    issues: list[str] = []
    with (data_dir / FILE).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row[TEXT].strip():
                texts.append(row[TEXT])
                issues.append(row[LABEL])
    return texts, issues


def _child(method: str, data_dir: Path, n: int, seed: int, k: int) -> dict[str, float]:
    """In this process: time ``method`` on ``n`` texts resampled from the narratives."""
    from carecenter.services.voc_themes import baseline_labels, discover

    texts, _ = narratives(data_dir)
    rng = random.Random(seed)
    sample = [texts[rng.randrange(len(texts))] for _ in range(n)]
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    if method == "themes":
        discover(sample, k, seed)
    else:
        baseline_labels(sample, k, seed)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_memory_mb": peak, "texts_loaded_mb": loaded}


def _in_child(method: str, data_dir: Path, n: int, seed: int, k: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", method, "--data", str(data_dir),
         "--texts", str(n), "--seed", str(seed), "--themes", str(k)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout)
    return result


def run(data_dir: Path, seed: int = 1, texts: int = LARGE) -> dict[str, object]:
    """The benchmark's figures (see the module); ``data_dir`` holds ``complaints/``."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from carecenter.services.voc_themes import DEFAULT_THEMES, baseline_labels, discover

    k = DEFAULT_THEMES
    docs, issues = narratives(data_dir)
    started = time.perf_counter()
    ours = discover(docs, k, seed).labels
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    base = baseline_labels(docs, k, seed)
    base_s = time.perf_counter() - started
    large = _in_child("themes", data_dir, texts, seed, k)
    large_base = _in_child("baseline", data_dir, texts, seed, k)
    return {
        "narratives": len(docs),
        "issues": len(set(issues)),
        "themes": k,
        "seed": seed,
        "themes_nmi": round(float(normalized_mutual_info_score(issues, ours)), 4),
        "themes_ari": round(float(adjusted_rand_score(issues, ours)), 4),
        "baseline_nmi": round(float(normalized_mutual_info_score(issues, base)), 4),
        "baseline_ari": round(float(adjusted_rand_score(issues, base)), 4),
        "themes_seconds": round(ours_s, 2),
        "baseline_seconds": round(base_s, 2),
        "large_texts": texts,
        "themes_100k_seconds": round(large["seconds"], 1),
        "baseline_100k_seconds": round(large_base["seconds"], 1),
        "themes_peak_memory_mb": round(large["peak_memory_mb"], 1),
        "baseline_peak_memory_mb": round(large_base["peak_memory_mb"], 1),
        "texts_loaded_mb": round(large["texts_loaded_mb"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--texts", type=int, default=LARGE)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--child", choices=("themes", "baseline"))
    parser.add_argument("--themes", type=int, default=10)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.data, args.texts, args.seed, args.themes)))
        return
    print(json.dumps(run(args.data, args.seed, args.texts), indent=1))


if __name__ == "__main__":
    main()
