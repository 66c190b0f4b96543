"""``carecenter voc train-intents`` and ``carecenter voc classify`` through the CLI, on the
banking77 excerpt (``tests/fixtures/banking77_excerpt.csv``: PolyAI's banking77, CC BY 4.0;
20 intents x 20 messages)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

EXCERPT = Path(__file__).parents[1] / "fixtures" / "banking77_excerpt.csv"

MESSAGES = [
    ("m1", "How old do I have to be to open an account?", "age_limit"),
    ("m2", "My card still has not arrived, it has been two weeks", "card_arrival"),
    ("m3", "Which countries are supported?", "country_support"),
    ("m4", "I want to change my address", "edit_personal_details"),
    ("m5", "The ATM swallowed my card!", "card_swallowed"),
]


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("intents") / "model"
    code, stdout, err = cli(
        "voc", "train-intents", str(EXCERPT), "--text-column", "text", "--label-column",
        "category", "--output", str(out), "--cv", "3", "--no-embeddings", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(stdout)
    assert [r["model"] for r in rows] == ["tfidf-words", "tfidf-words-chars"]
    assert set(rows[0]) == {"model", "accuracy", "macro_f1", "seconds", "ms_per_message"}
    assert rows[1]["macro_f1"] >= rows[0]["macro_f1"]
    assert err.splitlines()[-1].startswith("kept tfidf-words-chars: 400 messages, 20 labels, ")
    return out


def test_classify_a_file_in_input_order(model: Path, tmp_path: Path) -> None:
    src = tmp_path / "new.csv"
    with src.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "body"])
        out.writerows((i, text) for i, text, _ in MESSAGES)
    code, stdout, err = cli(
        "voc", "classify", "--model", str(model), str(src), "--text-column", "body",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(stdout.splitlines()))
    assert stdout.splitlines()[0] == "text,label,confidence,ask"
    assert [r["text"] for r in rows] == [text for _, text, _ in MESSAGES]
    assert [r["label"] for r in rows] == [label for _, _, label in MESSAGES]
    for r in rows:
        assert 0 < float(r["confidence"]) <= 1
        assert r["ask"] == str(float(r["confidence"]) < 0.5)  # csv: True or False


def test_classify_one_message_with_routes(model: Path, tmp_path: Path) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text("routes:\n  card_arrival: {queue: cards, skill: card_delivery}\n")
    code, stdout, err = cli(
        "voc", "classify", "--model", str(model), "--text", "where is my new card?",
        "--routes", str(routes), "--threshold", "0.2", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    (row,) = json.loads(stdout)
    assert {k: row[k] for k in ("text", "label", "queue", "skill")} == {
        "text": "where is my new card?",
        "label": "card_arrival",
        "queue": "cards",
        "skill": "card_delivery",
    }
    assert row["ask"] is (row["confidence"] < 0.2)


def test_a_meaningless_message_asks_the_customer(model: Path) -> None:
    code, stdout, err = cli("voc", "classify", "-m", str(model), "--text", "hello", "-f", "json")
    assert code == 0, err
    (row,) = json.loads(stdout)
    assert row["ask"] is True and row["confidence"] < 0.5


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--text-column", "message"), "missing column"),
        (("--model", "{tmp}/nowhere"), "no intent model here"),
        (("--threshold", "2"), "--threshold: must be between 0 and 1"),
        (("--text", "both"), "--text: give either a CSV file or --text"),
    ],
)
def test_bad_input_is_one_line(
    model: Path, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    opts = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--model" not in opts:
        opts += ["--model", str(model)]
    code, _, err = cli("voc", "classify", str(EXCERPT), *opts)
    assert code == 2 and expected in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


def test_bad_training_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"text,category\nmy card,card\n\xff\xfe,other\n")
    code, _, err = cli("voc", "train-intents", str(bad), "--output", str(tmp_path / "m"))
    assert code == 2 and f"{bad}: not UTF-8: 2 bytes are not" in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    code, _, err = cli("voc", "train-intents", str(tmp_path / "none.csv"), "-o", str(tmp_path))
    assert code == 2 and "cannot read" in err and len(err.strip().splitlines()) == 1, err
