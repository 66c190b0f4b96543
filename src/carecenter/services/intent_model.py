"""A trained intent model as a directory of data, and the fast predictor rebuilt from it.

The directory holds no code: ``model.json`` (the labels, the feature blocks' settings and
vocabularies, how the model was trained) and ``weights.npz`` (each block's IDF weights, the
linear model's coefficients and intercepts, read with ``allow_pickle=False``). A model
directory someone hands you cannot run code when it is loaded.

The features are scikit-learn's ``TfidfVectorizer`` features, computed again here with the
standard library, numpy and scipy (no scikit-learn at classification time): per block, the
n-grams of the lower-cased text (``word``: tokens of two or more word characters;
``char_wb``: character n-grams inside each word padded with a space), their counts in the
vocabulary (``1 + ln(count)`` when ``sublinear_tf``), times the IDF weights, scaled to unit
Euclidean length. The scores are ``x · W + b`` over the blocks side by side; the confidence of
a label is its softmax probability (a multinomial logistic regression's ``predict_proba``).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from carecenter.errors import InputError

FORMAT = "carecenter-intent-model"
VERSION = 1
MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_SPACES = re.compile(r"\s\s+")

FloatArray = np.ndarray[Any, np.dtype[np.float32]]


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """The word n-grams of ``text`` (scikit-learn's ``analyzer="word"``)."""
    tokens = _TOKEN.findall(text.lower())
    grams: list[str] = []
    for n in range(low, high + 1):
        grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return grams


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """The character n-grams inside the words of ``text`` (``analyzer="char_wb"``): each word
    padded with a space; a word shorter than ``n`` counts once, whole."""
    grams: list[str] = []
    for word in _SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) <= n:
                grams.append(padded)
                break
            grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return grams


ANALYZERS = {"word": word_ngrams, "char_wb": char_wb_ngrams}


@dataclass(frozen=True)
class Block:
    """One TF-IDF feature block: its analyzer, n-gram range, vocabulary and IDF weights."""

    analyzer: str
    ngram_range: tuple[int, int]
    sublinear_tf: bool
    vocabulary: dict[str, int]
    idf: FloatArray

    def features(self, text: str) -> tuple[list[int], list[float]]:
        """The column indices and values of ``text``'s unit-length TF-IDF vector."""
        counts = Counter(
            self.vocabulary[g]
            for g in ANALYZERS[self.analyzer](text, *self.ngram_range)
            if g in self.vocabulary
        )
        columns = sorted(counts)
        values = [
            (1.0 + math.log(counts[c]) if self.sublinear_tf else float(counts[c]))
            * float(self.idf[c])
            for c in columns
        ]
        norm = math.sqrt(sum(v * v for v in values))
        return columns, [v / norm for v in values] if norm > 0 else values


@dataclass(frozen=True)
class Prediction:
    """The most likely label of a message and its probability."""

    label: str
    confidence: float


@dataclass(frozen=True)
class IntentModel:
    """Feature blocks side by side and a linear model over them (``weights``: one row per
    feature, one column per label)."""

    name: str
    labels: tuple[str, ...]
    blocks: tuple[Block, ...]
    weights: FloatArray
    intercept: FloatArray
    about: dict[str, Any]

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The feature matrix of ``texts``, one row each."""
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for r, text in enumerate(texts):
            offset = 0
            for block in self.blocks:
                c, v = block.features(text)
                rows += [r] * len(c)
                cols += [offset + i for i in c]
                vals += v
                offset += len(block.idf)
        shape = (len(texts), self.weights.shape[0])
        return sp.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=shape)

    def probabilities(self, texts: Sequence[str]) -> FloatArray:
        """Each label's probability for each text (rows: texts, columns: :attr:`labels`)."""
        scores = np.asarray(self.matrix(texts) @ self.weights) + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """The most likely label of each text, in order."""
        if not texts:
            return []
        probs = self.probabilities(texts)
        best = probs.argmax(axis=1)
        return [Prediction(self.labels[int(b)], float(probs[i, b])) for i, b in enumerate(best)]


def save(model: IntentModel, directory: Path) -> None:
    """Write ``model`` to ``directory`` (created if needed): JSON and a numpy archive."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "model": model.name,
            "labels": list(model.labels),
            "blocks": [
                {
                    "analyzer": b.analyzer,
                    "ngram_range": list(b.ngram_range),
                    "sublinear_tf": b.sublinear_tf,
                    "terms": sorted(b.vocabulary, key=b.vocabulary.__getitem__),
                }
                for b in model.blocks
            ],
            "about": model.about,
        }
        (directory / MODEL_FILE).write_text(
            json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        arrays: dict[str, Any] = {f"idf_{i}": b.idf for i, b in enumerate(model.blocks)}
        arrays.update(weights=model.weights, intercept=model.intercept)
        with (directory / WEIGHTS_FILE).open("wb") as f:
            np.savez_compressed(f, allow_pickle=False, **arrays)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(directory)) from exc


def load(directory: Path) -> IntentModel:
    """The model saved in ``directory`` by :func:`save`; a one-line error when it is not one."""
    where = str(directory / MODEL_FILE)
    if not (directory / MODEL_FILE).is_file():
        raise InputError(
            "no intent model here (train one with voc train-intents)", file=str(directory)
        )
    try:
        doc = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable intent model: {exc}", file=where) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f"not a {FORMAT} file", file=where)
    if doc.get("version") != VERSION:
        raise InputError(f"version {doc.get('version')!r}, expected {VERSION}", file=where)
    try:
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as npz:
            arrays = {k: np.asarray(npz[k], dtype=np.float32) for k in npz.files}
    except (OSError, ValueError) as exc:
        raise InputError(
            f"not readable weights: {exc}", file=str(directory / WEIGHTS_FILE)
        ) from exc
    try:
        blocks = tuple(
            Block(
                analyzer=b["analyzer"],
                ngram_range=(int(b["ngram_range"][0]), int(b["ngram_range"][1])),
                sublinear_tf=bool(b["sublinear_tf"]),
                vocabulary={t: i for i, t in enumerate(b["terms"])},
                idf=arrays[f"idf_{i}"],
            )
            for i, b in enumerate(doc["blocks"])
        )
        model = IntentModel(
            name=str(doc["model"]),
            labels=tuple(str(x) for x in doc["labels"]),
            blocks=blocks,
            weights=arrays["weights"],
            intercept=arrays["intercept"],
            about=dict(doc.get("about", {})),
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise InputError(f"incomplete intent model: {exc}", file=where) from exc
    _check(model, where)
    return model


def _check(model: IntentModel, where: str) -> None:
    features = sum(len(b.idf) for b in model.blocks)
    if any(b.analyzer not in ANALYZERS for b in model.blocks):
        raise InputError("unknown analyzer", file=where)
    if any(len(b.vocabulary) != len(b.idf) for b in model.blocks):
        raise InputError("vocabulary and IDF weights differ in size", file=where)
    if model.weights.shape != (features, len(model.labels)) or model.intercept.shape != (
        len(model.labels),
    ):
        raise InputError("weights do not match the features and labels", file=where)
